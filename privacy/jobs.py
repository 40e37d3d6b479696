"""The dormant-customer job as a periodic job (customers/jobs.py): catch-up, deadline,
job runs. Registered in PrivacyConfig.ready(); DormantRun is the claim."""

import datetime

from django.utils.translation import gettext_lazy as _

from customers.jobs import DAILY, JobRunRow, PeriodicJob
from privacy.models import DormantRun

DORMANT_PROPOSE = "privacy.dormant_propose"


def _done(*, since: datetime.date) -> set[datetime.date]:
    return set(DormantRun.objects.filter(run_date__gte=since).values_list("run_date", flat=True))


def _run(*, period: datetime.date, today: datetime.date) -> int | None:
    from privacy.dormant import dormant_propose

    run = dormant_propose(today=period)
    return run.proposed_count if run else None


def _runs(*, limit: int) -> list[JobRunRow]:
    return [
        JobRunRow(
            period=run.run_date,
            label=run.run_date.isoformat(),
            started=run.started_at,
            finished=None,
            rows=run.proposed_count,
        )
        for run in DormantRun.objects.order_by("-run_date")[:limit]
    ]


JOBS = [
    PeriodicJob(
        key=DORMANT_PROPOSE,
        label=_("Dormant customers (personal information)"),
        cadence=DAILY,
        # A missed day proposes nothing a later day would not: one day back is enough.
        lookback=1,
        deadline=datetime.timedelta(hours=6),  # runs at 03:30
        task="privacy.tasks.dormant_propose_task",
        done=_done,
        run=_run,
        runs=_runs,
        order=15,
    )
]
