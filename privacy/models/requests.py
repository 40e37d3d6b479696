"""A person's request under PIPL Art. 44-47: a copy of what is held, a correction, deletion,
or withdrawal of consent. Registered by a custodian or manager, answered by a deadline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RequestKind(models.TextChoices):
    COPY = "copy", _("Copy of the person's information")
    CORRECTION = "correction", pgettext_lazy("rights request", "Correction")
    DELETION = "deletion", _("Deletion")
    WITHDRAWAL = "withdrawal", _("Withdrawal of consent")


class RequestChannel(models.TextChoices):
    PAPER = "paper", _("Letter or signed form")
    ONLINE = "online", _("Online")
    PHONE = "phone", _("By phone")
    IN_PERSON = "in_person", _("In person")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")


class RightsRequest(models.Model):
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="rights_requests",
    )
    kind = models.CharField(_("request"), max_length=12, choices=RequestKind.choices)
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("received by"), max_length=12, choices=RequestChannel.choices)
    requester = models.CharField(
        _("asked by"),
        max_length=200,
        blank=True,
        help_text=_(
            "Leave empty when the person asked themselves; otherwise who and on what authority."
        ),
    )
    details = models.TextField(_("what the person asks"), blank=True)
    due_on = models.DateField(_("answer due"))
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    outcome = models.TextField(_("outcome"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal-information request")
        verbose_name_plural = _("personal-information requests")
        ordering = ["status", "due_on", "id"]
        indexes = [
            models.Index(
                fields=["due_on", "id"],
                condition=Q(status="open"),
                name="rights_request_open_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (~Q(status="open") & Q(closed_at__isnull=False) & ~Q(outcome="")),
                name="rights_request_closed_has_date_and_outcome",
                violation_error_message=_("A closed request needs its outcome."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.customer}"
