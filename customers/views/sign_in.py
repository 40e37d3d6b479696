"""Managers' sign-in pages: locked sign-ins with an Unlock button, and requiring a
person to change their password. Everyone else gets 404 (nothing to learn here)."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.validators import validate_ipv46_address
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.lockouts import ADDRESS, LOCKOUT_KINDS, lockouts_active
from accounts.roles import require_manager_page
from customers.services.sign_in import login_unlock, password_change_require


def _managers_only(request) -> None:
    require_manager_page(request.user)


class UnlockForm(forms.Form):
    kind = forms.ChoiceField(choices=[(kind, kind) for kind in LOCKOUT_KINDS])
    value = forms.CharField(max_length=150)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ADDRESS and cleaned.get("value"):
            validate_ipv46_address(cleaned["value"])
        return cleaned


@login_required
def lockouts(request):
    _managers_only(request)
    return render(request, "customers/lockouts.html", {"lockouts": lockouts_active()})


@login_required
@require_POST
def lockout_unlock(request):
    _managers_only(request)
    form = UnlockForm(request.POST)
    if not form.is_valid():
        raise Http404
    kind, value = form.cleaned_data["kind"], form.cleaned_data["value"]
    if login_unlock(actor=request.user, kind=kind, value=value):
        if kind == ADDRESS:
            message = _("Sign-in from %(address)s is unlocked.") % {"address": value}
        else:
            message = _("Sign-in as %(username)s is unlocked.") % {"username": value}
        messages.success(request, message)
    else:
        messages.info(request, _("That sign-in was no longer locked."))
    return redirect("customers:lockouts")


@login_required
@require_POST
def staff_require_password_change(request, user_pk):
    _managers_only(request)
    member = get_object_or_404(get_user_model(), pk=user_pk, is_active=True)
    password_change_require(actor=request.user, user=member)
    messages.success(
        request,
        _("%(name)s must choose a new password before they can go on working.")
        % {"name": member.display_name},
    )
    return redirect("customers:staff")
