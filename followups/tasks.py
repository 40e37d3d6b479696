"""Thin Celery tasks: they parse arguments and call a service."""

import datetime

from celery import shared_task
from django.utils import timezone

from followups.services import planning_run


@shared_task
def daily_planning_task(today: str | None = None) -> int | None:
    """Daily at 06:00 Asia/Shanghai (see config/celery.py). `today` as YYYY-MM-DD, default
    the Shanghai date. Returns how many follow-ups were planned, None if already run."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    run = planning_run(today=day)
    return run.created_total if run else None
