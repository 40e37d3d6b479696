from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import TripType


class RetentionChangeStatus(models.TextChoices):
    APPLIED = "applied", _("Applied at once (later)")
    PENDING = "pending", _("Waiting for a manager")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    SUPERSEDED = "superseded", _("Replaced by a later change")


class RetentionChange(models.Model):
    """One change of an archive's keep-until date, asked for by an edit of its tour (end
    date or trip type). A later date applies at once; an earlier one waits for a manager's
    approval with a reason and, once approved, never makes the archive destroyable sooner
    than the policy's waiting period after the approval. The rows are the keep-until
    history shown on the archive page and in the admin; they are never deleted."""

    archive = models.ForeignKey(
        "archives.BusinessArchive",
        verbose_name=_("business archive"),
        on_delete=models.PROTECT,
        related_name="retention_changes",
    )
    status = models.CharField(_("status"), max_length=12, choices=RetentionChangeStatus.choices)
    old_end = models.DateField(_("kept until before"))
    proposed_end = models.DateField(_("keep until asked for"))
    applied_end = models.DateField(_("keep until applied"), null=True, blank=True)
    old_years = models.PositiveSmallIntegerField(_("years before"))
    proposed_years = models.PositiveSmallIntegerField(_("years asked for"))
    tour_end_before = models.DateField(_("tour end before"))
    tour_end_after = models.DateField(_("tour end after"))
    trip_type_before = models.CharField(
        _("trip type before"), max_length=10, choices=TripType.choices
    )
    trip_type_after = models.CharField(
        _("trip type after"), max_length=10, choices=TripType.choices
    )
    reason = models.TextField(_("reason given with the edit"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("changed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("manager's reason"), blank=True)

    class Meta:
        verbose_name = _("keep-until change")
        verbose_name_plural = _("keep-until changes")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open request per archive: a newer edit replaces the older request.
            models.UniqueConstraint(
                fields=["archive"],
                condition=Q(status="pending"),
                name="retentionchange_one_pending_per_archive",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "refused"])
                | (Q(decided_by__isnull=False, decided_at__isnull=False) & ~Q(decision_reason="")),
                name="retentionchange_decision_has_manager_and_reason",
                violation_error_message=_("A decision needs the manager and a reason."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["applied", "approved"]) | Q(applied_end__isnull=False),
                name="retentionchange_applied_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.old_end:%Y-%m-%d} → {self.proposed_end:%Y-%m-%d}"

    @property
    def is_shortening(self) -> bool:
        return self.proposed_end < self.old_end
