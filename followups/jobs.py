"""Daily planning as a periodic job (customers/jobs.py): catch-up, deadline, job runs.
Registered in FollowupsConfig.ready(); PlanningRun is the claim."""

import datetime

from django.utils.translation import gettext_lazy as _

from customers.jobs import DAILY, PeriodicJob, dated_claims
from followups.models import PlanningRun
from followups.services import planning_run

DAILY_PLANNING = "followups.daily_planning"


def _run(*, period: datetime.date, today: datetime.date) -> int | None:
    run = planning_run(today=period)
    return run.created_total if run else None


_done, _runs = dated_claims(PlanningRun, rows_field="created_total", finished_field="finished_at")

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
