"""Managers' sign-in actions on other people's accounts, each audited: unlocking a locked
sign-in and requiring a password change."""

from django.db import transaction

from accounts.lockouts import ADDRESS, USERNAME, lockout_clear
from accounts.roles import require_manager
from customers.audit import audit_record
from customers.models import AuditAction


@transaction.atomic
def login_unlock(*, actor, kind: str, value: str) -> int:
    """Lift the lockout of a username or an address at once; the number of failed-sign-in
    records forgotten (0 when it had already run out, and nothing is audited)."""
    require_manager(actor)
    removed = lockout_clear(kind=kind, value=value)
    if removed:
        audit_record(
            actor=actor,
            action=AuditAction.LOGIN_UNLOCK,
            object_type="sign_in",
            detail={
                "username": value if kind == USERNAME else None,
                "ip_address": value if kind == ADDRESS else None,
                "records": removed,
            },
        )
    return removed


@transaction.atomic
def password_change_require(*, actor, user) -> None:
    """The person must choose a new password before anything else, from their next
    request on (accounts.middleware.PasswordChangeRequiredMiddleware)."""
    require_manager(actor)
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    audit_record(
        actor=actor,
        action=AuditAction.PASSWORD_REQUIRE,
        obj=user,
        detail={"username": user.get_username()},
    )
