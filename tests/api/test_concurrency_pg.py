"""Syncing systems send the same thing many times at once. On PostgreSQL (real row locks,
real concurrent transactions): twenty copies of one new paid booking give one booking and
one earn; fifty redemptions on a 1,000-point card take exactly what it holds; the same
Idempotency-Key sent at once redeems once."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from customers.models import AuditEntry, Booking, BookingStatus, TripType
from customers.services import booking_sync_from_source
from loyalty.models import Card, EntryKind, LedgerEntry, Redemption, Reward, RewardKind
from loyalty.selectors import ledger_reconcile
from loyalty.services import PointsRefused, points_adjust, redemption_create
from tests.factories import CustomerFactory, DestinationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PAID_ON = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions are only meaningful on PostgreSQL")


def run_at_once(count: int, work) -> list:
    """Run `work(i)` in `count` threads released together; return each result or the
    exception it raised (each thread closes its own connection)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait()
            with translation.override("en"):
                results[i] = work(i)
        except Exception as error:  # the test inspects what each thread met
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_copies_of_a_new_paid_booking_at_once_give_one_booking_and_one_earn(sales1):
    customer = CustomerFactory(owner=sales1)
    values = {
        "product": "三亚五日游",
        "destination": DestinationFactory(name="三亚"),
        "trip_type": TripType.DOMESTIC,
        "start_date": datetime.date(2026, 12, 10),
        "end_date": datetime.date(2026, 12, 14),
        "head_count": 2,
        "amount": Decimal("8000.00"),
        "cost": Decimal("6500.00"),
        "status": BookingStatus.PAID,
        "payment_due_date": PAID_ON,
        "paid_date": PAID_ON,
    }

    results = run_at_once(
        20,
        lambda i: (
            booking_sync_from_source(
                actor=sales1,
                customer=customer,
                source="booking-system",
                number="BK-2026-0001",
                values=values,
            ).outcome
        ),
    )

    assert sorted(results) == ["created"] + ["unchanged"] * 19, results
    booking = Booking.objects.get()
    assert (booking.source, booking.source_number) == ("booking-system", "BK-2026-0001")
    assert booking.history.count() == 1
    assert AuditEntry.objects.filter(object_type="booking").count() == 1
    earns = LedgerEntry.objects.filter(booking=booking, kind=EntryKind.EARN)
    assert list(earns.values_list("points", flat=True)) == [8000]
    assert LedgerEntry.objects.count() == 1
    assert Card.objects.get(customer=customer).balance == 8000
    assert ledger_reconcile().ok


@pytest.fixture
def thousand_point_card(sales1, manager1):
    card = Card.objects.create(customer=CustomerFactory(owner=sales1))
    points_adjust(actor=manager1, card_id=card.pk, points=1000, reason="测试")
    reward = Reward.objects.create(name="代金券", kind=RewardKind.VOUCHER, points_price=100)
    return card, reward


def test_fifty_keyed_redemptions_at_once_on_a_thousand_points_exactly_ten_succeed(
    sales1, thousand_point_card
):
    card, reward = thousand_point_card

    results = run_at_once(
        50,
        lambda i: redemption_create(
            actor=sales1, card_id=card.pk, reward_id=reward.pk, idempotency_key=f"key-{i}"
        ),
    )

    done = [r for r in results if isinstance(r, Redemption)]
    refused = [r for r in results if not isinstance(r, Redemption)]
    assert len(done) == 10
    assert all(isinstance(r, PointsRefused) for r in refused), refused
    assert {r.messages[0] for r in refused} == {"Not enough points: balance 0, needs 100."}
    assert Redemption.objects.filter(card=card).count() == 10
    card.refresh_from_db()
    assert card.balance == 0
    assert ledger_reconcile().ok


def test_the_same_key_sent_twenty_times_at_once_redeems_once(sales1, thousand_point_card):
    card, reward = thousand_point_card

    results = run_at_once(
        20,
        lambda i: redemption_create(
            actor=sales1, card_id=card.pk, reward_id=reward.pk, idempotency_key="order-77"
        ),
    )

    assert all(isinstance(r, Redemption) for r in results), results
    assert {r.pk for r in results} == {Redemption.objects.get().pk}
    assert sorted(r.replayed for r in results) == [False] + [True] * 19
    assert {r.balance_after for r in results} == {900}
    card.refresh_from_db()
    assert card.balance == 900
    assert LedgerEntry.objects.filter(kind=EntryKind.REDEEM).count() == 1


# --- The same through the API's doors ----------------------------------------------------


