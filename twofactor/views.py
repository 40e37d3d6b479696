"""Two-factor pages: the person's own settings, set-up, the code step at sign-in, the
recovery codes (shown once), and the managers' reset for a lost phone."""

import datetime
import re
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import is_manager, require_manager_page
from twofactor import gate
from twofactor.forms import AuthenticatorCodeForm, CodeForm, ResetForm
from twofactor.selectors import (
    is_enrolled,
    policy_applies,
    recovery_codes_left,
    staff_member_for_reset,
    staff_two_factor_list,
)
from twofactor.services import (
    CheckResult,
    new_secret,
    recovery_codes_regenerate,
    two_factor_check,
    two_factor_disable,
    two_factor_enrol,
    two_factor_reset,
)

SECRET_SESSION_KEY = "twofactor_new_secret"  # noqa: S105 - a session key name
CODES_SESSION_KEY = "twofactor_new_codes"
CODES_SHOWN_FOR = datetime.timedelta(minutes=15)


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _failure_message(result: CheckResult) -> str:
    if result.locked_until is not None:
        until = formats.time_format(timezone.localtime(result.locked_until), "H:i:s")
        return _("Too many wrong codes. Try again after %(time)s.") % {"time": until}
    if result.method == "recovery_code":
        return _("That recovery code is wrong or has already been used.")
    return _("That code is wrong or has expired. Enter the newest code from the app.")


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    # A fixed on-screen size (qrcode writes millimetres), and a name for screen readers.
    label = escape(_("QR code"))
    svg = re.sub(
        r'width="[^"]*" height="[^"]*"',
        f'width="220" height="220" role="img" aria-label="{label}"',
        svg,
        count=1,
    )
    # Our own drawing of our own data: no user text reaches the markup.
    return mark_safe(svg)  # noqa: S308


@never_cache
@login_required
def two_factor_settings(request):
    enrolled = is_enrolled(user=request.user)
    return render(
        request,
        "twofactor/settings.html",
        {
            "enrolled": enrolled,
            "codes_left": recovery_codes_left(user=request.user) if enrolled else 0,
            "required": policy_applies(user=request.user),
            "is_manager": is_manager(request.user),
            "code_form": CodeForm(),
        },
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
def two_factor_setup(request):
    state = gate.session_state(request)
    if state == gate.VERIFY:
        return redirect("twofactor:verify")
    if state == gate.ENROL and not policy_applies(user=request.user):
        # The policy stopped requiring it since the password step: nothing is owed.
        gate.mark_passed(request)
        state = gate.PASSED
    secret = request.session.get(SECRET_SESSION_KEY)
    if not secret:
        secret = request.session[SECRET_SESSION_KEY] = new_secret()
    form = AuthenticatorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor_enrol(
                actor=request.user, secret=secret, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            request.session.cycle_key()
            django_otp.login(request, device)
            gate.mark_passed(request)
            request.session.pop(SECRET_SESSION_KEY, None)
            _keep_codes_for_display(request, codes)
            messages.success(request, _("Two-factor sign-in is on."))
            query = urlencode({"next": _next_url(request)})
            return redirect(f"{resolve_url('twofactor:codes')}?{query}")
    device = TOTPDevice(user=request.user, key=secret)
    secret_text = b32encode(unhexlify(secret.encode())).decode()
    return render(
        request,
        "twofactor/setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret_groups": [secret_text[i : i + 4] for i in range(0, len(secret_text), 4)],
            "replacing": is_enrolled(user=request.user),
            "issuer": settings.OTP_TOTP_ISSUER,
            "twofactor_pending": state == gate.ENROL,
            "next": _next_url(request),
        },
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
def two_factor_verify(request):
    state = gate.session_state(request)
    if state == gate.VERIFY and not is_enrolled(user=request.user):
        # The authenticator was reset by a manager since the password step.
        state = request.session[gate.STATE_KEY] = gate.state_for(request.user)
    if state == gate.ENROL:
        return redirect("twofactor:setup")
    if state == gate.PASSED:
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = two_factor_check(user=request.user, code=form.cleaned_data["code"])
        if result.passed:
            request.session.cycle_key()
            django_otp.login(request, result.device)
            gate.mark_passed(request)
            if result.codes_left is not None:
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a recovery code. %(count)d code is left: "
                        "make new ones on the two-factor page.",
                        "You signed in with a recovery code. %(count)d codes are left: "
                        "make new ones on the two-factor page if you are running out.",
                        result.codes_left,
                    )
                    % {"count": result.codes_left},
                )
            return redirect(_next_url(request))
        form.add_error("code", _failure_message(result))
    return render(
        request,
        "twofactor/verify.html",
        {
            "form": form,
            "twofactor_pending": True,
            "next": _next_url(request),
            "issuer": settings.OTP_TOTP_ISSUER,
        },
    )


