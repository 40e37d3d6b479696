"""Thin Celery tasks: they parse arguments and call a service."""

import datetime

from celery import shared_task
from django.utils import timezone

from customers.jobs import job_catch_up
from loyalty.jobs import ANNUAL_REWARDS, POINTS_EXPIRY


# Set-based expiry, plus the sweep of missed bookings (at most 20,000 a run, synced one
# by one at about 90 a second: up to 4 minutes); a missed month doubles it.
@shared_task(soft_time_limit=25 * 60, time_limit=30 * 60)
def points_expiry_task(today: str | None = None) -> int | None:
    """1st of every month, 01:00 (config/celery.py). `today` as YYYY-MM-DD (Shanghai).
    A missed month first (customers/jobs.py); returns the lots expired this month, None
    if this month's run was already done."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return job_catch_up(POINTS_EXPIRY, today=day)


# One grouped query per customer kind and a bulk insert: seconds.
@shared_task(soft_time_limit=10 * 60, time_limit=12 * 60)
def annual_rewards_task(today: str | None = None) -> int | None:
    """1 January, 05:00: rewards for the calendar year before `today`; a missed earlier
    year first (customers/jobs.py). None if that year was already run."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return job_catch_up(ANNUAL_REWARDS, today=day)


# Every ten minutes: one grouped pass over the open lots (about a million at a million
# customers) and a few dozen rows written.
@shared_task(ignore_result=True, soft_time_limit=5 * 60, time_limit=6 * 60)
def points_liability_refresh_task() -> int | None:
    """The liability page's stored figures, summed again as of now."""
    from loyalty.services import points_liability_refresh

    return points_liability_refresh()
