"""Recording and withdrawing consent. Both take effect the moment they are saved: the
planning, mailing lists and event invitations ask `privacy.selectors` each time."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.audit import audit_record
from customers.models import AuditAction, Customer, CustomerKind
from customers.selectors import customer_can_edit
from privacy.models import Consent, ConsentText, Purpose

# Sent inside the withdrawal's transaction: `customer_id`, `purposes` (the withdrawn
# ones), `now`.
# Followups cancels what it had planned under them (the planning asks at every run).
consent_withdrawn = Signal()


def _check(*, actor, customer: Customer) -> None:
    if not customer_can_edit(user=actor, customer=customer):
        raise PermissionDenied
    if customer.kind != CustomerKind.INDIVIDUAL:
        raise ValidationError(_("Consent is recorded for individual customers (people)."))


def consent_give(
    *,
    actor,
    customer: Customer,
    purposes: Iterable[str],
    method: str,
    text: ConsentText,
    given_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> list[Consent]:
    """Records the purposes not already in force; returns the new rows."""
    _check(actor=actor, customer=customer)
    now = now or timezone.now()
    given_at = given_at or now
    if given_at > now:
        raise ValidationError({"given_at": [_("Consent cannot be given in the future.")]})
    if given_at.date() < text.published_on:
        raise ValidationError(
            {"text": [_("This text version was published after the consent was given.")]}
        )
    wanted = [Purpose(purpose) for purpose in dict.fromkeys(purposes)]
    with transaction.atomic():
        Customer.all_objects.select_for_update().filter(pk=customer.pk).first()
        held = set(
            Consent.objects.filter(
                customer=customer, purpose__in=wanted, withdrawn_at__isnull=True
            ).values_list("purpose", flat=True)
        )
        rows = [
            Consent(
                customer=customer,
                purpose=purpose,
                given_at=given_at,
                method=method,
                text=text,
                recorded_by=actor,
            )
            for purpose in wanted
            if purpose not in held
        ]
        Consent.objects.bulk_create(rows)
        if rows:
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=customer,
                object_type="consent",
                detail={
                    "consent_given": [row.purpose for row in rows],
                    "method": method,
                    "text": text.version,
                    "given_at": given_at.isoformat(),
                },
            )
    return rows


def consent_withdraw(
    *,
    actor,
    customer: Customer,
    purposes: Iterable[str],
    method: str,
    now: datetime.datetime | None = None,
) -> int:
    """Withdraws the given purposes at `now`; returns how many were in force."""
    _check(actor=actor, customer=customer)
    now = now or timezone.now()
    wanted = [Purpose(purpose) for purpose in dict.fromkeys(purposes)]
    with transaction.atomic():
        in_force = Consent.objects.select_for_update().filter(
            customer=customer, purpose__in=wanted, withdrawn_at__isnull=True
        )
        withdrawn = sorted(in_force.values_list("purpose", flat=True))
        in_force.update(withdrawn_at=now, withdrawal_method=method, withdrawn_by=actor)
        if withdrawn:
            audit_record(
                actor=actor,
                action=AuditAction.CHANGE,
                obj=customer,
                object_type="consent",
                detail={"consent_withdrawn": withdrawn, "method": method},
            )
            # In the same transaction: what was planned under it goes with the consent.
            consent_withdrawn.send(
                sender=Consent, customer_id=customer.pk, purposes=withdrawn, now=now
            )
    return len(withdrawn)
