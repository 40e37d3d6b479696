"""Audit rows for signing in and out, whichever door (the product login, the admin login,
the two-factor step): Django's auth signals and accounts' password_changed, received here
because the audit log lives in customers and accounts imports nothing above it.
Connected in CustomersConfig.ready()."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from accounts.signals import password_changed
from customers.audit import audit_record
from customers.models import AuditAction

USERNAME_MAX = 150


def _door(request) -> dict:
    return {"path": request.path_info[:200]} if request is not None else {}


def audit_signed_in(sender, request, user, **kwargs):
    audit_record(
        actor=user,
        action=AuditAction.LOGIN,
        obj=user,
        detail={"username": user.get_username(), **_door(request)},
    )


def audit_sign_in_failed(sender, credentials, request=None, **kwargs):
    """The username tried (not the password: Django masks it before sending), whether the
    person exists, and whether axes refused it as locked out. No actor: nobody proved who
    they are."""
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or "")[:USERNAME_MAX]
    account = get_user_model().objects.filter(username=username).first() if username else None
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        obj=account,
        object_type="user",
        detail={
            "username": username,
            "known_user": account is not None,
            "locked_out": bool(getattr(request, "axes_locked_out", False)),
            **_door(request),
        },
    )


def audit_signed_out(sender, request, user, **kwargs):
    if user is None:  # the session had already ended
        return
    audit_record(
        actor=user,
        action=AuditAction.LOGOUT,
        obj=user,
        detail={"username": user.get_username(), **_door(request)},
    )


def audit_password_changed(sender, user, request=None, forced=False, first=False, **kwargs):
    detail = {"username": user.get_username(), "required_by_manager": bool(forced)}
    if first:
        detail["first_password"] = True  # chosen through a new account's one-time link
    audit_record(actor=user, action=AuditAction.PASSWORD_CHANGE, obj=user, detail=detail)


RECEIVERS = [
    (user_logged_in, audit_signed_in),
    (user_login_failed, audit_sign_in_failed),
    (user_logged_out, audit_signed_out),
    (password_changed, audit_password_changed),
]


def connect() -> None:
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, dispatch_uid=f"customers.sign_in.{receiver.__name__}")
