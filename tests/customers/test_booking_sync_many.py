"""The set-based booking sync (`booking_sync_many`): a chunk of bookings from a source
system, each with its own result, written with a constant number of statements."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import AuditAction, AuditEntry, Booking, BookingStatus, TripType
from customers.services.booking_sync import BookingSyncItem, booking_sync_many
from loyalty.models import Card, EntryKind, LedgerEntry
from loyalty.selectors import ledger_reconcile
from tests.factories import CustomerFactory, DestinationFactory

pytestmark = pytest.mark.django_db

PAID_ON = datetime.date(2026, 11, 20)


@pytest.fixture
def sanya(db):
    return DestinationFactory(name="三亚")


def values(sanya, **changes):
    return {
        "product": "三亚五日游",
        "destination": sanya,
        "trip_type": TripType.DOMESTIC,
        "start_date": datetime.date(2026, 12, 10),
        "end_date": datetime.date(2026, 12, 14),
        "head_count": 2,
        "amount": Decimal("8000.00"),
        "cost": Decimal("6500.00"),
        "status": BookingStatus.PAID,
        "paid_date": PAID_ON,
        **changes,
    }


def item(customer, number, sanya, **changes):
    return BookingSyncItem(
        customer=customer, source="booking-system", number=number, values=values(sanya, **changes)
    )


def test_a_mixed_chunk_reports_each_item_and_writes_history_and_audit(sales1, sales3, sanya):
    mine, theirs = CustomerFactory(owner=sales1), CustomerFactory(owner=sales3)
    booking_sync_many(
        actor=sales1,
        items=[item(mine, "OLD-1", sanya), item(mine, "OLD-2", sanya)],
    )
    before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()

    results = booking_sync_many(
        actor=sales1,
        items=[
            item(mine, "NEW-1", sanya),  # created
            item(mine, "old-1", sanya, amount="9000"),  # updated (number normalised)
            item(mine, "OLD-2", sanya, amount="8000"),  # unchanged
            item(mine, "BAD-1", sanya, end_date=datetime.date(2026, 12, 1)),  # refused
            item(mine, "BAD-2", sanya, refunded_amount=Decimal("9999")),  # refused
            item(mine, "BAD-3", sanya, head_count=0),  # refused by a CHECK constraint
            item(theirs, "NEW-2", sanya),  # forbidden
            item(mine, "", sanya),  # refused: no number
        ],
    )

    outcomes = [result.outcome for result in results]
    assert outcomes == [
        "created",
        "updated",
        "unchanged",
        "refused",
        "refused",
        "refused",
        "forbidden",
        "refused",
    ]
    assert results[3].error.message_dict == {"end_date": ["The trip cannot end before it starts."]}
    assert results[4].error.message_dict == {
        "refunded_amount": ["The refund cannot exceed the amount paid."]
    }
    assert results[5].error.messages == ["A booking has at least one traveller."]
    assert "source_number" in results[7].error.message_dict
    assert results[1].changed == ["amount"]
    assert set(Booking.objects.values_list("source_number", flat=True)) == {
        "OLD-1",
        "OLD-2",
        "NEW-1",
    }
    new, updated = results[0].booking, results[1].booking
    assert Booking.objects.get(pk=updated.pk).amount == Decimal("9000.00")
    assert [(h.history_type, h.history_user) for h in new.history.all()] == [("+", sales1)]
    assert [
        h.history_type for h in Booking.history.filter(id=updated.pk).order_by("history_id")
    ] == [
        "+",
        "~",
    ]
    audit = AuditEntry.objects.filter(object_type="booking", pk__gt=before)
    assert {(e.action, e.object_id) for e in audit} == {
        (AuditAction.CREATE, str(new.pk)),
        (AuditAction.CHANGE, str(updated.pk)),
    }
    assert audit.get(action=AuditAction.CHANGE).detail == {"fields": ["amount"]}
    assert audit.get(action=AuditAction.CHANGE).customer == mine


def test_a_number_on_file_for_another_customer_is_refused_and_the_rest_go_in(sales1, sanya):
    first, second = CustomerFactory(owner=sales1), CustomerFactory(owner=sales1)
    booking_sync_many(actor=sales1, items=[item(first, "BK-1", sanya)])

    results = booking_sync_many(
        actor=sales1, items=[item(second, "BK-1", sanya), item(second, "BK-2", sanya)]
    )

    assert [r.outcome for r in results] == ["refused", "created"]
    assert results[0].error.message_dict["source_number"] == [
        "Booking BK-1 from booking-system is on file for another customer; it cannot be "
        "moved by a sync."
    ]
    assert Booking.objects.get(source_number="BK-1").customer == first


def test_the_same_chunk_twice_earns_points_once(sales1, sanya, django_capture_on_commit_callbacks):
    customers = [CustomerFactory(owner=sales1) for _ in range(3)]
    chunk = [item(customers[i % 3], f"BK-{i}", sanya) for i in range(6)]

    with django_capture_on_commit_callbacks(execute=True):
        first = booking_sync_many(actor=sales1, items=chunk)
    with django_capture_on_commit_callbacks(execute=True):
        again = booking_sync_many(actor=sales1, items=chunk)

    assert {r.outcome for r in first} == {"created"}
    assert {r.outcome for r in again} == {"unchanged"}
    assert LedgerEntry.objects.filter(kind=EntryKind.EARN).count() == 6
    assert LedgerEntry.objects.count() == 6
    assert sorted(Card.objects.values_list("balance", flat=True)) == [16000] * 3
    assert ledger_reconcile().ok


def test_the_same_number_twice_in_a_chunk_the_later_item_applies_on_top(sales1, sanya):
    customer = CustomerFactory(owner=sales1)

    results = booking_sync_many(
        actor=sales1,
        items=[item(customer, "BK-1", sanya), item(customer, "BK-1", sanya, amount="9500")],
    )

    assert [r.outcome for r in results] == ["created", "updated"]
    assert Booking.objects.get().amount == Decimal("9500.00")


def test_a_destination_given_by_id_is_checked_against_the_destinations_on_file(sales1, sanya):
    customer = CustomerFactory(owner=sales1)

    results = booking_sync_many(
        actor=sales1,
        items=[
            item(customer, "BK-1", sanya, destination=sanya.pk + 1000),
            item(customer, "BK-2", sanya, destination=sanya.pk),
        ],
    )

    assert [r.outcome for r in results] == ["refused", "created"]
    assert list(results[0].error.message_dict) == ["destination"]


def _statements(work) -> int:
    with CaptureQueriesContext(connection) as queries:
        work()
    return len(queries)


def test_a_chunk_costs_the_same_statements_whatever_its_size(
    sales1, sanya, django_capture_on_commit_callbacks, monkeypatch
):
    """New paid bookings (points earned after the commit included), then the same with
    a changed product, then the same again: the statements per chunk do not grow with
    the chunk."""

    def counts_for(size: int) -> list[int]:
        customers = [CustomerFactory(owner=sales1) for _ in range(5)]

        def chunk(**changes):
            return [item(customers[i % 5], f"S{size}-{i}", sanya, **changes) for i in range(size)]

        counts = []
        for changes in ({}, {"product": "三亚六日游"}, {"product": "三亚六日游"}):
            items = chunk(**changes)

            def work(items=items):
                with django_capture_on_commit_callbacks(execute=True):
                    booking_sync_many(actor=sales1, items=items)

            counts.append(_statements(work))
        return counts

    # 40: SQLite takes at most 999 parameters a statement, so Django splits a bulk INSERT
    # of ~20 columns every 49 rows (PostgreSQL never); below that the count is exact.
    # The webhooks' listened events are cached per process for 10 s: on a loaded machine
    # the runs below took longer and the cache's expiry added a statement to one of them.
    from webhooks.services import outbox

    monkeypatch.setattr(outbox, "LISTENERS_TTL_SECONDS", 3600.0)
    monkeypatch.setattr(outbox, "_listened", None)  # filled again below, for the hour
    counts_for(1)  # warm the per-process caches (the webhooks' listened events)
    small, large = counts_for(5), counts_for(40)

    assert small == large, (small, large)
    assert Booking.objects.count() == 46
    assert LedgerEntry.objects.filter(kind=EntryKind.EARN).count() == 46
    assert small[2] <= 3, small  # unchanged: the locked lookup, nothing written


def test_every_value_is_stored_as_sent_whatever_its_characters(sales1, sanya):
    """On PostgreSQL the new bookings reach the INSERT as one array per column: text
    with quotes, backslashes, braces, commas, NULL-like words and tabs, amounts with
    cents and empty optional dates are stored exactly as the ORM would store them."""
    customer = CustomerFactory(owner=sales1)
    products = ['Say "hi" \\ {x}, y', "NULL", "", "\t tab\nnew line ", '三亚,{五}日"游"']
    results = booking_sync_many(
        actor=sales1,
        items=[
            item(
                customer,
                f"ODD-{n}",
                sanya,
                product=product or "p",
                amount=Decimal("1234.56"),
                refunded_amount=Decimal("0.01"),
                status=BookingStatus.BOOKED,
                paid_date=None,
                payment_due_date=None if n % 2 else datetime.date(2026, 12, 1),
            )
            for n, product in enumerate(products)
        ],
    )
    assert [result.outcome for result in results] == ["created"] * len(products), [
        result.error for result in results
    ]
    stored = {
        b.source_number: b
        for b in Booking.objects.filter(customer=customer).select_related("destination")
    }
    for n, product in enumerate(products):
        booking = stored[f"ODD-{n}"]
        assert booking.product == (product or "p")
        assert (booking.amount, booking.refunded_amount) == (Decimal("1234.56"), Decimal("0.01"))
        assert booking.payment_due_date == (None if n % 2 else datetime.date(2026, 12, 1))
        assert booking.destination == sanya and booking.created_by == sales1
        assert booking.history.get().product == booking.product
