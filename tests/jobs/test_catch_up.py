"""A job that missed periods does them when it next runs, oldest first, bounded."""

import dataclasses
import datetime
from decimal import Decimal

import pytest

from customers.jobs import periodic_job, periods_missing, scheduled_dates
from customers.models import JobAttempt, JobOutcome
from followups.models import PlanningRun
from followups.tasks import daily_planning_task
from tests.jobs.conftest import at, set_up_on
from tiers.models import CustomerSnapshot, Evaluation, StatisticsRun
from tiers.tasks import half_yearly_review_task, monthly_statistics_task

JAN, FEB, MAR, APR = (datetime.date(2027, m, 1) for m in (1, 2, 3, 4))
DEC = datetime.date(2026, 12, 1)


def months_computed() -> list[datetime.date]:
    return list(StatisticsRun.objects.order_by("started_at", "pk").values_list("month", flat=True))


def test_scheduled_dates():
    assert scheduled_dates("monthly", until=datetime.date(2027, 4, 1), count=3) == [
        datetime.date(2027, 2, 1),
        datetime.date(2027, 3, 1),
        datetime.date(2027, 4, 1),
    ]
    assert scheduled_dates("half_yearly", until=datetime.date(2027, 6, 30), count=2) == [
        datetime.date(2026, 7, 1),
        datetime.date(2027, 1, 1),
    ]
    assert scheduled_dates("yearly", until=datetime.date(2028, 1, 1), count=2) == [
        datetime.date(2027, 1, 1),
        datetime.date(2028, 1, 1),
    ]
    assert scheduled_dates("daily", until=datetime.date(2027, 3, 1), count=2) == [
        datetime.date(2027, 2, 28),
        datetime.date(2027, 3, 1),
    ]


def test_two_missed_months_are_computed_oldest_first(db, paid, time_machine):
    set_up_on(datetime.date(2026, 12, 15))
    customer = paid("3000", datetime.date(2026, 12, 10))
    paid("5000", datetime.date(2027, 2, 14), customer=customer)
    time_machine.move_to(at(JAN), tick=False)
    assert monthly_statistics_task() == 1  # 1 January: December
    # The runs of 1 February and 1 March were lost (beat down, worker killed).
    time_machine.move_to(at(APR), tick=True)

    monthly_statistics_task()

    assert months_computed() == [DEC, JAN, FEB, MAR]
    spend = dict(
        CustomerSnapshot.objects.filter(customer_id=customer.pk).values_list("month", "spend_12m")
    )
    # Each month has its own figures, as at its end: February's purchase is not January's.
    assert spend[JAN] == Decimal("3000")
    assert spend[FEB] == spend[MAR] == Decimal("8000")
    attempts = JobAttempt.objects.filter(job="tiers.monthly_statistics").order_by("started_at")
    assert [(a.period, a.outcome) for a in attempts][-3:] == [
        (FEB, JobOutcome.DONE),
        (MAR, JobOutcome.DONE),
        (APR, JobOutcome.DONE),
    ]
    assert monthly_statistics_task() is None  # run again: nothing left to do
    assert StatisticsRun.objects.count() == 4


def test_catch_up_looks_back_three_months_at_most(db, paid, time_machine):
    set_up_on(datetime.date(2026, 6, 15))
    paid("3000", datetime.date(2026, 6, 10))
    time_machine.move_to(at(datetime.date(2026, 7, 1)), tick=False)
    monthly_statistics_task()  # June
    time_machine.move_to(at(APR), tick=False)  # seven months later

    monthly_statistics_task()

    assert months_computed() == [datetime.date(2026, 6, 1), JAN, FEB, MAR]


def test_a_fresh_install_computes_only_the_month_just_ended(db, paid, time_machine):
    set_up_on(datetime.date(2027, 3, 20))
    paid("3000", datetime.date(2026, 6, 10))
    time_machine.move_to(at(APR), tick=False)

    monthly_statistics_task()

    assert months_computed() == [MAR]


def test_a_missed_half_year_review_is_made_before_the_current_one(
    installed_long_ago, paid, time_machine
):
    for amount in ("30000", "60000"):
        paid(amount, datetime.date(2027, 3, 1))
    # The 1 July 2027 review was lost; the January 2028 run makes it first.
    time_machine.move_to(at(datetime.date(2028, 1, 1), 4), tick=True)

    half_yearly_review_task()

    reviews = Evaluation.objects.order_by("created_at", "pk")
    assert [(e.review_date, e.snapshot_month) for e in reviews] == [
        (datetime.date(2027, 7, 1), datetime.date(2027, 6, 1)),
        (datetime.date(2028, 1, 1), datetime.date(2027, 12, 1)),
    ]
    assert half_yearly_review_task() is None


def test_missed_days_of_planning_are_planned_a_week_back_at_most(db, sales1, time_machine):
    first = datetime.date(2027, 3, 1)
    set_up_on(first)
    time_machine.move_to(at(first, 6), tick=False)
    daily_planning_task()
    time_machine.move_to(at(first + datetime.timedelta(days=10), 6), tick=False)

    daily_planning_task()

    days = list(PlanningRun.objects.order_by("started_at", "pk").values_list("run_date", flat=True))
    assert days == [first] + [first + datetime.timedelta(days=n) for n in range(4, 11)]


def test_a_failing_period_stops_the_run_and_the_next_run_resumes_there(
    db, paid, time_machine, monkeypatch
):
    from customers import jobs

    set_up_on(datetime.date(2026, 12, 15))
    paid("3000", datetime.date(2026, 12, 10))
    time_machine.move_to(at(JAN), tick=False)
    monthly_statistics_task()
    time_machine.move_to(at(APR), tick=True)
    job = periodic_job("tiers.monthly_statistics")

    def broken(*, period, today):
        if period == MAR:
            raise RuntimeError("disk full")
        return job.run(period=period, today=today)

    monkeypatch.setitem(jobs._jobs, job.key, dataclasses.replace(job, run=broken))
    with pytest.raises(RuntimeError):
        monthly_statistics_task()
    assert months_computed() == [DEC, JAN]  # February's period (January) is kept
    failed = JobAttempt.objects.get(outcome=JobOutcome.FAILED)
    assert (failed.period, failed.error) == (MAR, "RuntimeError: disk full")

    monkeypatch.setitem(jobs._jobs, job.key, job)
    monthly_statistics_task()
    assert months_computed() == [DEC, JAN, FEB, MAR]
    assert periods_missing(job, today=APR) == []
