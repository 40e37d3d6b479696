"""Thin Celery tasks: ids in, services do the work.

Retries are not Celery's (a retry held by a worker dies with it): each failed attempt
writes the delivery's next attempt time into the outbox, and the sweep, every minute,
sends whatever is due."""

from celery import shared_task

from webhooks.services import deliveries_prune, deliveries_send, deliveries_send_due


@shared_task(ignore_result=True)
def deliveries_send_task(delivery_ids: list[str], manual: bool = False) -> int:
    """Queued when the change that wrote these deliveries commits (or a manager asked)."""
    return deliveries_send(delivery_ids=delivery_ids, manual=manual)


# The sweep stops sending after 50 s (it runs every minute); one send is at most 13 s.
@shared_task(ignore_result=True, soft_time_limit=2 * 60, time_limit=3 * 60)
def deliveries_sweep_task() -> int:
    """Every minute (config/celery.py): what is due, including retries; then a batch of
    the log past its keeping time."""
    attempted = deliveries_send_due().attempted
    deliveries_prune()
    return attempted
