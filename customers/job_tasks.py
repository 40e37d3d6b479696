"""The deadline check of the periodic jobs (customers/jobs.py), as a thin Celery task.
Loaded by the worker through CELERY_IMPORTS (customers/tasks.py is the outbox's)."""

from celery import shared_task

from customers.jobs import jobs_check_deadlines


@shared_task(ignore_result=True, soft_time_limit=2 * 60, time_limit=3 * 60)
def jobs_check_task() -> int:
    """Hourly (config/celery.py): alert managers about periods not done by their
    deadline, once per period, and queue those jobs again. Returns the alerts raised."""
    return len(jobs_check_deadlines())
