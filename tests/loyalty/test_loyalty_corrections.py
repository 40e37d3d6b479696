"""Points follow the booking as a net (issue 14, items 8-11): paid, cancelled and paid
again earns once for what is paid; an amount corrected after payment earns or reverses
the difference; the rate is the level in force on the paid date; a purchase of a year
recorded after its annual-reward run is rewarded by the next monthly run."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from customers.models import BookingStatus, Grade
from loyalty.models import (
    AnnualReward,
    AnnualRewardCatchUp,
    Card,
    EntryKind,
    LedgerEntry,
)
from loyalty.selectors import ledger_reconcile
from loyalty.services import (
    annual_rewards_catch_up,
    annual_rewards_issue,
    booking_points_sync,
    points_monthly,
    points_sweep,
)
from tests.factories import BookingFactory, CustomerFactory
from tests.loyalty.conftest import TODAY

pytestmark = pytest.mark.django_db


def _held(booking) -> int:
    return sum(LedgerEntry.objects.filter(booking=booking).values_list("points", flat=True))


def _save(booking, **changes):
    for field, value in changes.items():
        setattr(booking, field, value)
    booking.save()
    return booking_points_sync(booking_id=booking.pk, today=TODAY)


def test_paid_cancelled_and_paid_again_earns_once_for_what_is_paid(customer, pay):
    booking = pay(customer, amount="8000.00")
    _save(booking, status=BookingStatus.CANCELLED)
    assert (_held(booking), Card.objects.get().balance) == (0, 0)

    result = _save(booking, status=BookingStatus.PAID)
    assert result.earned == 8000
    assert (_held(booking), Card.objects.get().balance) == (8000, 8000)
    kinds = list(
        LedgerEntry.objects.filter(booking=booking).order_by("id").values_list("kind", "points")
    )
    assert kinds == [(EntryKind.EARN, 8000), (EntryKind.REVERSE, -8000), (EntryKind.TOPUP, 8000)]
    # Synced again (a retry, the monthly sweep): nothing more.
    assert booking_points_sync(booking_id=booking.pk, today=TODAY).earned == 0
    assert points_sweep(today=TODAY) == 0
    assert _held(booking) == 8000
    assert ledger_reconcile().ok


def test_an_amount_corrected_after_payment_earns_or_reverses_the_difference(customer, pay):
    booking = pay(customer, amount="8000.00")
    assert _save(booking, amount=Decimal("9500.00")).earned == 1500
    assert (_held(booking), Card.objects.get().balance) == (9500, 9500)
    assert _save(booking, amount=Decimal("7000.99")).reversed == 2500
    assert (_held(booking), Card.objects.get().balance) == (7000, 7000)  # floor(7000.99)
    # Corrected by a bulk update that sent no signal: the monthly sweep finds it.
    type(booking).objects.filter(pk=booking.pk).update(amount=Decimal("7400"))
    assert points_sweep(today=TODAY) == 1
    assert _held(booking) == 7400
    assert points_sweep(today=TODAY) == 0


def test_a_correction_keeps_the_rate_the_booking_earned_at(sales1, pay):
    customer = CustomerFactory(owner=sales1, grade=Grade.A)  # gold: 1.5 points a yuan
    booking = pay(customer, amount="1000.00")
    assert _held(booking) == 1500
    _save(booking, amount=Decimal("2000.00"))
    assert _held(booking) == 3000
    topup = LedgerEntry.objects.get(booking=booking, kind=EntryKind.TOPUP)
    assert (topup.level, topup.earn_rate, topup.remaining) == ("gold", Decimal("1.500"), 1500)


def test_the_rate_is_the_level_in_force_on_the_paid_date_not_when_the_job_runs(
    sales1, time_machine
):
    """A grade-A customer (gold, 1.5 a yuan) pays in February and is grade C by the time
    the sweep earns the booking in November: the February level applies. And the other
    way round: a customer made grade A after paying earns at the level of the day."""
    time_machine.move_to(datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.UTC))
    was_gold = CustomerFactory(owner=sales1, grade=Grade.A)
    became_gold = CustomerFactory(owner=sales1, grade=Grade.C)
    paid_on = datetime.date(2026, 2, 18)
    bookings = [
        BookingFactory(customer=c, amount=Decimal("1000"), paid_date=paid_on, cost=Decimal(0))
        for c in (was_gold, became_gold)
    ]
    # In June the grades change, each change on the archive's history like any other.
    time_machine.move_to(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC))
    was_gold.grade, became_gold.grade = Grade.C, Grade.A
    was_gold.save()
    became_gold.save()

    assert points_sweep(today=TODAY) == 2  # the signal never ran: the job earns them
    earned = {e.booking_id: (e.level, e.points) for e in LedgerEntry.objects.all()}
    assert earned[bookings[0].pk] == ("gold", 1500)
    assert earned[bookings[1].pk] == ("standard", 1000)


def _spend(customer, amount, paid):
    return BookingFactory(customer=customer, amount=Decimal(amount), paid_date=paid)


def test_a_purchase_recorded_after_the_annual_run_is_rewarded_by_the_next_monthly_run(
    sales1, settings, django_capture_on_commit_callbacks
):
    traveller = CustomerFactory(owner=sales1, name="晚到客户")
    _spend(traveller, "40000", datetime.date(2025, 3, 1))
    rewarded = CustomerFactory(owner=sales1, name="已获奖客户")
    _spend(rewarded, "60000", datetime.date(2025, 5, 1))
    with django_capture_on_commit_callbacks(execute=True):  # e-mails go after the commit
        run = annual_rewards_issue(year=2025, today=datetime.date(2026, 1, 1))
    assert run.issued_count == 1
    assert len(mail.outbox) == 1
    mail.outbox.clear()

    # Finance records a December 2025 trip in January 2026: ¥40,000 + ¥15,000 passes
    # the ¥50,000 threshold. Another late one for the customer already rewarded.
    _spend(traveller, "15000", datetime.date(2025, 12, 20))
    _spend(rewarded, "60000", datetime.date(2025, 12, 21))
    with django_capture_on_commit_callbacks(execute=True):
        points_monthly(today=datetime.date(2026, 2, 1))

    late = AnnualReward.objects.get(customer=traveller)
    assert (late.year, late.spend, late.issued_on) == (
        2025,
        Decimal("55000.00"),
        datetime.date(2026, 2, 1),
    )
    assert AnnualReward.objects.filter(customer=rewarded).count() == 1  # once a year
    catch_up = AnnualRewardCatchUp.objects.get()
    assert (catch_up.year, catch_up.run_on, catch_up.issued_count) == (
        2025,
        datetime.date(2026, 2, 1),
        1,
    )
    # The owner hears of the new reward only.
    assert len(mail.outbox) == 1
    assert "晚到客户" in mail.outbox[0].body and "已获奖客户" not in mail.outbox[0].body

    # Run again the same day, or the next month: nothing twice.
    assert annual_rewards_catch_up(today=datetime.date(2026, 2, 1)) == []
    annual_rewards_catch_up(today=datetime.date(2026, 3, 1))
    assert AnnualReward.objects.filter(customer=traveller).count() == 1


def test_catch_up_waits_for_the_years_own_run_and_stops_after_two_years(sales1):
    traveller = CustomerFactory(owner=sales1)
    _spend(traveller, "60000", datetime.date(2025, 6, 1))
    assert annual_rewards_catch_up(today=datetime.date(2026, 1, 1)) == []  # 2025 not run yet
    assert not AnnualReward.objects.exists()
    annual_rewards_issue(year=2025, today=datetime.date(2026, 1, 1))
    later = CustomerFactory(owner=sales1)
    _spend(later, "60000", datetime.date(2025, 7, 1))
    assert annual_rewards_catch_up(today=datetime.date(2028, 1, 1)) == []  # 2025 is closed
    annual_rewards_catch_up(today=datetime.date(2027, 12, 1))
    assert AnnualReward.objects.filter(customer=later, year=2025).exists()
