"""Events the customer archive announces to the apps built on it.

`customers` imports no other app; apps that must act on its changes (loyalty earns points
when a booking is paid) connect here in their AppConfig.ready(). Sent explicitly by the
services, never from a model's save(): most after the transaction commits; the two an
outbox needs (`customer_saved`, `booking_paid`) inside it."""

from django.db import transaction
from django.dispatch import Signal

from customers.models import Customer

# Sent after a booking is created or changed through `booking_save` (pages, admin,
# import) and the transaction has committed. Keyword arguments: `booking_id`, `actor`.
# Receivers must be idempotent: the same booking may be announced many times.
booking_saved = Signal()

# Sent after customers changed owner and the transaction has committed: a departure
# handover (`employee_depart`: every customer it handed over, in one send; sent even
# when the employee owned none, as their account closed too), a manager changing the
# owner on the customer form (`customer_update`) or in the admin. Keyword arguments:
# `customer_ids` (list[int]), `actor`. Receivers must be idempotent and read the owner
# from the database (it may have changed again since).
customers_reassigned = Signal()

# Sent after contacts were logged (`contact_record_create`: the customer page, follow-up
# completion, feedback responses, the admin) and the transaction has committed: the
# frequency cap counts contacts made. Keyword arguments: `customer_ids` (list[int]),
# `record_ids` (list[int]), `actor`. Receivers must be idempotent.
contacts_logged = Signal()

# Sent INSIDE the transaction of `customer_create` / `customer_update`, right after the
# customer row is written, so that what a receiver writes (the webhooks outbox) commits
# or rolls back with the change. Keyword arguments: `customer` (the saved instance),
# `created` (bool), `changed_fields` (list[str], empty when created), `actor`.
# Receivers must be quick and must never raise: a failure would undo the change.
customer_saved = Signal()

# Sent INSIDE the transaction of `booking_save` when a booking becomes paid (saved as
# paid, or its status changed to paid). Keyword arguments: `booking` (the saved
# instance), `actor`. Receivers as for `customer_saved`.
booking_paid = Signal()

# The bulk counterparts, for writers that save many rows at once (the importer): sent
# INSIDE their transaction, once per chunk written, never per row.
# `customers_saved_many`: `created_ids` (list[int]), `updated` (dict[int, list[str]]: the
# names of the fields that changed, per customer), `actor`.
# `bookings_paid_many`: `booking_ids` (list[int]) of bookings that became paid, `actor`.
customers_saved_many = Signal()
bookings_paid_many = Signal()

# Sent after a chunk of bookings was created or changed by the booking sync
# (`booking_sync_many`: the API's PUT and batch, the importer) and the transaction has
# committed, once per chunk. Keyword arguments: `booking_ids` (list[int]), `actor`.
# Receivers must be idempotent and set-based (loyalty earns the chunk's points).
bookings_saved_many = Signal()

# Sent INSIDE the transaction that records an outbox message as sent or failed for good
# (customers.services.outbox_sending). Keyword argument: `message` (the OutboundMessage,
# with its `kind`, `reference`, `status` and `last_error`). The app that queued the
# message finds its own row by `kind` and `reference` (tiers: the grade e-mail's
# notification). Receivers must be quick and must never raise.
outbound_message_settled = Signal()


def announce_customers_reassigned(*, customer_ids, actor) -> None:
    """Send `customers_reassigned` once the current transaction commits (at once outside
    one)."""
    ids = sorted({int(pk) for pk in customer_ids})
    transaction.on_commit(
        lambda: customers_reassigned.send(sender=Customer, customer_ids=ids, actor=actor)
    )


def announce_contacts_logged(*, customer_ids, record_ids, actor) -> None:
    """Send `contacts_logged` once the current transaction commits (at once outside one)."""
    customers = sorted({int(pk) for pk in customer_ids})
    records = sorted({int(pk) for pk in record_ids})
    transaction.on_commit(
        lambda: contacts_logged.send(
            sender=Customer, customer_ids=customers, record_ids=records, actor=actor
        )
    )
