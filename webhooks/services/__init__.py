"""Writes: the outbox, sending, and managers' actions on endpoints and deliveries."""

from webhooks.services.endpoints import (
    delivery_retry_now,
    endpoint_create,
    endpoint_secret_regenerate,
    endpoint_send_test,
    endpoint_set_active,
    endpoint_update,
)
from webhooks.services.outbox import (
    events_listened,
    is_listened,
    listeners_forget,
    outbox_write,
)
from webhooks.services.sending import (
    backoff,
    deliveries_prune,
    deliveries_send,
    deliveries_send_due,
    delivery_attempt,
)

__all__ = [
    "backoff",
    "deliveries_prune",
    "deliveries_send",
    "deliveries_send_due",
    "delivery_attempt",
    "delivery_retry_now",
    "endpoint_create",
    "endpoint_secret_regenerate",
    "endpoint_send_test",
    "endpoint_set_active",
    "endpoint_update",
    "events_listened",
    "is_listened",
    "listeners_forget",
    "outbox_write",
]
