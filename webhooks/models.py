"""Webhook endpoints and the outbox of deliveries to them.

A delivery row is written in the same transaction as the change it announces, so a
crash after the commit loses nothing; workers send what is due and record each attempt.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WebhookEvent(models.TextChoices):
    CUSTOMER_CREATED = "customer.created", _("Customer created")
    CUSTOMER_UPDATED = "customer.updated", _("Customer updated")
    BOOKING_PAID = "booking.paid", _("Booking paid")
    GRADE_CHANGED = "grade.changed", _("Grade changed")
    POINTS_CHANGED = "points.changed", _("Points changed")
    # Sent by the "Send a test event" button only; nobody subscribes to it.
    PING = "ping", _("Test event")


SUBSCRIBABLE_EVENTS = [event for event in WebhookEvent if event != WebhookEvent.PING]


class Endpoint(models.Model):
    """An HTTPS address of another system that is told about the chosen events."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(pgettext_lazy("webhook", "events"), default=list)
    # The signing secret. It must be readable to compute signatures (not a hash);
    # encrypting it at rest is issue 16's job. Shown to a person once, when made.
    secret = models.CharField(_("signing secret"), max_length=100)
    is_active = models.BooleanField(pgettext_lazy("webhook endpoint", "active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(pgettext_lazy("webhook", "created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    secret_created_at = models.DateTimeField(_("secret made"))

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def listens_to(self, event: str) -> bool:
        return event in (self.events or [])


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("webhook delivery status", "Waiting to be sent")
    SENDING = "sending", pgettext_lazy("webhook delivery status", "Sending")
    DELIVERED = "delivered", pgettext_lazy("webhook delivery status", "Delivered")
    FAILED = "failed", pgettext_lazy("webhook delivery status", "Failed")


class Delivery(models.Model):
    """One event for one endpoint: the exact body that is signed and sent, and where its
    sending stands."""

    # The delivery id receivers see in X-CRM-Delivery (and may use to drop repeats).
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        Endpoint, verbose_name=_("endpoint"), on_delete=models.PROTECT, related_name="deliveries"
    )
    event = models.CharField(
        pgettext_lazy("webhook", "event"), max_length=32, choices=WebhookEvent.choices
    )
    # The body's "id": one per occurrence, the same for every endpoint told about it.
    event_id = models.UUIDField(_("event id"))
    body = models.TextField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # A sender's claim: while it lasts nobody else sends this delivery; after it (the
    # worker died mid-send) the sweep may take the delivery again.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("webhook", "created"), db_index=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep: what is waiting, by when it is due.
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint"),
            models.Index(fields=["status", "-created_at"], name="webhook_delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.pk})"


class DeliveryAttempt(models.Model):
    """One try at sending a delivery: what the receiver answered, or what went wrong."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    # The start of the receiver's answer, for finding out why it refused.
    response_excerpt = models.CharField(
        pgettext_lazy("webhook receiver", "response"), max_length=500, blank=True
    )
    manual = models.BooleanField(_("retried by hand"), default=False)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_unique")
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"