def _client(token):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def test_twenty_concurrent_puts_of_one_paid_booking_give_one_booking_and_one_earn(
    sales1, make_token
):
    from django.urls import reverse

    customer = CustomerFactory(owner=sales1)
    DestinationFactory(name="三亚")
    token = make_token(sales1)
    url = reverse("api:booking-sync", kwargs={"source": "website", "number": "W-2026-77"})
    body = {
        "customer": customer.pk,
        "product": "三亚五日游",
        "destination_name": "三亚",
        "trip_type": "domestic",
        "start_date": "2026-12-10",
        "end_date": "2026-12-14",
        "amount": "8000.00",
        "cost": "6500.00",
        "status": "paid",
        "paid_date": PAID_ON.isoformat(),
    }

    results = run_at_once(20, lambda i: _client(token).put(url, body, format="json"))

    assert sorted(r.status_code for r in results) == [200] * 19 + [201]
    assert sorted(r.json()["outcome"] for r in results) == ["created"] + ["unchanged"] * 19
    booking = Booking.objects.get()
    assert {r.json()["booking"]["id"] for r in results} == {booking.pk}
    assert LedgerEntry.objects.filter(booking=booking, kind=EntryKind.EARN).count() == 1
    assert Card.objects.get(customer=customer).balance == 8000


def test_fifty_concurrent_api_redemptions_with_distinct_keys_exactly_ten_succeed(
    sales1, make_token, thousand_point_card
):
    from django.urls import reverse

    card, reward = thousand_point_card
    token = make_token(sales1)
    url = reverse("api:points-redeem", kwargs={"pk": card.customer_id})

    def redeem(i, key=None):
        return _client(token).post(
            url, {"reward": reward.pk}, format="json", HTTP_IDEMPOTENCY_KEY=key or f"order-{i}"
        )

    results = run_at_once(50, redeem)

    assert sorted(r.status_code for r in results) == [201] * 10 + [409] * 40
    refusals = {r.json()["detail"] for r in results if r.status_code == 409}
    assert refusals == {"Not enough points: balance 0, needs 100."}
    card.refresh_from_db()
    assert card.balance == 0
    # Each successful key replays its own answer; nothing more is taken.
    first = next(i for i, r in enumerate(results) if r.status_code == 201)
    replay = redeem(first)
    assert replay.status_code == 200
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == results[first].json()
    assert ledger_reconcile().ok


def test_the_same_key_sent_at_once_through_the_api_redeems_once(
    sales1, make_token, thousand_point_card
):
    from django.urls import reverse

    card, reward = thousand_point_card
    token = make_token(sales1)
    url = reverse("api:points-redeem", kwargs={"pk": card.customer_id})

    results = run_at_once(
        20,
        lambda i: _client(token).post(
            url, {"reward": reward.pk}, format="json", HTTP_IDEMPOTENCY_KEY="order-77"
        ),
    )

    assert sorted(r.status_code for r in results) == [200] * 19 + [201]
    assert len({r.json()["id"] for r in results}) == 1
    assert {r.json()["balance_after"] for r in results} == {900}
    card.refresh_from_db()
    assert card.balance == 900


def test_overlapping_batches_at_once_never_deadlock_and_earn_once(sales1, make_token):
    """Four batches of the same 60 paid bookings of six customers, two in reverse order,
    at once: each batch commits its bookings together and earns their points together,
    taking its locks in one order, so none waits on another in a circle."""
    from django.urls import reverse

    customers = [CustomerFactory(owner=sales1) for _ in range(6)]
    DestinationFactory(name="三亚")
    token = make_token(sales1)
    items = [
        {
            "source": "booking-system",
            "number": f"OV-{i:03d}",
            "customer": customers[i % 6].pk,
            "product": "三亚五日游",
            "destination_name": "三亚",
            "trip_type": "domestic",
            "start_date": "2026-12-10",
            "end_date": "2026-12-14",
            "amount": "1000.00",
            "cost": "800.00",
            "status": "paid",
            "paid_date": PAID_ON.isoformat(),
        }
        for i in range(60)
    ]
    url = reverse("api:booking-batch")

    results = run_at_once(
        4,
        lambda i: _client(token).post(
            url, {"bookings": items if i % 2 else items[::-1]}, format="json"
        ),
    )

    assert [r.status_code for r in results] == [200] * 4, results
    summaries = [r.json()["summary"] for r in results]
    assert sum(s["created"] for s in summaries) == 60
    assert sum(s["unchanged"] for s in summaries) == 180
    assert Booking.objects.count() == 60
    assert LedgerEntry.objects.filter(kind=EntryKind.EARN).count() == 60
    assert sorted(Card.objects.values_list("balance", flat=True)) == [10000] * 6
    assert ledger_reconcile().ok
