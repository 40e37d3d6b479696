"""Custody rules 档案管理制度: the mass-action guard, special access, revealing an ID."""

import datetime
import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import MANAGER, has_role, require_manager
from customers.audit import audit_record
from customers.masking import mask_id_number
from customers.models import (
    AccessRequest,
    AccessRequestStatus,
    AuditAction,
    AuditEntry,
    CustodyPolicy,
    Customer,
    SecurityAlert,
    SecurityAlertKind,
)
from customers.selectors import customer_can_see_full_id, customer_list_visible
from customers.services.outbox import message_queue
from customers.validators import ID_PATTERN, normalize_id_number

logger = logging.getLogger(__name__)


class MassActionRefused(PermissionDenied):
    """An export or deletion past the policy: refused, nothing done, managers alerted."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def managers_to_notify():
    return get_user_model().objects.filter(is_active=True, groups__name=MANAGER).exclude(email="")


def mail_managers(subject: str, body: str, *, kind: str = "custody.alert") -> None:
    """One e-mail to every active manager, through the outbox: written in the caller's
    transaction, sent after its commit, retried while mail is down."""
    message_queue(
        kind=kind,
        recipients=managers_to_notify().values_list("email", flat=True).distinct(),
        subject=subject,
        body=body,
    )


def _lock_actor(actor) -> None:
    """Serialise one person's guarded actions, so two at once cannot both slip under the
    limit (PostgreSQL row lock; SQLite serialises writers anyway)."""
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()


def _exported_rows_since(*, actor, since: datetime.datetime) -> int:
    """Customer rows `actor` took out in the window, whatever the door (list export,
    report, mailing list, statement, labels, API): every guarded export records them as
    `customer_rows` in its audit entry."""
    total = AuditEntry.objects.filter(
        actor=actor, action=AuditAction.EXPORT, at__gte=since, detail__has_key="customer_rows"
    ).aggregate(rows=Sum(Cast(KT("detail__customer_rows"), IntegerField())))["rows"]
    return total or 0


def _deletions_since(*, actor, since: datetime.datetime) -> int:
    return AuditEntry.objects.filter(
        actor=actor, action=AuditAction.DELETE, object_type="customer", at__gte=since
    ).aggregate(n=Count("id"))["n"]


def _refuse(*, actor, kind: str, attempted: int, already: int, limit: int, now) -> None:
    SecurityAlert.objects.create(
        kind=kind,
        actor=actor,
        attempted=attempted,
        already_in_window=already,
        limit=limit,
        created_at=now,
    )
    label = SecurityAlertKind(kind).label
    mail_managers(
        _("[Travel CRM] %(kind)s: %(name)s") % {"kind": label, "name": actor.display_name},
        _(
            "%(name)s (%(username)s) tried to act on %(attempted)d customers after "
            "%(already)d in the last window; the policy allows %(limit)d. The action was "
            "refused and nothing was changed. Review it under Alerts."
        )
        % {
            "name": actor.display_name,
            "username": actor.username,
            "attempted": attempted,
            "already": already,
            "limit": limit,
        },
    )


def _without_id_numbers(filters):
    """The filters of an export as recorded in the audit log, with any full ID number
    typed into them masked: custodians read the log, and may not see full numbers."""

    def clean(value: str) -> str:
        return mask_id_number(value) if ID_PATTERN.match(normalize_id_number(value)) else value

    if isinstance(filters, dict):
        return {key: clean(str(value)) for key, value in filters.items()}
    if isinstance(filters, str) and filters:
        query = QueryDict(filters, mutable=True)
        for key in query:
            query.setlist(key, [clean(value) for value in query.getlist(key)])
        return query.urlencode(safe="*")
    return filters


def personal_data_export_record(
    *,
    actor,
    customer_rows: int,
    object_type: str,
    detail: dict | None = None,
    obj=None,
    customer: Customer | None = None,
    now: datetime.datetime | None = None,
    row_limit: int | None = None,
    window: datetime.timedelta | None = None,
) -> None:
    """The one guard every export of personal data passes through: record the export with
    the number of customer rows it delivers, or refuse it whole (nothing delivered, an
    alert raised, managers told) when it would take the person past the policy's limit
    in the window. Call it before anything is sent. `row_limit` and `window` replace the
    policy's for an actor with a limit of its own (an API service account's daily limit,
    set by a manager)."""
    now = now or timezone.now()
    policy = CustodyPolicy.current()
    row_limit = policy.export_row_limit if row_limit is None else row_limit
    window = policy.window if window is None else window
    with transaction.atomic():
        _lock_actor(actor)
        already = _exported_rows_since(actor=actor, since=now - window)
        allowed = already + customer_rows <= row_limit
        if allowed:
            audit_record(
                actor=actor,
                action=AuditAction.EXPORT,
                obj=obj,
                customer=customer,
                object_type=object_type,
                detail={
                    **(detail or {}),
                    **(
                        {"filters": _without_id_numbers(detail["filters"])}
                        if detail and "filters" in detail
                        else {}
                    ),
                    "customer_rows": customer_rows,
                },
            )
    if not allowed:
        _refuse(
            actor=actor,
            kind=SecurityAlertKind.MASS_EXPORT,
            attempted=customer_rows,
            already=already,
            limit=row_limit,
            now=now,
        )
        raise MassActionRefused(
            _(
                "Export refused: %(rows)d rows would take you past %(limit)d customer rows "
                "in %(hours)d hours. Your manager has been told; ask them if you need more."
            )
            % {
                "rows": customer_rows,
                "limit": row_limit,
                "hours": int(window.total_seconds() // 3600),
            }
        )


def customer_export_record(
    *, actor, rows: int, filters: str, now: datetime.datetime | None = None
) -> None:
    """The customer list's CSV: `rows` customers, through the one guard."""
    personal_data_export_record(
        actor=actor,
        customer_rows=rows,
        object_type="customer_list",
        detail={"rows": rows, "filters": filters},
        now=now,
    )


