"""Departure handover 离职交接: a leaving employee's access ends at once and every one of
their customers is handed to someone else, in one transaction, on record."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from accounts.models import Team
from accounts.roles import MANAGER, has_role
from customers.audit import audit_record_many
from customers.models import (
    AccessRequest,
    AccessRequestStatus,
    AuditAction,
    Customer,
    HandoverItem,
    StaffDeparture,
)
from customers.selectors import handover_candidates
from customers.signals import announce_customers_reassigned


def handover_targets(*, employee, to_owner=None, to_team: Team | None = None) -> list:
    """Who receives the customers: one rep, or every active rep of a team (round robin)."""
    if (to_owner is None) == (to_team is None):
        raise ValidationError(_("Choose one rep or one team to hand the customers to."))
    reps = handover_candidates(employee=employee)
    if to_owner is not None:
        if not reps.filter(pk=to_owner.pk).exists():
            raise ValidationError(_("Customers can only go to an active sales rep."))
        return [to_owner]
    targets = list(reps.filter(team=to_team))
    if not targets:
        raise ValidationError(_("The team has no other active sales rep."))
    return targets


def _end_sessions(*, employee, now: datetime.datetime) -> int:
    ended = 0
    for session in Session.objects.filter(expire_date__gt=now).iterator():
        if session.get_decoded().get("_auth_user_id") == str(employee.pk):
            session.delete()
            ended += 1
    return ended


def employee_depart(
    *,
    actor,
    employee,
    left_on: datetime.date,
    reason: str = "",
    to_owner=None,
    to_team: Team | None = None,
    now: datetime.datetime | None = None,
) -> StaffDeparture:
    """Deactivate the account, end its sessions and special access, and hand every customer
    (the recycle bin's too) to the chosen rep or spread across the chosen team."""
    if not has_role(actor, MANAGER):
        raise PermissionDenied
    if employee.pk == actor.pk:
        raise ValidationError(_("You cannot record your own departure."))
    now = now or timezone.now()
    targets = handover_targets(employee=employee, to_owner=to_owner, to_team=to_team)
    with transaction.atomic():
        employee = get_user_model().objects.select_for_update().get(pk=employee.pk)
        if StaffDeparture.objects.filter(employee=employee).exists():
            raise ValidationError(_("This employee's departure is already recorded."))
        employee.is_active = False
        employee.save(update_fields=["is_active"])
        departure = StaffDeparture.objects.create(
            employee=employee, left_on=left_on, reason=reason, recorded_by=actor, recorded_at=now
        )
        customers = list(
            Customer.all_objects.select_for_update().filter(owner=employee).order_by("pk")
        )
        for index, customer in enumerate(customers):
            customer.owner = targets[index % len(targets)]
        bulk_update_with_history(
            customers,
            Customer,
            ["owner"],
            batch_size=1000,
            manager=Customer.all_objects,
            default_user=actor,
            default_change_reason="handover",
        )
        HandoverItem.objects.bulk_create(
            [HandoverItem(departure=departure, customer=c, to_owner=c.owner) for c in customers],
            batch_size=1000,
        )
        audit_record_many(
            actor=actor,
            action=AuditAction.HANDOVER,
            items=[
                (c, {"from": employee.username, "to": c.owner.username, "departure": departure.pk})
                for c in customers
            ],
        )
        AccessRequest.objects.filter(
            requester=employee, status=AccessRequestStatus.APPROVED, expires_at__gt=now
        ).update(expires_at=now)
        departure.sessions_ended = _end_sessions(employee=employee, now=now)
        departure.save(update_fields=["sessions_ended"])
        announce_customers_reassigned(customer_ids=[c.pk for c in customers], actor=actor)
    return departure
