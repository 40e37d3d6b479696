"""The retention job as a periodic job (customers/jobs.py): catch-up, deadline, job
runs. Registered in ArchivesConfig.ready(); RetentionRun is the claim."""

import datetime

from django.utils.translation import gettext_lazy as _

from archives.models import RetentionRun
from archives.services import retention_expire
from customers.jobs import DAILY, PeriodicJob, dated_claims

RETENTION_EXPIRE = "archives.retention_expire"


def _run(*, period: datetime.date, today: datetime.date) -> int | None:
    run = retention_expire(today=period)
    return run.expired_count if run else None


_done, _runs = dated_claims(RetentionRun, rows_field="expired_count")

JOBS = [
    PeriodicJob(
        key=RETENTION_EXPIRE,
        label=_("Archive retention"),
        cadence=DAILY,
        # A week: each missed day marks what ended before it (so the archives carry the
        # day they would have been marked); the next run marks everything older anyway.
        lookback=7,
        deadline=datetime.timedelta(hours=6),  # runs at 03:00
        task="archives.tasks.retention_expire_task",
        done=_done,
        run=_run,
        runs=_runs,
        order=10,
    )
]