def deletions_over_limit(*, actor, count: int, now: datetime.datetime) -> int | None:
    """Call inside the deleting transaction: the deletions already in the window when
    `count` more would pass the limit, else None. Locks the actor's row meanwhile."""
    policy = CustodyPolicy.current()
    _lock_actor(actor)
    already = _deletions_since(actor=actor, since=now - policy.window)
    return already if already + count > policy.deletion_limit else None


def mass_deletion_refused(*, actor, count: int, already: int, now) -> MassActionRefused:
    """Record the alert (outside the refused transaction) and build the refusal."""
    policy = CustodyPolicy.current()
    _refuse(
        actor=actor,
        kind=SecurityAlertKind.MASS_DELETE,
        attempted=count,
        already=already,
        limit=policy.deletion_limit,
        now=now,
    )
    return MassActionRefused(
        _(
            "Deletion refused: %(count)d more would take you past %(limit)d deletions in "
            "%(hours)d hours. Nothing was deleted; your manager has been told."
        )
        % {"count": count, "limit": policy.deletion_limit, "hours": policy.window_hours}
    )


def custody_policy_save(*, actor, policy: CustodyPolicy, changed: list[str]) -> CustodyPolicy:
    """A change of the custody rules themselves (export and deletion limits, the roles
    that must use two-factor sign-in …) is on record and every manager hears of it: one
    careless or departing manager must not lift the guard silently."""
    require_manager(actor)
    before = {}
    if policy.pk:
        old = CustodyPolicy.objects.filter(pk=policy.pk).values(*changed).first() or {}
        before = {field: old.get(field) for field in changed}
    with transaction.atomic():
        policy.save()
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=policy,
            object_type="custody_policy",
            detail={
                "fields": changed,
                "before": {k: str(v) for k, v in before.items()},
                "after": {field: str(getattr(policy, field)) for field in changed},
            },
        )
        if changed:
            mail_managers(
                _("[Travel CRM] Custody policy changed by %(name)s") % {"name": actor.display_name},
                _(
                    "%(name)s changed the custody policy (%(fields)s). Review it in the "
                    "administration under Custody policy; every change is kept in its history."
                )
                % {"name": actor.display_name, "fields": ", ".join(changed)},
                kind="custody.policy_changed",
            )
    return policy


def security_alert_acknowledge(*, actor, alert: SecurityAlert) -> SecurityAlert:
    if not has_role(actor, MANAGER):
        raise PermissionDenied
    if alert.acknowledged_at is None:
        alert.acknowledged_by = actor
        alert.acknowledged_at = timezone.now()
        alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return alert


def customer_id_number_reveal(*, actor, customer: Customer) -> str:
    """The full ID number, for those who need it, with the reveal on record."""
    if not customer_can_see_full_id(user=actor, customer=customer):
        raise PermissionDenied
    audit_record(actor=actor, action=AuditAction.REVEAL_ID, obj=customer)
    return customer.id_number


def access_request_create(
    *, actor, customer: Customer, reason: str, now: datetime.datetime | None = None
) -> AccessRequest:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you need this customer's archive.")})
    if customer_list_visible(user=actor).filter(pk=customer.pk).exists():
        raise ValidationError(_("You can already see this customer."))
    if AccessRequest.objects.filter(
        requester=actor, customer=customer, status=AccessRequestStatus.PENDING
    ).exists():
        raise ValidationError(_("Your earlier request for this customer is still waiting."))
    access = AccessRequest.objects.create(
        requester=actor,
        customer=customer,
        reason=reason.strip(),
        requested_at=now or timezone.now(),
    )
    mail_managers(
        _("[Travel CRM] Special access requested by %(name)s") % {"name": actor.display_name},
        _("%(name)s asks to see a customer outside their scope. Reason: %(reason)s")
        % {"name": actor.display_name, "reason": access.reason},
        kind="custody.access_request",
    )
    return access


def access_request_decide(
    *,
    actor,
    access: AccessRequest,
    approve: bool,
    days: int | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> AccessRequest:
    """A manager approves (read access for `days`, default from policy) or refuses."""
    if not has_role(actor, MANAGER):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        access = AccessRequest.objects.select_for_update().get(pk=access.pk)
        if access.status != AccessRequestStatus.PENDING:
            raise ValidationError(_("This request has already been decided."))
        access.decided_by = actor
        access.decided_at = now
        access.decision_note = note
        if approve:
            days = days or CustodyPolicy.current().special_access_days
            access.status = AccessRequestStatus.APPROVED
            access.expires_at = now + datetime.timedelta(days=days)
        else:
            access.status = AccessRequestStatus.REFUSED
        access.save()
        audit_record(
            actor=actor,
            action=AuditAction.GRANT_ACCESS if approve else AuditAction.REFUSE_ACCESS,
            obj=access,
            customer=access.customer,
            detail={"requester": access.requester.username, "days": days if approve else 0},
        )
    return access
