"""Thin Celery tasks for the outbox: ids in, services do the work.

Retries are not Celery's: a retry held by a worker (a countdown) dies with it, and with
Redis one longer than the broker's visibility timeout is delivered twice. Each failed
attempt writes the message's next attempt time (exponential backoff) into its row, and
the sweep, every minute, sends whatever is due."""

from celery import shared_task

from customers.services.outbox_sending import messages_prune, messages_send, messages_send_due


@shared_task(ignore_result=True)
def messages_send_task(message_ids: list[int], manual: bool = False) -> int:
    """Queued when the transaction that wrote these messages commits (or a manager
    asked to retry). Returns how many were sent."""
    return messages_send(message_ids=message_ids, manual=manual).sent


@shared_task(ignore_result=True)
def messages_sweep_task() -> int:
    """Every minute (config/celery.py): what is due, including retries and messages
    whose task was lost; then a batch of the log past its keeping time."""
    sent = messages_send_due().sent
    messages_prune()
    return sent


# At a million customers: one pass over the bookings, a few thousand rows written a day.
@shared_task(ignore_result=True, soft_time_limit=10 * 60, time_limit=12 * 60)
def dormancy_refresh_task(today: str | None = None) -> int:
    """Daily (config/celery.py): every customer's stored semi-dormancy date as of
    `today` (YYYY-MM-DD, default the Shanghai date). Returns the rows that changed."""
    import datetime

    from customers.services.dormancy import customers_dormancy_refresh

    day = datetime.date.fromisoformat(today) if today else None
    return customers_dormancy_refresh(today=day)


# Every ten minutes: four GROUP BYs (the month's payments, customers added and lost, by
# grade), about a second at a million customers; a few dozen rows written.
@shared_task(ignore_result=True, soft_time_limit=5 * 60, time_limit=6 * 60)
def home_figures_refresh_task() -> int | None:
    """The home pages' stored figures, summed again as of now."""
    from customers.services.figures import owner_figures_refresh

    return owner_figures_refresh()
