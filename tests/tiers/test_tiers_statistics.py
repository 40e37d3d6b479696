"""The monthly statistics job: figures, thresholds, quadrants, RFM, idempotence, clocks."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from customers.models import BookingStatus
from tests.factories import CustomerFactory
from tiers.models import (
    CustomerSnapshot,
    ParetoSummary,
    Quadrant,
    RfmSummary,
    SegmentSummary,
    StatisticsRun,
    TierPolicy,
    VolumeRule,
)
from tiers.services import monthly_statistics, policy_publish
from tiers.tasks import monthly_statistics_task

OCT = datetime.date(2026, 10, 1)
NOV_1 = datetime.date(2026, 11, 1)

pytestmark = pytest.mark.django_db


def snapshot(customer, month=OCT) -> CustomerSnapshot:
    return CustomerSnapshot.objects.get(customer=customer, month=month)


def test_thresholds_at_their_edges(sales1, paid_booking):
    amounts = {"50000": "A", "49999.99": "B", "10000": "B", "9999.99": "C"}
    customers = {}
    for amount in amounts:
        customers[amount] = CustomerFactory(owner=sales1)
        paid_booking(customers[amount], amount, "2026-06-10")
    idle = CustomerFactory(owner=sales1)

    monthly_statistics(month=OCT, today=NOV_1)

    for amount, grade in amounts.items():
        row = snapshot(customers[amount])
        assert row.spend_12m == Decimal(amount)
        assert row.implied_grade == grade, amount
    assert snapshot(idle).implied_grade == "C"
    assert snapshot(idle).spend_12m == 0


def test_figures_count_refunds_windows_and_payment_delay(sales1, paid_booking):
    customer = CustomerFactory(owner=sales1)
    # Inside the 12 months (1 Nov 2025 – 31 Oct 2026):
    paid_booking(customer, 20000, "2026-10-31", payment_due_date=datetime.date(2026, 10, 21))
    paid_booking(customer, 8000, "2025-11-01", refunded_amount=Decimal("3000"))
    paid_booking(customer, 9000, "2026-02-01", status=BookingStatus.REFUNDED, refunded_amount=9000)
    paid_booking(customer, 7000, "2026-05-01", status=BookingStatus.CANCELLED)
    # The 12 months before, and one paid after the month (not yet known on 31 October):
    paid_booking(customer, 6000, "2025-10-31")
    paid_booking(customer, 5000, "2026-11-01")

    monthly_statistics(month=OCT, today=NOV_1)

    row = snapshot(customer)
    assert row.spend_12m == Decimal("25000.00")  # 20,000 + (8,000 − 3,000) + 0
    assert row.spend_prev_12m == Decimal("6000.00")
    assert row.bookings_12m == 2  # the fully refunded and the cancelled one do not count
    assert row.bookings_prev_12m == 1
    # Gross profit: (20,000 − 16,000) + (5,000 − 6,400); refunded bookings bring none.
    assert row.gross_profit_12m == Decimal("2600.00")
    assert row.avg_payment_delay_days == Decimal("3.3")  # (10 + 0 + 0) / 3 days late
    assert row.last_trip_on == datetime.date(2026, 10, 31)
    assert row.recency_days == 0
    assert row.policy == TierPolicy.objects.get(version=1)


def test_quadrants_by_top_share_and_loyalty(sales1, paid_booking):
    """Ten buying customers: the top 20% (two) by spend are large; high loyalty is two
    paid bookings in 24 months with a trip in the last 12."""
    customers = []
    for rank in range(10):
        customer = CustomerFactory(owner=sales1)
        paid_booking(customer, 1000 * (10 - rank), "2026-08-01")
        customers.append(customer)
    # Loyal: a second booking inside 24 months for the 1st (large) and the 5th (small).
    paid_booking(customers[0], 100, "2025-03-01")
    paid_booking(customers[4], 100, "2025-03-01")

    monthly_statistics(month=OCT, today=NOV_1)

    quadrants = [snapshot(c).quadrant for c in customers]
    assert quadrants[0] == Quadrant.CORE
    assert quadrants[1] == Quadrant.UNSTABLE
    assert quadrants[4] == Quadrant.NURTURE
    assert quadrants[2] == quadrants[9] == Quadrant.RETIRE
    assert [snapshot(c).large_volume for c in customers].count(True) == 2
    assert snapshot(customers[0]).spend_percentile == 10
    assert snapshot(customers[9]).spend_percentile == 100


def test_spend_ties_share_the_lower_place(sales1, paid_booking):
    """Ten buyers, the 2nd and 3rd tied: both are 3rd from the top (three spent at least
    as much), so neither is in the top 20% and both sit at the 30th percentile. Customers
    who spent nothing do not count as buyers."""
    amounts = [9000, 8000, 8000, 7000, 6000, 5000, 4000, 3000, 2000, 1000]
    customers = []
    for amount in amounts:
        customer = CustomerFactory(owner=sales1)
        paid_booking(customer, amount, "2026-08-01")
        customers.append(customer)
    idle = [CustomerFactory(owner=sales1) for _ in range(5)]

    monthly_statistics(month=OCT, today=NOV_1)

    rows = [snapshot(c) for c in customers]
    assert [row.large_volume for row in rows[:4]] == [True, False, False, False]
    assert [row.spend_percentile for row in rows[:4]] == [10, 30, 30, 40]
    assert rows[9].spend_percentile == 100
    assert [snapshot(c).spend_percentile for c in idle] == [None] * 5
    assert [snapshot(c).large_volume for c in idle] == [False] * 5


def test_quadrant_by_fixed_amount_policy(sales1, manager1, paid_booking):
    policy = TierPolicy.objects.get(version=1)
    policy.volume_rule = VolumeRule.FIXED_AMOUNT
    policy.volume_min_spend = Decimal("5000")
    policy_publish(actor=manager1, policy=policy)
    big, small = CustomerFactory(owner=sales1), CustomerFactory(owner=sales1)
    paid_booking(big, 5000, "2026-08-01")
    paid_booking(small, 4999, "2026-08-01")

    monthly_statistics(month=OCT, today=NOV_1)

    assert snapshot(big).large_volume is True
    assert snapshot(small).large_volume is False
    assert snapshot(big).policy.version == 2


def test_rfm_quintiles_on_known_data(sales1, paid_booking):
    """Five travelling customers: the one with the latest trip, most bookings and most
    spend scores 5 on each; the customer who never travelled scores 1-1-1."""
    customers = []
    for n in range(5):
        customer = CustomerFactory(owner=sales1)
        for _ in range(n + 1):
            paid_booking(customer, 1000 * (n + 1), f"2026-0{n + 1}-15")
        customers.append(customer)
    never = CustomerFactory(owner=sales1)

    monthly_statistics(month=OCT, today=NOV_1)

    assert [snapshot(c).rfm for c in customers] == ["111", "222", "333", "444", "555"]
    assert snapshot(never).rfm == "111"
    cells = RfmSummary.objects.filter(month=OCT, owner_id=sales1.pk)
    assert {(c.r_score, c.f_score): c.customers for c in cells} == {
        (1, 1): 2, (2, 2): 1, (3, 3): 1, (4, 4): 1, (5, 5): 1,
    }  # fmt: skip


def test_semi_dormant_after_six_months_without_a_trip(sales1, paid_booking):
    away = CustomerFactory(owner=sales1)
    paid_booking(away, 3000, "2026-04-30")  # last trip before May: over six months ago
    recent = CustomerFactory(owner=sales1)
    paid_booking(recent, 3000, "2026-05-01")
    prospect = CustomerFactory(owner=sales1)

    monthly_statistics(month=OCT, today=NOV_1)

    assert snapshot(away).is_dormant is True
    assert snapshot(recent).is_dormant is False
    assert snapshot(prospect).is_dormant is False  # never travelled: a prospect


def test_same_month_twice_writes_one_set_of_rows(sales1, paid_booking):
    customer = CustomerFactory(owner=sales1)
    paid_booking(customer, 12000, "2026-09-01")

    first = monthly_statistics(month=OCT, today=NOV_1)
    paid_booking(customer, 50000, "2026-10-02")  # arrives late: the month stays as computed
    second = monthly_statistics(month=OCT, today=datetime.date(2026, 11, 2))

    assert first.customer_count == 1 and second is None
    assert CustomerSnapshot.objects.filter(month=OCT).count() == 1
    assert snapshot(customer).spend_12m == Decimal("12000")
    assert SegmentSummary.objects.filter(month=OCT).count() == 1
    # One Pareto row in each order (by spend, by gross profit).
    assert ParetoSummary.objects.filter(month=OCT, ordered_by="spend").count() == 1
    assert ParetoSummary.objects.filter(month=OCT, ordered_by="profit").count() == 1
    assert StatisticsRun.objects.count() == 1


def test_a_month_not_over_is_refused(sales1):
    with pytest.raises(ValidationError):
        monthly_statistics(month=OCT, today=datetime.date(2026, 10, 31))


def test_task_on_the_last_evening_and_the_first_morning_in_shanghai(sales1, paid_booking):
    paid_booking(CustomerFactory(owner=sales1), 3000, "2026-10-31")
    # 31 October 23:30 in Shanghai is still October: the job computes September.
    with time_machine.travel(datetime.datetime(2026, 10, 31, 15, 30, tzinfo=datetime.UTC)):
        monthly_statistics_task()
    assert list(StatisticsRun.objects.values_list("month", flat=True)) == [
        datetime.date(2026, 9, 1)
    ]
    # 1 November 02:00 in Shanghai is 31 October 18:00 UTC: October is complete.
    with time_machine.travel(datetime.datetime(2026, 10, 31, 18, 0, tzinfo=datetime.UTC)):
        assert monthly_statistics_task() == 1
    assert CustomerSnapshot.objects.get(month=OCT).spend_12m == Decimal("3000")


def test_leap_day_belongs_to_february(sales1, paid_booking):
    customer = CustomerFactory(owner=sales1)
    paid_booking(customer, 10000, "2028-02-29")  # the last day of the month
    paid_booking(customer, 7000, "2027-02-28")  # twelve months before: the year before
    paid_booking(customer, 5000, "2027-03-01")  # the first day of the 12-month window
    february = datetime.date(2028, 2, 1)

    with time_machine.travel(datetime.datetime(2028, 2, 29, 18, 0, tzinfo=datetime.UTC)):
        monthly_statistics_task()  # 1 March 02:00 in Shanghai

    row = CustomerSnapshot.objects.get(month=february)
    assert row.spend_12m == Decimal("15000")
    assert row.spend_prev_12m == Decimal("7000")
    assert row.implied_grade == "B"
    assert row.recency_days == 0


def test_command_takes_a_month(sales1, paid_booking):
    paid_booking(CustomerFactory(owner=sales1), 3000, "2026-10-31")
    call_command("tier_monthly", "--month", "2026-10", "--today", "2026-11-05")
    call_command("tier_monthly", "--month", "2026-10", "--today", "2026-11-05")
    assert CustomerSnapshot.objects.filter(month=OCT).count() == 1


def test_policy_change_does_not_rewrite_past_months(sales1, manager1, paid_booking):
    customer = CustomerFactory(owner=sales1)
    paid_booking(customer, 30000, "2026-09-01")
    monthly_statistics(month=OCT, today=NOV_1)

    policy = TierPolicy.objects.get(version=1)
    policy.grade_a_min = Decimal("25000")
    policy.note = "Lower A threshold"
    newer = policy_publish(actor=manager1, policy=policy)
    monthly_statistics(month=datetime.date(2026, 11, 1), today=datetime.date(2026, 12, 1))

    assert TierPolicy.objects.get(version=1).grade_a_min == Decimal("50000")
    assert snapshot(customer).implied_grade == "B"
    assert snapshot(customer).policy.version == 1
    november = snapshot(customer, datetime.date(2026, 11, 1))
    assert (november.implied_grade, november.policy) == ("A", newer)
