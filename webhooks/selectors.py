"""Reads for the webhook pages (managers only: the views check)."""

import json

from django.db.models import Count, Q

from webhooks.models import Delivery, DeliveryStatus, Endpoint


def endpoint_list():
    """Endpoints with how many of their deliveries wait and how many failed."""
    return Endpoint.objects.annotate(
        waiting=Count(
            "deliveries",
            filter=Q(deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
        ),
        failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
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
