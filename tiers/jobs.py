"""The tier jobs as periodic jobs (customers/jobs.py): catch-up, deadlines, job runs.
Registered in TiersConfig.ready(); the claim rows (StatisticsRun, Evaluation) say what
is done."""

import datetime

from django.utils.translation import gettext_lazy as _

from customers.jobs import HALF_YEARLY, MONTHLY, JobRunRow, PeriodicJob
from tiers.models import Evaluation, StatisticsRun
from tiers.services import half_yearly_review, monthly_statistics
from tiers.statistics import add_months

MONTHLY_STATISTICS = "tiers.monthly_statistics"
HALF_YEARLY_REVIEW = "tiers.half_yearly_review"


# The monthly statistics of month M are scheduled on the 1st of M+1.
def _statistics_done(*, since: datetime.date) -> set[datetime.date]:
    months = StatisticsRun.objects.filter(month__gte=add_months(since, -1))
    return {add_months(month, 1) for month in months.values_list("month", flat=True)}


def _statistics_run(*, period: datetime.date, today: datetime.date) -> int | None:
    run = monthly_statistics(month=add_months(period, -1), today=today)
    return run.customer_count if run else None


def _statistics_runs(*, limit: int) -> list[JobRunRow]:
    return [
        JobRunRow(
            period=add_months(run.month, 1),
            label=f"{run.month:%Y-%m}",
            started=run.started_at,
            finished=run.finished_at,
            rows=run.customer_count,
        )
        for run in StatisticsRun.objects.order_by("-month")[:limit]
    ]


def _review_done(*, since: datetime.date) -> set[datetime.date]:
    return set(
        Evaluation.objects.filter(review_date__gte=since).values_list("review_date", flat=True)
    )


def _review_run(*, period: datetime.date, today: datetime.date) -> int | None:
    evaluation = half_yearly_review(today=period)
    return evaluation.proposal_count if evaluation else None


def _review_runs(*, limit: int) -> list[JobRunRow]:
    return [
        JobRunRow(
            period=evaluation.review_date,
            label=evaluation.review_date.isoformat(),
            started=evaluation.created_at,
            finished=None,
            rows=evaluation.proposal_count,
        )
        for evaluation in Evaluation.objects.order_by("-review_date")[:limit]
    ]


JOBS = [
    PeriodicJob(
        key=MONTHLY_STATISTICS,
        label=_("Monthly statistics"),
        cadence=MONTHLY,
        # Three months: a missed month or two is caught up; each month is minutes of work
        # at a million customers (README, Benchmarks), so no longer history in one go.
        lookback=3,
        deadline=datetime.timedelta(days=1, hours=6),  # the 2nd, 06:00
        task="tiers.tasks.monthly_statistics_task",
        done=_statistics_done,
        run=_statistics_run,
        runs=_statistics_runs,
        order=20,
    ),
    PeriodicJob(
        key=HALF_YEARLY_REVIEW,
        label=_("Half-yearly review"),
        cadence=HALF_YEARLY,
        lookback=2,
        deadline=datetime.timedelta(days=1, hours=6),  # 2 January / 2 July, 06:00
        task="tiers.tasks.half_yearly_review_task",
        done=_review_done,
        run=_review_run,
        runs=_review_runs,
        order=30,
    ),
]
