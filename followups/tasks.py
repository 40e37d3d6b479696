"""Thin Celery tasks: they parse arguments and call a service."""

import datetime

from celery import shared_task
from django.utils import timezone

from customers.jobs import job_catch_up
from followups.jobs import DAILY_PLANNING


# A day is ~10 s at a million customers, the first run's whole backlog 84 s (README
# Benchmarks); up to a week of missed days, several times slower on a loaded machine.
@shared_task(soft_time_limit=15 * 60, time_limit=20 * 60)
def daily_planning_task(today: str | None = None) -> int | None:
    """Daily at 06:00 Asia/Shanghai (see config/celery.py). `today` as YYYY-MM-DD, default
    the Shanghai date. Missed days first (customers/jobs.py); returns how many follow-ups
    were planned for `today`, None if it was already run."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return job_catch_up(DAILY_PLANNING, today=day)
