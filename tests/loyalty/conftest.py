"""Helpers for the loyalty tests: bookings paid on a date, rewards, cards with points."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from loyalty.models import Reward, RewardKind
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
