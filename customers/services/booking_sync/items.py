"""What a chunk of synced bookings is made of: the fields a source system may set, the
items sent and the per-item results."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from customers.models import Booking, Customer

# What a source system may set on a booking (the customer, source and number address it)
# and what a person types on the booking form: one list, in the form's order.
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
    "status",
    "refunded_amount",
)
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
REFUSED, FORBIDDEN = "refused", "forbidden"
NUMBER_MAX_LENGTH = Booking._meta.get_field("source_number").max_length
# Checked by hand against the chunk's lookups (Django's ForeignKey.validate asks the
# database for every row).
_RELATIONS = ("customer", "destination", "created_by")


@dataclass(frozen=True)
class SyncedBooking:
    booking: Booking
    outcome: str  # CREATED, UPDATED or UNCHANGED


@dataclass
class BookingSyncItem:
    """One booking of a chunk: its customer (found by the caller), its address, and the
    values to set (`destination` as a Destination or its id)."""

    customer: Customer
    source: str
    number: str
    values: dict[str, Any]


@dataclass
class BookingSyncResult:
    outcome: str  # CREATED, UPDATED, UNCHANGED, REFUSED or FORBIDDEN
    booking: Booking | None = None
    error: ValidationError | None = None  # REFUSED: field errors in the active language
    changed: list[str] = field(default_factory=list)
    source: str = ""
    number: str = ""
