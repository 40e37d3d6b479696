"""Reads of the outbox for the managers' page."""

from django.db.models import Count, QuerySet

from customers.models import MessageStatus, OutboundAttempt, OutboundMessage


def outbox_counts() -> dict[str, int]:
    """Messages by status (one grouped query)."""
    counts = dict.fromkeys(MessageStatus.values, 0)
    rows = OutboundMessage.objects.order_by().values("status").annotate(n=Count("id"))
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def outbox_failed_count() -> int:
    return OutboundMessage.objects.filter(status=MessageStatus.FAILED).count()


def outbox_list(*, status: str = "") -> QuerySet[OutboundMessage]:
    """The newest first; `status` one of MessageStatus (anything else: all)."""
    messages = OutboundMessage.objects.defer("body").order_by("-created_at", "-pk")
    if status in MessageStatus.values:
        messages = messages.filter(status=status)
    return messages


def outbox_message_get(*, pk) -> OutboundMessage | None:
    try:
        return OutboundMessage.objects.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def outbox_attempts(*, message: OutboundMessage) -> QuerySet[OutboundAttempt]:
    return OutboundAttempt.objects.filter(message=message).order_by("number")
