"""Writing deliveries to the outbox, inside the caller's transaction.

Every change that announces an event calls `outbox_write` (through the receivers in
webhooks/receivers.py) before its transaction commits: the rows commit with the change or
not at all. Sending starts after the commit (a task per batch), and the sweep picks up
whatever that missed. Jobs that change thousands of rows pay one cheap in-memory check
when nobody listens, and one bulk INSERT when someone does."""

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from webhooks.models import Delivery, Endpoint

log = logging.getLogger(__name__)

# How long a process trusts its list of the events someone listens to. A change made in
# this process forgets it at once; other processes (workers) see it within this time.
LISTENERS_TTL_SECONDS = 10.0
BATCH = 500
_cache_lock = threading.Lock()
_listened: tuple[float, frozenset[str]] | None = None


def events_listened() -> frozenset[str]:
    """The events at least one active endpoint listens to (cached per process)."""
    global _listened
    cached = _listened
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    events: set[str] = set()
    for endpoint_events in Endpoint.objects.filter(is_active=True).values_list("events", flat=True):
        events.update(endpoint_events or [])
    value = frozenset(events)
    with _cache_lock:
        _listened = (now + LISTENERS_TTL_SECONDS, value)
    return value


def listeners_forget() -> None:
    """Endpoints changed: read them again next time (now and after the commit)."""
    global _listened
    with _cache_lock:
        _listened = None

    def forget_again() -> None:
        global _listened
        with _cache_lock:
            _listened = None

    transaction.on_commit(forget_again)


def is_listened(event: str) -> bool:
    return event in events_listened()


def body_dumps(*, event: str, event_id: uuid.UUID, occurred_at, data: dict) -> str:
    """The delivery body: the event's envelope around its data, as sent and signed."""
    return json.dumps(
        {
            "id": str(event_id),
            "type": event,
            "occurred_at": occurred_at.isoformat(),
            "data": data,
        },
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def outbox_write(
    *,
    event: str,
    items: Iterable[dict],
    now=None,
    endpoints: list[Endpoint] | None = None,
    dispatch: bool | None = None,
) -> list[uuid.UUID]:
    """One delivery per item per active endpoint listening to `event` (or per endpoint
    given), written with bulk INSERTs in the current transaction; their sending is
    queued for after the commit (`dispatch`; by default `send_on_commit()`). Returns the
    delivery ids."""
    now = now or timezone.now()
    if endpoints is None:
        endpoints = [
            endpoint
            for endpoint in Endpoint.objects.filter(is_active=True).only("pk", "events")
            if endpoint.listens_to(event)
        ]
    if not endpoints:
        return []
    rows: list[Delivery] = []
    for data in items:
        event_id = uuid.uuid4()
        body = body_dumps(event=event, event_id=event_id, occurred_at=now, data=data)
        rows.extend(
            Delivery(
                id=uuid.uuid4(),
                endpoint_id=endpoint.pk,
                event=event,
                event_id=event_id,
                body=body,
                next_attempt_at=now,
                created_at=now,
            )
            for endpoint in endpoints
        )
    if not rows:
        return []
    Delivery.objects.bulk_create(rows, batch_size=BATCH)
    ids = [row.pk for row in rows]
    if send_on_commit() if dispatch is None else dispatch:
        transaction.on_commit(lambda: deliveries_dispatch(ids), robust=True)
    return ids


def send_on_commit() -> bool:
    """Queue the sending as each change commits? By default only with a Celery broker:
    without one, tasks run in-process and the page that made the change would wait for
    the receivers; there `manage.py send_webhooks` (every minute from cron) sends."""
    default = not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)
    return bool(getattr(settings, "WEBHOOKS_SEND_ON_COMMIT", default))


def deliveries_dispatch(ids: list[uuid.UUID], *, manual: bool = False) -> None:
    """Queue the sending of `ids` in tasks of BATCH. A broker that is down costs
    nothing: the rows wait in the outbox for the sweep."""
    from webhooks.tasks import deliveries_send_task

    for start in range(0, len(ids), BATCH):
        chunk = [str(pk) for pk in ids[start : start + BATCH]]
        try:
            deliveries_send_task.delay(chunk, manual=manual)
        except Exception:  # the broker: the sweep will send them
            log.warning("Could not queue %s webhook deliveries; the sweep will", len(chunk))
