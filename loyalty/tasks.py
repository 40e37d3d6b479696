"""Thin Celery tasks: they parse arguments and call a service."""

import datetime

from celery import shared_task
from django.utils import timezone

from loyalty.services import annual_rewards_issue, points_monthly


@shared_task
def points_expiry_task(today: str | None = None) -> int | None:
    """1st of every month, 01:00 (config/celery.py). `today` as YYYY-MM-DD (Shanghai)."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    run = points_monthly(today=day)
    return run.expired_lots if run else None


@shared_task
def annual_rewards_task(today: str | None = None) -> int | None:
    """1 January, 05:00: rewards for the calendar year before `today`."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    run = annual_rewards_issue(year=day.year - 1, today=day)
    return run.issued_count if run else None
