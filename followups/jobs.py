"""Daily planning as a periodic job (customers/jobs.py): catch-up, deadline, job runs.
Registered in FollowupsConfig.ready(); PlanningRun is the claim."""

import datetime

from django.utils.translation import gettext_lazy as _

from customers.jobs import DAILY, JobRunRow, PeriodicJob
from followups.models import PlanningRun
from followups.services import planning_run

DAILY_PLANNING = "followups.daily_planning"


def _done(*, since: datetime.date) -> set[datetime.date]:
    return set(PlanningRun.objects.filter(run_date__gte=since).values_list("run_date", flat=True))


def _run(*, period: datetime.date, today: datetime.date) -> int | None:
    run = planning_run(today=period)
    return run.created_total if run else None


def _runs(*, limit: int) -> list[JobRunRow]:
    return [
        JobRunRow(
            period=run.run_date,
            label=run.run_date.isoformat(),
            started=run.started_at,
            finished=run.finished_at,
            rows=run.created_total,
        )
        for run in PlanningRun.objects.order_by("-run_date")[:limit]
    ]


JOBS = [
    PeriodicJob(
        key=DAILY_PLANNING,
        label=_("Daily follow-up planning"),
        cadence=DAILY,
        # A week: the missed days' follow-ups are planned (due on their day, so overdue);
        # a longer outage is a backlog the first run after it plans anyway.
        lookback=7,
        deadline=datetime.timedelta(hours=7),  # 07:00, before the reps start
        task="followups.tasks.daily_planning_task",
        done=_done,
        run=_run,
        runs=_runs,
        order=50,
    )
]
