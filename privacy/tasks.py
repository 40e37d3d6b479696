"""Background work of the privacy app (a Celery worker; in-process without a broker).
Thin: each task parses its arguments and calls a service."""

import datetime

from celery import shared_task
from django.utils import timezone

from customers.jobs import job_catch_up
from privacy.jobs import DORMANT_PROPOSE
from privacy.services.copy import rights_copy_make_now


@shared_task(soft_time_limit=10 * 60, time_limit=12 * 60)
def dormant_propose_task(today: str | None = None) -> int | None:
    """Daily (see config/celery.py). `today` as YYYY-MM-DD, default the Shanghai date.
    Returns the people newly proposed for `today`, None if it was already run."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return job_catch_up(DORMANT_PROPOSE, today=day)


@shared_task(soft_time_limit=10 * 60, time_limit=12 * 60)
def rights_copy_make(copy_id: int) -> str:
    """Make the copy of a person's information for a copy request."""
    return rights_copy_make_now(copy_id=copy_id)
