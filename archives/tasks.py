"""Thin Celery tasks: they parse arguments and call a service."""

import datetime

from celery import shared_task
from django.utils import timezone

from archives.jobs import RETENTION_EXPIRE
from customers.jobs import job_catch_up


# One UPDATE (0.16 s at a million archives, README Benchmarks), a week of catch-up at most.
@shared_task(soft_time_limit=5 * 60, time_limit=6 * 60)
def retention_expire_task(today: str | None = None) -> int | None:
    """Daily (see config/celery.py). `today` as YYYY-MM-DD, default the Shanghai date.
    Missed days first (customers/jobs.py); returns the archives marked for `today`, None
    if it was already run."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return job_catch_up(RETENTION_EXPIRE, today=day)


# Reads every stored document (about 0.5–1 GB a second from a local disk): the longest
# limits the broker's visibility timeout (40 minutes) allows.
@shared_task(soft_time_limit=25 * 60, time_limit=30 * 60)
def verify_documents_task() -> int | None:
    """Weekly (see config/celery.py): archives.integrity.documents_verify. Returns the
    number of missing or altered files, None when another check was running."""
    from archives.integrity import documents_verify

    check = documents_verify()
    return None if check is None else check.missing + check.altered
