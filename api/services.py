"""Writes: tokens and service accounts. Every change is audited (customers.audit) and
checked here, whatever door calls it (the pages, the admin, a shell)."""

import datetime
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team
from accounts.roles import is_manager, require_manager
from api.models import ApiToken, ServiceAccount
from api.models.tokens import TOKEN_PREFIX, token_hash
from api.scopes import ALL_SCOPES, scopes_allowed_for
from customers.audit import audit_record
from customers.models import AuditAction

PERSONAL_MAX_DAYS = 365
SERVICE_MAX_DAYS = 730
# How often last use is written (once a minute at most: a busy integration must not turn
# every read into a write).
LAST_USED_EVERY = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plaintext: str  # shown once, never stored


def _new_secret() -> tuple[str, str]:
    prefix = TOKEN_PREFIX + secrets.token_hex(4)
    return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"


def _clean_scopes(scopes, *, allowed) -> list[str]:
    scopes = sorted(set(scopes))
    unknown = [scope for scope in scopes if scope not in ALL_SCOPES]
    if unknown:
        raise ValidationError({"scopes": _("Unknown scope: %(s)s") % {"s": ", ".join(unknown)}})
    beyond = [scope for scope in scopes if scope not in allowed]
    if beyond:
        raise ValidationError(
            {"scopes": _("Not allowed for this account: %(s)s") % {"s": ", ".join(beyond)}}
        )
    if not scopes:
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    return scopes


def token_create(
    *,
    actor,
    user,
    name: str,
    scopes,
    days: int,
    now: datetime.datetime | None = None,
) -> IssuedToken:
    """A personal token (staff make their own, within what their role allows) or a
    service account's token (managers only, within the account's scopes)."""
    now = now or timezone.now()
    if user.is_service_account:
        require_manager(actor)
        allowed, max_days = set(user.service_account.scopes), SERVICE_MAX_DAYS
    else:
        if actor.pk != user.pk:
            raise PermissionDenied
        allowed, max_days = scopes_allowed_for(user), PERSONAL_MAX_DAYS
    if not name.strip():
        raise ValidationError({"name": _("Give the token a name you will recognise.")})
    if not 1 <= days <= max_days:
        raise ValidationError({"days": _("A token lasts 1 to %(max)d days.") % {"max": max_days}})
    prefix, plaintext = _new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip(),
            prefix=prefix,
            key_hash=token_hash(plaintext),
            scopes=_clean_scopes(scopes, allowed=allowed),
            created_at=now,
            created_by=actor,
            expires_at=now + datetime.timedelta(days=days),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=token,
            object_type="api_token",
            detail={
                "for": user.username,
                "scopes": token.scopes,
                "expires_at": token.expires_at.isoformat(),
            },
        )
    return IssuedToken(token=token, plaintext=plaintext)


def token_revoke(*, actor, token: ApiToken, now: datetime.datetime | None = None) -> ApiToken:
    """The token's owner, or a manager, ends it at once."""
    if not (token.user_id == actor.pk or is_manager(actor)):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor
        )
        if updated:
            audit_record(
                actor=actor,
                action=AuditAction.CHANGE,
                obj=token,
                object_type="api_token",
                detail={"revoked": True, "for": token.user.username},
            )
    token.refresh_from_db()
    return token


def token_mark_used(*, token: ApiToken, ip: str | None, now: datetime.datetime) -> None:
    """Last use, at most once a minute per token: a conditional UPDATE, so concurrent
    requests write it once and most requests write nothing."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=now - LAST_USED_EVERY).update(
        last_used_at=now, last_used_ip=ip
    )
    token.last_used_at, token.last_used_ip = now, ip


def _service_username() -> str:
    return f"svc-{secrets.token_hex(5)}"


def service_account_create(
    *,
    actor,
    name: str,
    scopes,
    team: Team | None,
    daily_row_limit: int,
    description: str = "",
) -> ServiceAccount:
    """An integration's identity: a user row flagged as a service account, with no
    usable password and no role (accounts.backends refuses it at every browser door)."""
    require_manager(actor)
    if not name.strip():
        raise ValidationError({"name": _("Name the integration.")})
    if daily_row_limit < 1:
        raise ValidationError({"daily_row_limit": _("The limit must be at least 1.")})
    scopes = _clean_scopes(scopes, allowed=ALL_SCOPES)
    with transaction.atomic():
        user = get_user_model()(
            username=_service_username(),
            full_name=name.strip(),
            team=team,
            is_service_account=True,
            is_staff=False,
            is_superuser=False,
        )
        user.set_unusable_password()
        user.save()
        account = ServiceAccount.objects.create(
            user=user,
            description=description.strip(),
            scopes=scopes,
            daily_row_limit=daily_row_limit,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=account,
            object_type="service_account",
            detail=_account_facts(account),
        )
    return account


def _account_facts(account: ServiceAccount) -> dict:
    return {
        "username": account.user.username,
        "scopes": list(account.scopes),
        "owner_scope": account.user.team.name if account.user.team_id else "all",
        "daily_row_limit": account.daily_row_limit,
    }


def service_account_update(
    *,
    actor,
    account: ServiceAccount,
    scopes,
    team: Team | None,
    daily_row_limit: int,
    description: str = "",
) -> ServiceAccount:
    """New scopes apply to the account's tokens at once (a token's scopes are cut to
    the account's on every request)."""
    require_manager(actor)
    if daily_row_limit < 1:
        raise ValidationError({"daily_row_limit": _("The limit must be at least 1.")})
    before = _account_facts(account)
    with transaction.atomic():
        account.scopes = _clean_scopes(scopes, allowed=ALL_SCOPES)
        account.daily_row_limit = daily_row_limit
        account.description = description.strip()
        account.save(update_fields=["scopes", "daily_row_limit", "description"])
        account.user.team = team
        account.user.save(update_fields=["team"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=account,
            object_type="service_account",
            detail={"before": before, "after": _account_facts(account)},
        )
    return account
