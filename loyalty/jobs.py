"""The points jobs as periodic jobs (customers/jobs.py): catch-up, deadlines, job runs.
Registered in LoyaltyConfig.ready(); ExpiryRun and AnnualRewardRun are the claims.

A missed spend year is issued late by the same catch-up; purchases of a year already run
that were recorded late are annual_rewards_catch_up's (the monthly points job)."""

import datetime

from django.utils.translation import gettext_lazy as _

from customers.jobs import MONTHLY, YEARLY, JobRunRow, PeriodicJob
from loyalty.models import AnnualRewardRun, ExpiryRun
from loyalty.services import annual_rewards_issue, points_monthly
from loyalty.services.annual import CATCH_UP_YEARS

POINTS_EXPIRY = "loyalty.points_expiry"
ANNUAL_REWARDS = "loyalty.annual_rewards"


# The points job is claimed by the date it ran for: a month is done when any run of it
# is on record (normally the 1st; a run by hand on another day counts too).
def _expiry_done(*, since: datetime.date) -> set[datetime.date]:
    dates = ExpiryRun.objects.filter(run_date__gte=since).values_list("run_date", flat=True)
    return {day.replace(day=1) for day in dates}


def _expiry_run(*, period: datetime.date, today: datetime.date) -> int | None:
    run = points_monthly(today=period)
    return run.expired_lots if run else None


def _expiry_runs(*, limit: int) -> list[JobRunRow]:
    return [
        JobRunRow(
            period=run.run_date.replace(day=1),
            label=run.run_date.isoformat(),
            started=run.created_at,
            finished=None,
            rows=run.expired_lots,
        )
        for run in ExpiryRun.objects.order_by("-run_date")[:limit]
    ]


# The rewards of spend year Y are scheduled on 1 January of Y+1.
def _annual_done(*, since: datetime.date) -> set[datetime.date]:
    years = AnnualRewardRun.objects.filter(year__gte=since.year - 1).values_list("year", flat=True)
    return {datetime.date(year + 1, 1, 1) for year in years}


def _annual_run(*, period: datetime.date, today: datetime.date) -> int | None:
    run = annual_rewards_issue(year=period.year - 1, today=today)
    return run.issued_count if run else None


def _annual_runs(*, limit: int) -> list[JobRunRow]:
    return [
        JobRunRow(
            period=datetime.date(run.year + 1, 1, 1),
            label=str(run.year),
            started=run.created_at,
            finished=None,
            rows=run.issued_count,
        )
        for run in AnnualRewardRun.objects.order_by("-year")[:limit]
    ]


JOBS = [
    PeriodicJob(
        key=POINTS_EXPIRY,
        label=_("Points expiry"),
        cadence=MONTHLY,
        # Expiry is cumulative (each run expires everything due by its date), so one
        # missed month is enough to look back on.
        lookback=2,
        deadline=datetime.timedelta(hours=6),  # runs at 01:00 on the 1st
        task="loyalty.tasks.points_expiry_task",
        done=_expiry_done,
        run=_expiry_run,
        runs=_expiry_runs,
        order=40,
    ),
    PeriodicJob(
        key=ANNUAL_REWARDS,
        label=_("Annual spend rewards"),
        cadence=YEARLY,
        lookback=CATCH_UP_YEARS,  # as far back as late purchases are looked at again
        deadline=datetime.timedelta(days=1, hours=6),  # 2 January, 06:00
        task="loyalty.tasks.annual_rewards_task",
        done=_annual_done,
        run=_annual_run,
        runs=_annual_runs,
        order=45,
    ),
]
