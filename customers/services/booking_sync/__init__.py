"""Bookings sent by another system (the booking system, the website, a finance ledger
imported from a spreadsheet), addressed by that system's name and its booking number.

One mechanism for every door that syncs bookings: the API's PUT (a chunk of one), the
API's batch and the importer (a chunk of up to a thousand) all go through
`booking_sync_many`. Sending the same booking again changes nothing, sending a changed
one updates it (its change history and the audit log say so), and twenty copies
arriving at once give one booking.

Set-based, so the cost of a chunk is a constant number of statements whatever its size:
one SELECT … FOR UPDATE of the chunk's bookings already on file, one query for the
destinations named by id (when any), one INSERT … ON CONFLICT (source, number) DO
NOTHING for the new ones, one UPDATE for the changed ones, one INSERT each for their
history and audit rows. Each item is validated with the model's own rules (field
validators, `Booking.clean`, the CHECK constraints), evaluated in Python
(customers.constraint_checks) and with the chunk's customers and destinations in hand,
so no row costs a query of its own.

Concurrency: the database's unique (source, number) index decides. A new booking whose
INSERT meets a row another transaction committed meanwhile (the INSERT waits for it) is
not inserted; it is read again, locked, and compared like any booking on file. Rows are
locked and inserted in (source, number) order, so two chunks that share bookings never
wait on each other in a circle.

What follows a saved booking is announced as for a typed one, per chunk: inside the
transaction `bookings_paid_many` (the webhooks outbox), after the commit
`bookings_saved_many` (points, earned set-based by loyalty)."""

from customers.services.booking_sync.items import (
    CREATED,
    FORBIDDEN,
    NUMBER_MAX_LENGTH,
    REFUSED,
    SYNCED_FIELDS,
    UNCHANGED,
    UPDATED,
    BookingSyncItem,
    BookingSyncResult,
    SyncedBooking,
)
from customers.services.booking_sync.plan import (
    BookingSyncPlan,
    booking_sync_apply,
    booking_sync_from_source,
    booking_sync_many,
    booking_sync_plan,
)
from customers.services.booking_sync.validation import booking_validate

__all__ = [
    "CREATED",
    "FORBIDDEN",
    "NUMBER_MAX_LENGTH",
    "REFUSED",
    "SYNCED_FIELDS",
    "UNCHANGED",
    "UPDATED",
    "BookingSyncItem",
    "BookingSyncPlan",
    "BookingSyncResult",
    "SyncedBooking",
    "booking_sync_apply",
    "booking_sync_from_source",
    "booking_sync_many",
    "booking_sync_plan",
    "booking_validate",
]
