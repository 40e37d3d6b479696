"""Writing two-factor state: enrolment, the code check at sign-in, recovery codes,
turning it off, and a manager's reset. Every step writes one audit entry.

Codes are checked by django-otp's devices (TOTP with exponential back-off after wrong
codes; recovery codes are django-otp static tokens, deleted when used)."""

import dataclasses
import datetime
import time
import unicodedata
from binascii import unhexlify

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import verify_token
from django_otp.models import VerifyNotAllowed
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from customers.audit import audit_record
from customers.models import AuditAction
from twofactor.policy import two_factor_required

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"
TOTP_TOLERANCE = 1  # the code before and after the current one (phone clocks drift)


def new_secret() -> str:
    """A fresh 20-byte TOTP secret, hex-encoded (django-otp's format)."""
    return random_hex(20)


def normalise_code(raw: str) -> str:
    """Full-width digits from a Chinese input method, spaces and dashes are tolerated."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if ch.isalnum()).lower()


def format_recovery_code(token: str) -> str:
    return f"{token[:4]}-{token[4:]}" if len(token) == 8 else token


def _audit(*, actor, action, user, detail=None) -> None:
    audit_record(actor=actor, action=action, obj=user, object_type="user", detail=detail)


def _new_recovery_codes(user) -> list[str]:
    """Replace the person's recovery codes by RECOVERY_CODE_COUNT new ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    tokens = set()
    while len(tokens) < RECOVERY_CODE_COUNT:
        tokens.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in tokens)
    return sorted(format_recovery_code(t) for t in tokens)


def two_factor_enrol(*, actor, secret: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm a new authenticator with the first code it shows. It replaces any earlier
    authenticator (a new phone) and comes with a fresh set of recovery codes."""
    token = normalise_code(code)
    totp = TOTP(unhexlify(secret.encode()), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time()
    if not (token.isdigit() and len(token) == 6 and totp.verify(int(token), TOTP_TOLERANCE)):
        raise ValidationError(
            _("That code does not match. Check the phone's clock and enter the newest code."),
            code="wrong_code",
        )
    with transaction.atomic():
        replaced = TOTPDevice.objects.filter(user=actor).count()
        TOTPDevice.objects.filter(user=actor).delete()
        device = TOTPDevice.objects.create(
            user=actor,
            name=AUTHENTICATOR_NAME,
            key=secret,
            confirmed=True,
            drift=totp.drift,
            last_t=totp.t(),  # the confirming code cannot be used again to sign in
        )
        codes = _new_recovery_codes(actor)
        _audit(
            actor=actor,
            action=AuditAction.TWO_FACTOR_ENROL,
            user=actor,
            detail={"replaced_authenticator": bool(replaced)},
        )
    return device, codes


@dataclasses.dataclass(frozen=True)
class CheckResult:
    device: TOTPDevice | StaticDevice | None
    method: str  # "authenticator" or "recovery_code"
    locked_until: datetime.datetime | None = None
    codes_left: int | None = None

    @property
    def passed(self) -> bool:
        return self.device is not None


def two_factor_check(*, user, code: str, purpose: str = "sign_in") -> CheckResult:
    """Check a code from the authenticator (6 digits) or a recovery code. Wrong codes
    slow the next attempt down (1, 2, 4, 8 … seconds, per device); a recovery code is
    deleted when it is used. One audit entry either way."""
    token = normalise_code(code)
    if token.isdigit():
        method = "authenticator"
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()
    else:
        method = "recovery_code"
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    result = CheckResult(device=None, method=method)
    if device is not None:
        allowed, why = device.verify_is_allowed()
        if not allowed and why and why.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            result = CheckResult(device=None, method=method, locked_until=why["locked_until"])
        elif verify_token(user, device.persistent_id, token) is not None:
            codes_left = None
            if method == "recovery_code":
                codes_left = StaticToken.objects.filter(device=device).count()
            result = CheckResult(device=device, method=method, codes_left=codes_left)
    detail = {"method": method, "purpose": purpose}
    if result.passed:
        if result.codes_left is not None:
            detail["recovery_codes_left"] = result.codes_left
        _audit(actor=user, action=AuditAction.TWO_FACTOR_PASS, user=user, detail=detail)
    else:
        if result.locked_until is not None:
            detail["throttled"] = True
        _audit(actor=user, action=AuditAction.TWO_FACTOR_FAIL, user=user, detail=detail)
    return result


def recovery_codes_regenerate(*, actor) -> list[str]:
    """New recovery codes for someone who has an authenticator; the old ones stop
    working. The caller has checked a current code."""
    if not TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
        raise PermissionDenied
    with transaction.atomic():
        codes = _new_recovery_codes(actor)
        _audit(actor=actor, action=AuditAction.TWO_FACTOR_CODES, user=actor)
    return codes


def _remove_devices(user) -> int:
    removed = TOTPDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return removed


def two_factor_disable(*, actor) -> None:
    """Turn off one's own two-factor sign-in (the caller has checked a current code);
    refused where the policy requires it."""
    if two_factor_required(actor):
        raise ValidationError(
            _("Your role must use two-factor sign-in, so it cannot be turned off."),
            code="required",
        )
    with transaction.atomic():
        _remove_devices(actor)
        _audit(actor=actor, action=AuditAction.TWO_FACTOR_DISABLE, user=actor)


def two_factor_reset(*, actor, user, reason: str) -> None:
    """A manager removes someone else's authenticator and recovery codes (a lost phone).
    At their next sign-in they set it up again (or, if their role need not, go without)."""
    from accounts.roles import require_manager

    require_manager(actor)
    if user.pk == actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        removed = _remove_devices(user)
        _audit(
            actor=actor,
            action=AuditAction.TWO_FACTOR_RESET,
            user=user,
            detail={"reason": reason, "had_authenticator": bool(removed)},
        )
