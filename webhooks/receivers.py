"""What each event says, and the receivers that write it to the outbox.

Connected in WebhooksConfig.ready() to signals the lower apps send inside the
transaction of the change. Payloads carry the minimum another system needs to act and
to look the record up through the API: ids, names, the ID number masked to its last
four (customers.masking, the rule every door uses), and the figures that changed.

A receiver never raises: its writes run in a savepoint and a failure is logged, so the
change that caused the event always commits (the sweep cannot recover an event that
was never written; the log says which)."""

import logging

from django.db import transaction

from customers.masking import mask_id_number
from customers.models import Customer
from webhooks.models import WebhookEvent
from webhooks.services.outbox import is_listened, outbox_write

log = logging.getLogger(__name__)
CHUNK = 2000


def _write_safely(event: str, build) -> None:
    """Build the event's items and write them in a savepoint; log, never raise."""
    try:
        with transaction.atomic():
            items = build()
            if items:
                outbox_write(event=event, items=items)
    except Exception:
        log.exception("Webhook event %s not written", event)


def customer_data(*, pk, kind, name, id_number, grade, status) -> dict:
    return {
        "id": pk,
        "kind": kind,
        "name": name,
        "id_number": mask_id_number(id_number),
        "grade": grade or None,
        "status": status,
    }


def _customer(customer: Customer) -> dict:
    return customer_data(
        pk=customer.pk,
        kind=customer.kind,
        name=customer.name,
        id_number=customer.id_number,
        grade=customer.grade,
        status=customer.status,
    )


CUSTOMER_FIELDS = ("pk", "kind", "name", "id_number", "grade", "status")


def _customers_by_id(ids) -> dict[int, dict]:
    found = {}
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        for row in Customer.all_objects.filter(pk__in=ids[start : start + CHUNK]).values_list(
            *CUSTOMER_FIELDS
        ):
            found[row[0]] = customer_data(**dict(zip(CUSTOMER_FIELDS, row, strict=True)))
    return found


# Internal columns that are no business of another system.
_UNANNOUNCED_FIELDS = {
    "name_normalised",
    "name_pinyin",
    "name_initials",
    "updated_at",
    "created_at",
}


def on_customer_saved(sender, *, customer, created, changed_fields=(), **kwargs):
    event = WebhookEvent.CUSTOMER_CREATED if created else WebhookEvent.CUSTOMER_UPDATED
    changed = sorted(set(changed_fields) - _UNANNOUNCED_FIELDS)
    if (not created and not changed) or not is_listened(event):
        return  # saved without a change to its record, or nobody listens

    def build():
        data = {"customer": _customer(customer)}
        if not created:
            data["changed_fields"] = changed
        return [data]

    _write_safely(event, build)


def on_booking_paid(sender, *, booking, **kwargs):
    if is_listened(WebhookEvent.BOOKING_PAID):
        _write_safely(WebhookEvent.BOOKING_PAID, lambda: [_booking_paid_data(booking)])


def _booking_data(booking) -> dict:
    return {
        "id": booking.pk,
        "source": booking.source or None,
        "source_number": booking.source_number or None,
        "product": booking.product,
        "start_date": booking.start_date,
        "end_date": booking.end_date,
        "amount": booking.amount,
        "refunded_amount": booking.refunded_amount,
        "paid_date": booking.paid_date,
        "status": booking.status,
    }


def _booking_paid_data(booking) -> dict:
    return {"booking": _booking_data(booking), "customer": _customer(booking.customer)}


def on_customers_saved_many(sender, *, created_ids=(), updated=None, **kwargs):
    """A chunk of an import: one query and one bulk INSERT per event, not one per row."""
    updated = {
        pk: sorted(set(fields) - _UNANNOUNCED_FIELDS) for pk, fields in (updated or {}).items()
    }
    updated = {pk: fields for pk, fields in updated.items() if fields}
    if created_ids and is_listened(WebhookEvent.CUSTOMER_CREATED):
        _write_safely(
            WebhookEvent.CUSTOMER_CREATED,
            lambda: [{"customer": data} for data in _customers_by_id(sorted(created_ids)).values()],
        )
    if updated and is_listened(WebhookEvent.CUSTOMER_UPDATED):
        _write_safely(
            WebhookEvent.CUSTOMER_UPDATED,
            lambda: [
                {"customer": data, "changed_fields": updated[pk]}
                for pk, data in _customers_by_id(sorted(updated)).items()
            ],
        )


