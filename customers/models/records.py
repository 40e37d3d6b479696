from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.contact_rules import contact_rules_check
from customers.models.choices import (
    ContactChannel,
    ContactOutcome,
    FeedbackSource,
    ServiceKind,
    ServiceStatus,
)


class ContactRecord(models.Model):
    """A contact record 联系记录: every call, visit, message or greeting."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="contact_records",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=ContactChannel.choices)
    contacted_at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="contact_records",
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=ContactOutcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_contact_on = models.DateField(_("next contact on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact record")
        verbose_name_plural = _("contact records")
        ordering = ["-contacted_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "contacted_at"]),
            models.Index(fields=["by", "contacted_at"]),  # a rep's contacts by date
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.contacted_at:%Y-%m-%d}"

    def clean(self) -> None:
        # The rules apps built on the archive add (an on-site visit needs an appointment,
        # followups): here, so every door that validates a contact record runs them.
        if self.channel and self.contacted_at:
            contact_rules_check(record=self)


class ServiceRecord(models.Model):
    """A service record 服务记录: a complaint, request, suggestion or praise, and its way
    through the feedback flow 意见反馈 (received → responded → handling and correction →
    closed and archived). The respond-by deadline comes from the return-visit policy, set
    by the app that owns it; the archive only stores it."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="service_records",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices)
    source_channel = models.CharField(
        _("came in by"), max_length=20, choices=FeedbackSource.choices, blank=True
    )
    booking = models.ForeignKey(
        "customers.Booking",
        verbose_name=_("about the booking"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_records",
    )
    occurred_at = models.DateTimeField(_("when"))
    summary = models.CharField(_("summary"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ServiceStatus.choices, default=ServiceStatus.OPEN
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_service_records",
    )
    respond_by = models.DateTimeField(_("respond by"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    response = models.TextField(_("response to the customer"), blank=True)
    resolution = models.TextField(_("handling and resolution"), blank=True)
    correction = models.TextField(_("correction (整改)"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="service_records",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "occurred_at"]),
            # Unanswered feedback by deadline (the daily overdue check, the feedback list).
            models.Index(fields=["status", "respond_by"], name="servicerecord_status_due"),
            models.Index(fields=["kind", "occurred_at"], name="servicerecord_kind_when"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(responded_at__isnull=True) | ~models.Q(response=""),
                name="servicerecord_response_text",
                violation_error_message=_("A response needs the words said to the customer."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="resolved") | models.Q(closed_at__isnull=False),
                name="servicerecord_closed_has_date",
                violation_error_message=_("A closed record needs the date it was closed."),
            ),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def is_answered(self) -> bool:
        return self.responded_at is not None
