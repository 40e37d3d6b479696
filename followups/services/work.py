"""Doing the follow-ups: complete (writing the contact record), reschedule, skip, and
agree an appointment for an on-site visit."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.audit import audit_record
from customers.models import AuditAction, ContactChannel, ContactRecord
from customers.services import contact_record_create
from followups.models import CONFIRMED_APPOINTMENT, Followup, FollowupStatus, StandingVisit
from followups.selectors import followup_can_work

VISIT_NEEDS_APPOINTMENT = gettext_lazy(
    "An on-site visit needs an appointment confirmed by phone first, or a standing "
    "weekly visit on that day. Record the appointment on the customer's visit "
    "follow-up (My day), or log the contact as a phone call."
)


def visit_has_appointment(*, record: ContactRecord) -> None:
    """The contact rule (registered with customers.contact_rules, so every door that logs
    a contact runs it): an on-site visit is logged only with a visit agreed first — an
    open follow-up of the customer with an appointment confirmed by phone or a standing
    weekly visit follow-up, or an active standing weekly visit on the contact's weekday.
    A record already linked to such a follow-up (a visit done and logged) stays valid
    when it is corrected later."""
    if record.channel != ContactChannel.VISIT:
        return
    agreed = Followup.objects.filter(CONFIRMED_APPOINTMENT, customer_id=record.customer_id)
    linked = Q(contact_record_id=record.pk) if record.pk else Q(pk__in=[])
    if agreed.filter(Q(status=FollowupStatus.OPEN) | linked).exists():
        return
    weekday = timezone.localdate(record.contacted_at).weekday()
    if StandingVisit.objects.filter(
        customer_id=record.customer_id, active=True, weekday=weekday
    ).exists():
        return
    raise ValidationError(VISIT_NEEDS_APPOINTMENT, code="visit_without_appointment")


def visit_appointments_complete(*, record_ids) -> int:
    """A visit logged straight on the customer page (not from its follow-up) used the
    appointment that allowed it: the open visit follow-up it matches is done with that
    contact record, so it leaves My day and the appointment is not used twice. The one
    due on the visit's day first, else the earliest. Records already linked to a
    follow-up (completed from My day) are left alone."""
    done = 0
    visits = ContactRecord.objects.filter(pk__in=record_ids, channel=ContactChannel.VISIT)
    linked = Followup.objects.filter(contact_record__isnull=False).values("contact_record_id")
    for record in visits.exclude(pk__in=linked):
        agreed = Followup.objects.select_for_update().filter(
            CONFIRMED_APPOINTMENT, customer_id=record.customer_id, status=FollowupStatus.OPEN
        )
        day = timezone.localdate(record.contacted_at)
        match = (
            agreed.filter(due_on=day).order_by("id").first()
            or agreed.order_by("due_on", "id").first()
        )
        if match is None:
            continue
        match.status = FollowupStatus.DONE
        match.completed_at = record.contacted_at
        match.completed_by_id = record.by_id
        match.contact_record = record
        match.save(update_fields=["status", "completed_at", "completed_by", "contact_record"])
        done += 1
    return done


def _locked_open(*, actor, followup: Followup) -> Followup:
    if not followup_can_work(user=actor, followup=followup):
        raise PermissionDenied
    locked = Followup.objects.select_for_update().select_related("customer").get(pk=followup.pk)
    if locked.status != FollowupStatus.OPEN:
        raise ValidationError(_("This follow-up is no longer open."))
    return locked


def followup_complete(
    *,
    actor,
    followup: Followup,
    outcome: str,
    channel: str = "",
    notes: str = "",
    next_step: str = "",
    next_contact_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> ContactRecord:
    """Done: the contact goes on the customer's timeline. An on-site visit counts as
    visited only with an appointment confirmed by phone first (上门拜访须预约), unless it
    is a standing weekly visit."""
    now = now or timezone.now()
    with transaction.atomic():
        followup = _locked_open(actor=actor, followup=followup)
        channel = channel or followup.channel
        if channel == ContactChannel.VISIT and not followup.has_confirmed_appointment:
            raise ValidationError(
                _(
                    "An on-site visit needs an appointment confirmed by phone first. "
                    "Record the appointment, or log the contact as a phone call."
                )
            )
        record = contact_record_create(
            actor=actor,
            customer=followup.customer,
            channel=channel,
            outcome=outcome,
            contacted_at=now,
            notes=notes,
            next_step=next_step,
            next_contact_on=next_contact_on,
        )
        followup.status = FollowupStatus.DONE
        followup.completed_at = now
        followup.completed_by = actor
        followup.contact_record = record
        followup.save(update_fields=["status", "completed_at", "completed_by", "contact_record"])
    return record


def followup_reschedule(
    *,
    actor,
    followup: Followup,
    due_on: datetime.date,
    reason: str,
    today: datetime.date | None = None,
) -> Followup:
    today = today or timezone.localdate()
    if not reason.strip():
        raise ValidationError({"reason": _("Say why it moves.")})
    if due_on < today:
        raise ValidationError({"due_on": _("Choose today or a later day.")})
    with transaction.atomic():
        followup = _locked_open(actor=actor, followup=followup)
        before = followup.due_on
        followup.due_on = due_on
        followup.note = reason.strip()[:300]
        followup.save(update_fields=["due_on", "note"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=followup,
            customer=followup.customer,
            detail={"due_on": [before.isoformat(), due_on.isoformat()], "reason": followup.note},
        )
    return followup


def followup_skip(*, actor, followup: Followup, reason: str) -> Followup:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why it is skipped.")})
    with transaction.atomic():
        followup = _locked_open(actor=actor, followup=followup)
        followup.status = FollowupStatus.SKIPPED
        followup.note = reason.strip()[:300]
        followup.completed_by = actor
        followup.completed_at = timezone.now()
        followup.save(update_fields=["status", "note", "completed_by", "completed_at"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=followup,
            customer=followup.customer,
            detail={"status": "skipped", "reason": followup.note},
        )
    return followup


def followup_confirm_appointment(
    *,
    actor,
    followup: Followup,
    appointment_at: datetime.datetime,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Followup:
    """The customer agreed the visit on the phone: date, time and who confirmed."""
    now = now or timezone.now()
    if timezone.is_naive(appointment_at):
        raise ValueError("appointment_at must be aware")
    with transaction.atomic():
        followup = _locked_open(actor=actor, followup=followup)
        followup.appointment_at = appointment_at
        followup.appointment_confirmed_at = now
        followup.appointment_note = note.strip()[:200]
        followup.due_on = timezone.localdate(appointment_at)
        followup.save(
            update_fields=[
                "appointment_at",
                "appointment_confirmed_at",
                "appointment_note",
                "due_on",
            ]
        )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=followup,
            customer=followup.customer,
            detail={"appointment_at": appointment_at.isoformat()},
        )
    return followup
