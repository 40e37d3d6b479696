"""Feedback and complaints 意见反馈: reception → response within the policy time →
handling and correction → closed and archived. The records are the customer archive's
service records; this app sets their deadlines and moves them along."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.audit import audit_record
from customers.models import (
    AuditAction,
    ContactChannel,
    ContactOutcome,
    ServiceRecord,
    ServiceStatus,
)
from customers.services import contact_record_create, service_record_create
from followups.models import Followup, FollowupKind, FollowupPolicy, FollowupStatus
from followups.selectors_feedback import feedback_can_handle, feedback_can_manage
from followups.services.planning import FEEDBACK_KINDS


def _feedback_followup(*, record: ServiceRecord) -> Followup | None:
    """The 'respond to this' follow-up, for whoever the feedback is assigned to."""
    if record.respond_by is None or record.responded_at is not None:
        return None
    followup, _created = Followup.objects.update_or_create(
        customer=record.customer,
        kind=FollowupKind.FEEDBACK,
        occasion_key=f"feedback:{record.pk}",
        defaults={
            "owner": record.assigned_to or record.customer.owner,
            "facts": {"summary": record.summary},
            "channel": ContactChannel.PHONE,
            "planned_on": timezone.localdate(record.respond_by),
            "due_on": timezone.localdate(record.respond_by),
            "service_record": record,
        },
    )
    return followup


def feedback_receive(
    *, actor, record: ServiceRecord, assigned_to=None, now: datetime.datetime | None = None
) -> ServiceRecord:
    """Record feedback from any channel with its response deadline (policy, default 48 h
    after it came in) and put it on the assignee's day (the owner's if nobody)."""
    now = now or timezone.now()
    occurred = record.occurred_at or now
    record.occurred_at = occurred
    record.assigned_to = assigned_to
    if record.kind in FEEDBACK_KINDS and record.respond_by is None:
        policy = FollowupPolicy.in_force(today=timezone.localdate(now))
        record.respond_by = occurred + datetime.timedelta(hours=policy.feedback_response_hours)
    with transaction.atomic():
        record = service_record_create(actor=actor, record=record, now=now)
        _feedback_followup(record=record)
    return record


def _locked(*, actor, record: ServiceRecord, manage: bool = False) -> ServiceRecord:
    allowed = feedback_can_manage if manage else feedback_can_handle
    if not allowed(user=actor, record=record):
        raise PermissionDenied
    return ServiceRecord.objects.select_for_update().select_related("customer").get(pk=record.pk)


def _audit(actor, record, **detail):
    audit_record(actor=actor, action=AuditAction.CHANGE, obj=record, detail=detail)


def feedback_assign(*, actor, record: ServiceRecord, assignee) -> ServiceRecord:
    with transaction.atomic():
        record = _locked(actor=actor, record=record, manage=True)
        record.assigned_to = assignee
        record.save(update_fields=["assigned_to"])
        Followup.objects.filter(
            service_record=record, kind=FollowupKind.FEEDBACK, status=FollowupStatus.OPEN
        ).update(owner=assignee)
        _audit(actor, record, assigned_to=assignee.username)
    return record


def feedback_respond(
    *, actor, record: ServiceRecord, response: str, now: datetime.datetime | None = None
) -> ServiceRecord:
    """The response to the customer, dated; it goes on the timeline as a contact too."""
    now = now or timezone.now()
    if not response.strip():
        raise ValidationError({"response": _("Write what was said to the customer.")})
    with transaction.atomic():
        record = _locked(actor=actor, record=record)
        if record.status == ServiceStatus.RESOLVED:
            raise ValidationError(_("This feedback is already closed."))
        record.response = response.strip()
        record.responded_at = now
        if record.status == ServiceStatus.OPEN:
            record.status = ServiceStatus.RESPONDED
        record.full_clean()
        record.save(update_fields=["response", "responded_at", "status"])
        contact = contact_record_create(
            actor=actor,
            customer=record.customer,
            channel=ContactChannel.PHONE,
            outcome=ContactOutcome.REACHED,
            contacted_at=now,
            notes=_("Response to feedback “%(summary)s”: %(response)s")
            % {"summary": record.summary, "response": record.response},
        )
        Followup.objects.filter(
            service_record=record, kind=FollowupKind.FEEDBACK, status=FollowupStatus.OPEN
        ).update(
            status=FollowupStatus.DONE, completed_at=now, completed_by=actor, contact_record=contact
        )
        _audit(actor, record, status=record.status, responded_at=now.isoformat())
    return record


def feedback_handle(
    *, actor, record: ServiceRecord, resolution: str, correction: str = ""
) -> ServiceRecord:
    """How it was handled, and the correction (整改) that keeps it from happening again."""
    if not resolution.strip():
        raise ValidationError({"resolution": _("Describe how it was handled.")})
    with transaction.atomic():
        record = _locked(actor=actor, record=record)
        if record.responded_at is None:
            raise ValidationError(_("Respond to the customer first."))
        if record.status == ServiceStatus.RESOLVED:
            raise ValidationError(_("This feedback is already closed."))
        record.resolution = resolution.strip()
        record.correction = correction.strip()
        record.status = ServiceStatus.HANDLING
        record.save(update_fields=["resolution", "correction", "status"])
        _audit(actor, record, status=record.status)
    return record


def feedback_close(
    *, actor, record: ServiceRecord, now: datetime.datetime | None = None
) -> ServiceRecord:
    """Closed and archived: only once answered and the handling is on record."""
    now = now or timezone.now()
    with transaction.atomic():
        record = _locked(actor=actor, record=record)
        if record.responded_at is None or not record.resolution:
            raise ValidationError(_("Record the response and the handling before closing."))
        record.status = ServiceStatus.RESOLVED
        record.closed_at = now
        record.save(update_fields=["status", "closed_at"])
        _audit(actor, record, status=record.status)
    return record
