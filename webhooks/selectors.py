"""Reads for the webhook pages (managers only: the views check)."""

import json

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from webhooks.models import Delivery, DeliveryStatus, Endpoint


def _count(statuses):
    """How many of the endpoint's deliveries are in `statuses`: a subquery each, which the
    status indexes answer without reading the whole log."""
    return Coalesce(
        Subquery(
            Delivery.objects.filter(endpoint=OuterRef("pk"), status__in=statuses)
            .order_by()
            .values("endpoint")
            .annotate(count=Count("pk"))
            .values("count")[:1]
        ),
        0,
    )


def endpoint_list():
    """Endpoints with how many of their deliveries wait and how many failed."""
    return Endpoint.objects.annotate(
        waiting=_count([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
        failed=_count([DeliveryStatus.FAILED]),
    ).order_by("name", "pk")


def delivery_list(*, endpoint=None, event: str = "", status: str = ""):
    deliveries = Delivery.objects.select_related("endpoint").defer("body")
    if endpoint is not None:
        deliveries = deliveries.filter(endpoint=endpoint)
    if event:
        deliveries = deliveries.filter(event=event)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-pk")


def delivery_get(*, pk) -> Delivery | None:
    return Delivery.objects.select_related("endpoint").filter(pk=pk).first()


def delivery_attempts(*, delivery: Delivery):
    return delivery.attempt_log.order_by("number")


def payload_pretty(delivery: Delivery) -> str:
    try:
        return json.dumps(json.loads(delivery.body), ensure_ascii=False, indent=2)
    except ValueError:
        return delivery.body
