"""Thin Celery tasks: they parse arguments and call a service (schedule: config/celery.py)."""

import datetime

from celery import shared_task
from django.utils import timezone

from customers.jobs import job_catch_up
from tiers.jobs import HALF_YEARLY_REVIEW, MONTHLY_STATISTICS
from tiers.services import monthly_statistics


# A month is 50 s at a million customers, 3 minutes on a loaded machine (README
# Benchmarks); up to three months of catch-up. A run cut short keeps the months it
# finished (one transaction each) and the next run resumes.
@shared_task(soft_time_limit=15 * 60, time_limit=20 * 60)
def monthly_statistics_task(today: str | None = None, month: str | None = None) -> int | None:
    """1st of each month, 02:00 Shanghai: the statistics of the month just ended, after
    any missed month (customers/jobs.py). `today` as YYYY-MM-DD (default the Shanghai
    date); `month` as YYYY-MM computes that month only."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    if month:
        run = monthly_statistics(month=datetime.date.fromisoformat(f"{month}-01"), today=day)
        return run.customer_count if run else None
    return job_catch_up(MONTHLY_STATISTICS, today=day)


# The review is 17 s at a million customers (60 s loaded), plus its month's statistics
# if they are missing; a missed review first.
@shared_task(soft_time_limit=15 * 60, time_limit=20 * 60)
def half_yearly_review_task(today: str | None = None) -> int | None:
    """1 January and 1 July, 04:00 Shanghai: propose grade changes for the committee;
    a missed review first (customers/jobs.py). None if this review was already made."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return job_catch_up(HALF_YEARLY_REVIEW, today=day)
