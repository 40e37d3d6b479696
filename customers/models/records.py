from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.models.choices import (
    ContactChannel,
    ContactOutcome,
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


class ServiceRecord(models.Model):
    """A service record 服务记录: a complaint, request, suggestion or praise."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="service_records",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices)
    occurred_at = models.DateTimeField(_("when"))
    summary = models.CharField(_("summary"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ServiceStatus.choices, default=ServiceStatus.OPEN
    )
    resolution = models.TextField(_("handling and resolution"), blank=True)
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
        indexes = [models.Index(fields=["customer", "occurred_at"])]

    def __str__(self) -> str:
        return self.summary
