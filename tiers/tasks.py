"""Thin Celery tasks: they parse arguments and call a service (schedule: config/celery.py)."""

import datetime

from celery import shared_task
from django.utils import timezone

from tiers.services import half_yearly_review, monthly_statistics, statistics_default_month


@shared_task
def monthly_statistics_task(today: str | None = None, month: str | None = None) -> int | None:
    """1st of each month, 02:00 Shanghai: the statistics of the month just ended.
    `today` as YYYY-MM-DD (default the Shanghai date); `month` as YYYY-MM overrides."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    target = (
        datetime.date.fromisoformat(f"{month}-01") if month else statistics_default_month(today=day)
    )
    run = monthly_statistics(month=target, today=day)
    return run.customer_count if run else None


@shared_task
def half_yearly_review_task(today: str | None = None) -> int | None:
    """1 January and 1 July, 04:00 Shanghai: propose grade changes for the committee."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    evaluation = half_yearly_review(today=day)
    return evaluation.proposal_count if evaluation else None
