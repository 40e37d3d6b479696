"""Thin Celery tasks: they parse arguments and call a service."""

import datetime

from celery import shared_task
from django.utils import timezone

from archives.services import retention_expire


@shared_task
def retention_expire_task(today: str | None = None) -> int | None:
    """Daily (see config/celery.py). `today` as YYYY-MM-DD, default the Shanghai date."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    run = retention_expire(today=day)
    return run.expired_count if run else None
