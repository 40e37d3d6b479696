"""A booking sent by another system (the booking system, the website, a finance ledger
imported from a spreadsheet), addressed by that system's name and its booking number.

One function for every door that syncs bookings (the API's PUT and batch, the importer):
sending the same booking again changes nothing, sending a changed one updates it (and its
change history says so), and twenty copies arriving at once give one booking, because the
unique (source, number) constraint decides and the losers update the winner's row.
Points, grades and follow-ups follow from `booking_save` as for a typed booking.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from customers.models import Booking, Customer
from customers.selectors import booking_can_edit
from customers.services.archive import booking_save
from customers.validators import (
    normalize_booking_number,
    normalize_booking_source,
    validate_booking_source,
)

# What a source system may set on a booking; the customer, source and number address it.
SYNCED_FIELDS = (
    "product",
    "destination",
    "trip_type",
    "start_date",
    "end_date",
    "head_count",
    "amount",
    "cost",
    "payment_due_date",
    "paid_date",
    "refunded_amount",
    "status",
)
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
NUMBER_MAX_LENGTH = Booking._meta.get_field("source_number").max_length
# Sends that lose the race for the same new number retry against the winner's row.
_ATTEMPTS = 3


@dataclass(frozen=True)
class SyncedBooking:
    booking: Booking
    outcome: str  # CREATED, UPDATED or UNCHANGED


def _field_value(booking: Booking, name: str) -> Any:
    field = Booking._meta.get_field(name)
    return getattr(booking, field.attname)


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(current, Decimal) or isinstance(wanted, Decimal):
        try:
            return Decimal(str(current)) == Decimal(str(wanted))
        except ArithmeticError:
            return False
    if isinstance(current, datetime.date) and isinstance(wanted, str):
        return current.isoformat() == wanted
    return current == wanted


def _apply(booking: Booking, values: dict[str, Any]) -> list[str]:
    """Set `values` on `booking`; return the names of the fields that changed."""
    changed = []
    for name, wanted in values.items():
        if name not in SYNCED_FIELDS:
            raise ValueError(f"{name} is not a synced booking field")
        field = Booking._meta.get_field(name)
        if field.is_relation:
            wanted_id = getattr(wanted, "pk", wanted)
            if getattr(booking, field.attname) != wanted_id:
                setattr(booking, field.attname, wanted_id)
                changed.append(name)
        elif not _same(_field_value(booking, name), wanted):
            setattr(booking, name, wanted)
            changed.append(name)
    return changed


def booking_sync_from_source(
    *, actor, customer: Customer, source: str, number: str, values: dict[str, Any]
) -> SyncedBooking:
    """Create or update the booking `number` of `source` for `customer`.

    Raises PermissionDenied when `actor` may not record bookings for `customer`, and
    ValidationError (field errors, in the active language) when the values are not a
    valid booking or the number belongs to another customer's booking."""
    source = normalize_booking_source(source)
    number = normalize_booking_number(number)
    errors: dict[str, list[str]] = {}
    try:
        validate_booking_source(source)
    except ValidationError as error:
        errors["source"] = error.messages
    if not source:
        errors.setdefault("source", []).append(_("Name the system the booking came from."))
    if not number:
        errors["source_number"] = [_("The booking number at the source is required.")]
    elif len(number) > NUMBER_MAX_LENGTH:
        # Checked here: the save leaves source_number to the database's unique constraint,
        # where an overlong number would fail as a database error, not a field error.
        errors["source_number"] = [
            _("A booking number has at most %(max)d characters.") % {"max": NUMBER_MAX_LENGTH}
        ]
    if errors:
        raise ValidationError(errors)
    if not booking_can_edit(user=actor, customer=customer):
        raise PermissionDenied(_("You may not record bookings for this customer."))

    for attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                booking = (
                    Booking.objects.select_for_update()
                    .filter(source=source, source_number=number)
                    .first()
                )
                if booking is None:
                    booking = Booking(customer=customer, source=source, source_number=number)
                    _apply(booking, values)
                    # The unique (source, number) constraint is left to the database: a
                    # concurrent send of the same number fails the INSERT and retries.
                    booking_save(actor=actor, booking=booking, exclude=("source_number",))
                    return SyncedBooking(booking, CREATED)
                if booking.customer_id != customer.pk:
                    raise ValidationError(
                        {
                            "source_number": [
                                _(
                                    "Booking %(number)s from %(source)s is on file for "
                                    "another customer; it cannot be moved by a sync."
                                )
                                % {"number": number, "source": source}
                            ]
                        }
                    )
                if not _apply(booking, values):
                    return SyncedBooking(booking, UNCHANGED)
                booking_save(actor=actor, booking=booking, exclude=("source_number",))
                return SyncedBooking(booking, UPDATED)
        except IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
