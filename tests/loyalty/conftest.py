"""Helpers for the loyalty tests: bookings paid on a date, rewards, cards with points."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from loyalty.models import Card, LedgerEntry, Reward, RewardKind
from loyalty.services import booking_points_sync
from tests.factories import BookingFactory, CustomerFactory

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _clock_on_today(time_machine):
    """Pages and services without `today=` read the clock: keep it on TODAY (10:00 in
    Shanghai), so that points earned in 2026 do not expire under the tests in 2028."""
    time_machine.move_to(
        datetime.datetime.combine(TODAY, datetime.time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    )


@pytest.fixture
def customer(sales1):
    return CustomerFactory(owner=sales1, name="孙悦", email="sunyue@example.com")


@pytest.fixture
def pay():
    """Create a booking paid on `paid` and earn its points as the signal would."""

    def make(customer, amount="8000.00", paid=datetime.date(2026, 2, 18), today=TODAY, **extra):
        booking = BookingFactory(
            customer=customer,
            amount=Decimal(amount),
            cost=Decimal("0"),
            paid_date=paid,
            payment_due_date=paid,
            start_date=paid + datetime.timedelta(days=10),
            end_date=paid + datetime.timedelta(days=14),
            **extra,
        )
        booking_points_sync(booking_id=booking.pk, today=today)
        return booking

    return make


@pytest.fixture
def reward(db):
    return Reward.objects.create(
        name="机场贵宾厅", kind=RewardKind.SERVICE, points_price=100, stock=5
    )


def open_lot(card, points, *, remaining, expires_on):
    return LedgerEntry.objects.create(
        card=card,
        kind="earn",
        points=points,
        occurred_on=expires_on - datetime.timedelta(days=730),
        expires_on=expires_on,
        remaining=remaining,
        level=card.level,
    )


@pytest.fixture
def book(sales1):
    """Cards at three levels: several open lots on one card, partly drawn lots, a lot
    used up, a lot past its expiry that the monthly job has not expired yet, and a card
    with nothing outstanding."""
    later = TODAY + datetime.timedelta(days=200)
    cards = {
        level: [Card.objects.create(customer=CustomerFactory(owner=sales1), level=level)
                for _ in range(3)]
        for level in ("standard", "silver", "gold")
    }  # fmt: skip
    standard, silver, gold = cards["standard"], cards["silver"], cards["gold"]
    for n in range(4):  # four open lots on one card: counted once
        open_lot(standard[0], 100, remaining=100 - n * 10, expires_on=later + datetime.timedelta(n))
    open_lot(standard[1], 300, remaining=0, expires_on=later)  # used up
    open_lot(standard[1], 50, remaining=50, expires_on=TODAY)  # expires today: not outstanding
    open_lot(standard[2], 70, remaining=70, expires_on=TODAY - datetime.timedelta(days=3))
    open_lot(silver[0], 500, remaining=120, expires_on=later)
    open_lot(silver[1], 500, remaining=500, expires_on=TODAY + datetime.timedelta(days=1))
    open_lot(silver[1], 200, remaining=1, expires_on=later)
    open_lot(gold[2], 900, remaining=900, expires_on=later + datetime.timedelta(days=400))
    for card in Card.objects.all():  # balances as the lots left them (redemption, expiry)
        card.balance = sum(card.entries.values_list("remaining", flat=True))
        card.save(update_fields=["balance"])
    return cards
