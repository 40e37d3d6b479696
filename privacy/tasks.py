"""Background work of the privacy app (a Celery worker; in-process without a broker).
Thin: each task takes an id and calls the service."""

from celery import shared_task

from privacy.services.copy import rights_copy_make_now


@shared_task(soft_time_limit=10 * 60, time_limit=12 * 60)
def rights_copy_make(copy_id: int) -> str:
    """Make the copy of a person's information for a copy request."""
    return rights_copy_make_now(copy_id=copy_id)