def on_bookings_paid_many(sender, *, booking_ids, **kwargs):
    if booking_ids and is_listened(WebhookEvent.BOOKING_PAID):
        _write_safely(WebhookEvent.BOOKING_PAID, lambda: _bookings_paid_items(booking_ids))


def _bookings_paid_items(booking_ids) -> list[dict]:
    from customers.models import Booking

    ids = sorted(set(booking_ids))
    items = []
    for start in range(0, len(ids), CHUNK):
        bookings = list(
            Booking.objects.filter(pk__in=ids[start : start + CHUNK])
            .select_related("customer")
            .order_by("pk")
        )
        items += [_booking_paid_data(booking) for booking in bookings]
    return items


def on_grades_changed(sender, *, changes, **kwargs):
    """Set-based: a review approving thousands of grades reads them in one query,
    streamed, and writes the outbox rows with bulk INSERTs."""
    if is_listened(WebhookEvent.GRADE_CHANGED):
        _write_safely(WebhookEvent.GRADE_CHANGED, lambda: _grade_items(changes))


def _grade_items(changes) -> list[dict]:
    fields = (
        "pk",
        "from_grade",
        "to_grade",
        "source",
        "changed_at",
        "customer_id",
        "customer__kind",
        "customer__name",
        "customer__id_number",
        "customer__grade",
        "customer__status",
    )
    rows = changes.order_by("pk").values_list(*fields)
    items = []
    for row in rows.iterator(chunk_size=CHUNK):
        values = dict(zip(fields, row, strict=True))
        items.append(
            {
                "customer": customer_data(
                    pk=values["customer_id"],
                    kind=values["customer__kind"],
                    name=values["customer__name"],
                    id_number=values["customer__id_number"],
                    grade=values["customer__grade"],
                    status=values["customer__status"],
                ),
                "grade_change": {
                    "id": values["pk"],
                    "from_grade": values["from_grade"] or None,
                    "to_grade": values["to_grade"],
                    "source": values["source"],
                    "changed_at": values["changed_at"],
                },
            }
        )
    return items


def on_points_changed(sender, *, card_ids, entries=(), **kwargs):
    if is_listened(WebhookEvent.POINTS_CHANGED):
        _write_safely(WebhookEvent.POINTS_CHANGED, lambda: _points_items(card_ids, entries))


def _points_items(card_ids, entries) -> list[dict]:
    from loyalty.models import Card

    entries = list(entries)
    change = sum(entry.points for entry in entries) if entries else None
    kinds = sorted({entry.kind for entry in entries})
    bookings = sorted({entry.booking_id for entry in entries if entry.booking_id})
    card_ids = list(card_ids)
    items = []
    for start in range(0, len(card_ids), CHUNK):
        cards = list(
            Card.objects.filter(pk__in=card_ids[start : start + CHUNK]).values_list(
                "pk", "customer_id", "balance", "level"
            )
        )
        customers = _customers_by_id(customer_id for _pk, customer_id, _b, _l in cards)
        if not entries:
            kinds = ["expire"]  # the monthly expiry run: the balance says what is left
        items += [
            {
                "customer": customers.get(customer_id),
                "card": {"id": pk, "balance": balance, "level": level},
                "points": change,
                "kinds": kinds,
                "booking_ids": bookings,
            }
            for pk, customer_id, balance, level in cards
        ]
    return items


def connect() -> None:
    from customers.signals import (
        booking_paid,
        bookings_paid_many,
        customer_saved,
        customers_saved_many,
    )
    from loyalty.signals import points_changed
    from tiers.signals import grades_changed

    customer_saved.connect(on_customer_saved, dispatch_uid="webhooks.customer_saved")
    booking_paid.connect(on_booking_paid, dispatch_uid="webhooks.booking_paid")
    customers_saved_many.connect(on_customers_saved_many, dispatch_uid="webhooks.customers_many")
    bookings_paid_many.connect(on_bookings_paid_many, dispatch_uid="webhooks.bookings_many")
    grades_changed.connect(on_grades_changed, dispatch_uid="webhooks.grades_changed")
    points_changed.connect(on_points_changed, dispatch_uid="webhooks.points_changed")
