"""The outbox: every message the product sends (e-mail today; SMS and WeChat later).

A message is a row written in the same transaction as the change that causes it, so a
mail server that is down, a worker killed after the commit or a broker that lost the
task loses nothing: the row waits, and the sweep sends what is due. Each attempt and its
error are kept; after OUTBOX_MAX_ATTEMPTS the message is failed and shown to managers."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")


class MessageStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("outgoing message status", "Waiting to be sent")
    SENDING = "sending", pgettext_lazy("outgoing message status", "Sending")
    SENT = "sent", pgettext_lazy("outgoing message status", "Sent")
    FAILED = "failed", pgettext_lazy("outgoing message status", "Failed")


class OutboundMessage(models.Model):
    """One message to its recipients, rendered (in the language chosen when it was
    queued) and waiting to be sent, being sent, sent or failed."""

    channel = models.CharField(
        _("channel"), max_length=10, choices=MessageChannel.choices, default=MessageChannel.EMAIL
    )
    # What the message is for, as a key of the app that queued it ("tiers.grade",
    # "custody.alert" …), and which of its rows it is about ("grade_notification:12"):
    # the app hears when the message is sent or fails (customers.signals) by these.
    kind = models.CharField(_("kind"), max_length=50)
    reference = models.CharField(_("about"), max_length=100, blank=True)
    recipients = models.JSONField(pgettext_lazy("outgoing message", "to"), default=list)
    subject = models.CharField(_("subject"), max_length=500)
    body = models.TextField(_("text"))
    # The Message-ID header, fixed when queued: a message sent again after a crash
    # between the server's acceptance and our record carries the same id, by which mail
    # systems recognise a repeat.
    message_id_header = models.CharField(max_length=255, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # A sender's claim: while it lasts nobody else sends this message; after it (the
    # worker died mid-send) the sweep takes the message again.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("outgoing message", "queued"))

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep: what is waiting, by when it is due.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due",
                condition=Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["status", "-created_at"], name="outbox_status"),
            models.Index(fields=["kind", "reference"], name="outbox_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_status_display()})"


class OutboundAttempt(models.Model):
    """One try at sending a message: how long it took and what went wrong, if anything."""

    message = models.ForeignKey(
        OutboundMessage, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    sent = models.BooleanField(pgettext_lazy("outgoing message attempt", "sent"), default=False)
    error = models.CharField(_("error"), max_length=500, blank=True)
    manual = models.BooleanField(_("retried by hand"), default=False)

    class Meta:
        verbose_name = _("sending attempt")
        verbose_name_plural = _("sending attempts")
        ordering = ["message", "number"]
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="outbox_attempt_unique")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} #{self.number}"
