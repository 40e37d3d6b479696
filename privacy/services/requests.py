"""Registering and closing a person's request (PIPL Art. 44-47). Each is one audit entry
on the customer; the deadline comes from the personal-information policy in force."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.audit import audit_record
from customers.models import AuditAction, Customer
from privacy.models import (
    PrivacyPolicy,
    RequestChannel,
    RequestKind,
    RequestStatus,
    RightsRequest,
)
from privacy.selectors_requests import rights_requests_allowed
from privacy.workdays import add_working_days

RECEIVED_IN_FUTURE = _("A request cannot be received in the future.")
OUTCOME_REQUIRED = _("Say what was done, or why the request was refused.")
ALREADY_CLOSED = _("This request is already closed.")
CLOSE_STATUS = _("Close a request as done or refused.")


def _require(actor) -> None:
    if not rights_requests_allowed(actor):
        raise PermissionDenied


def rights_request_due_on(*, received_on: datetime.date, policy: PrivacyPolicy | None = None):
    policy = policy or PrivacyPolicy.current()
    return add_working_days(received_on, policy.request_working_days)


def rights_request_register(
    *,
    actor,
    customer: Customer,
    kind: str,
    received_on: datetime.date,
    channel: str,
    requester: str = "",
    details: str = "",
    today: datetime.date | None = None,
) -> RightsRequest:
    _require(actor)
    today = today or timezone.localdate()
    errors = {}
    if kind not in RequestKind.values:
        errors["kind"] = [_("Choose what the person asks for.")]
    if channel not in RequestChannel.values:
        errors["channel"] = [_("Choose how the request was received.")]
    if received_on > today:
        errors["received_on"] = [RECEIVED_IN_FUTURE]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = RightsRequest.objects.create(
            customer=customer,
            kind=kind,
            received_on=received_on,
            channel=channel,
            requester=requester.strip(),
            details=details.strip(),
            due_on=rights_request_due_on(received_on=received_on),
            registered_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=request,
            customer=customer,
            detail={
                "kind": kind,
                "received_on": received_on.isoformat(),
                "due_on": request.due_on.isoformat(),
                "channel": channel,
            },
        )
    return request


def rights_request_close(
    *,
    actor,
    rights_request: RightsRequest,
    status: str,
    outcome: str,
    now: datetime.datetime | None = None,
) -> RightsRequest:
    """Done or refused, with what was done (corrected, withdrawn, sent) or why not."""
    _require(actor)
    outcome = (outcome or "").strip()
    if status not in (RequestStatus.DONE, RequestStatus.REFUSED):
        raise ValidationError({"status": [CLOSE_STATUS]})
    if not outcome:
        raise ValidationError({"outcome": [OUTCOME_REQUIRED]})
    now = now or timezone.now()
    with transaction.atomic():
        locked = RightsRequest.objects.select_for_update().get(pk=rights_request.pk)
        if locked.status != RequestStatus.OPEN:
            raise ValidationError(ALREADY_CLOSED)
        locked.status = status
        locked.outcome = outcome
        locked.closed_by = actor
        locked.closed_at = now
        locked.save(update_fields=["status", "outcome", "closed_by", "closed_at"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            customer=locked.customer,
            detail={"kind": locked.kind, "closed": status, "outcome": outcome[:500]},
        )
    return locked