def _keep_codes_for_display(request, codes: list[str]) -> None:
    until = timezone.now() + CODES_SHOWN_FOR
    request.session[CODES_SESSION_KEY] = {"codes": codes, "until": until.isoformat()}


def _codes_to_show(request) -> list[str]:
    kept = request.session.get(CODES_SESSION_KEY) or {}
    until = kept.get("until")
    if until and datetime.datetime.fromisoformat(until) > timezone.now():
        return list(kept.get("codes") or [])
    request.session.pop(CODES_SESSION_KEY, None)
    return []


@never_cache
@login_required
def recovery_codes(request):
    """New codes stay on this page (a reload or a language switch keeps them) until the
    person says they have kept them, or for CODES_SHOWN_FOR; then never again."""
    codes = _codes_to_show(request)
    if request.method == "POST":
        request.session.pop(CODES_SESSION_KEY, None)
        return redirect(_next_url(request))
    if not codes:
        messages.info(
            request,
            _("Recovery codes are shown only once. If you have lost them, make new ones."),
        )
        return redirect("twofactor:settings")
    return render(request, "twofactor/codes.html", {"codes": codes, "next": _next_url(request)})


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_POST
def recovery_codes_new(request):
    form = CodeForm(request.POST)
    if not is_enrolled(user=request.user):
        raise Http404
    if form.is_valid():
        result = two_factor_check(
            user=request.user, code=form.cleaned_data["code"], purpose="new_recovery_codes"
        )
        if result.passed:
            _keep_codes_for_display(request, recovery_codes_regenerate(actor=request.user))
            return redirect("twofactor:codes")
        messages.error(request, _failure_message(result))
    else:
        messages.error(request, _("Enter a current code first."))
    return redirect("twofactor:settings")


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_POST
def two_factor_off(request):
    if not is_enrolled(user=request.user):
        raise Http404
    if policy_applies(user=request.user):
        messages.error(
            request, _("Your role must use two-factor sign-in, so it cannot be turned off.")
        )
        return redirect("twofactor:settings")
    form = CodeForm(request.POST)
    if form.is_valid():
        result = two_factor_check(
            user=request.user, code=form.cleaned_data["code"], purpose="turn_off"
        )
        if result.passed:
            two_factor_disable(actor=request.user)
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("twofactor:settings")
        messages.error(request, _failure_message(result))
    else:
        messages.error(request, _("Enter a current code first."))
    return redirect("twofactor:settings")


def _manager_only(request) -> None:
    """Staff two-factor pages are the managers'; to anyone else they do not exist."""
    require_manager_page(request.user)


@never_cache
@login_required
def staff_two_factor(request):
    _manager_only(request)
    return render(
        request,
        "twofactor/staff.html",
        {"staff": staff_two_factor_list(actor=request.user)},
    )


@never_cache
@login_required
@require_POST
def staff_two_factor_reset(request, pk: int):
    _manager_only(request)
    member = staff_member_for_reset(actor=request.user, pk=pk)
    if member is None:
        raise Http404
    form = ResetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for the reset."))
        return redirect("twofactor:staff")
    two_factor_reset(actor=request.user, user=member, reason=form.cleaned_data["reason"])
    messages.success(
        request,
        _("%(name)s's two-factor sign-in was reset. They set it up again at their next sign-in.")
        % {"name": member.display_name},
    )
    return redirect("twofactor:staff")
