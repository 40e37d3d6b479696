"""The dormant-customer job as a periodic job (customers/jobs.py): catch-up, deadline,
job runs. Registered in PrivacyConfig.ready(); DormantRun is the claim."""

import datetime

from django.utils.translation import gettext_lazy as _

from customers.jobs import DAILY, PeriodicJob, dated_claims
from privacy.models import DormantRun

DORMANT_PROPOSE = "privacy.dormant_propose"


def _run(*, period: datetime.date, today: datetime.date) -> int | None:
    from privacy.dormant import dormant_propose

    run = dormant_propose(today=period)
    return run.proposed_count if run else None


_done, _runs = dated_claims(DormantRun, rows_field="proposed_count")

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
