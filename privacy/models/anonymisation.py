"""Anonymisation of a person (PIPL Art. 47) and the customer-data retention queue.

`Anonymisation` is the permanent record that a person's data was removed: who did it,
when, why, what was changed (rows per kind) and what the law made the agency keep (with
the reason, stored as codes and translated when shown). `DormantProposal` is the queue
the retention job fills: a person with no business and no contact for the policy's
years, waiting for a custodian to anonymise or keep them. `DormantRun` is the job's
claim row, one per day."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Anonymisation(models.Model):
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="anonymisations",
    )
    request = models.ForeignKey(
        "privacy.RightsRequest",
        verbose_name=_("request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="anonymisations",
    )
    reason = models.CharField(_("reason"), max_length=300)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("performed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    performed_at = models.DateTimeField(_("performed"))
    # [{"what": code, "why": code, ...params}] — see privacy.anonymisation.kept_labels.
    kept = models.JSONField(_("kept"), default=list, blank=True)
    # {kind code: rows changed}
    counts = models.JSONField(_("rows changed"), default=dict, blank=True)

    class Meta:
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")
        ordering = ["-performed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer"], name="anonymisation_once_per_customer")
        ]

    def __str__(self) -> str:
        return f"#{self.customer_id} · {self.performed_at:%Y-%m-%d}"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ANONYMISED = "anonymised", _("Anonymised")
    KEPT = "kept", _("Kept")


class DormantProposal(models.Model):
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="dormant_proposals",
    )
    proposed_on = models.DateField(_("proposed on"))
    last_business_on = models.DateField(_("last business"), null=True, blank=True)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # Kept: not proposed again before this day.
    keep_until = models.DateField(_("kept until"), null=True, blank=True)

    class Meta:
        verbose_name = _("dormant customer proposal")
        verbose_name_plural = _("dormant customer proposals")
        ordering = ["proposed_on", "id"]
        indexes = [
            models.Index(
                fields=["proposed_on", "id"],
                condition=Q(status="proposed"),
                name="dormant_proposal_open",
            ),
            models.Index(fields=["customer", "status"], name="dormant_proposal_customer"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status="proposed"),
                name="dormant_proposal_one_open",
            ),
            models.CheckConstraint(
                condition=~Q(status="kept")
                | (Q(keep_until__isnull=False) & ~Q(decision_reason="")),
                name="dormant_proposal_kept_has_reason_and_date",
                violation_error_message=_("Keeping a customer needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.customer_id} · {self.proposed_on:%Y-%m-%d}"


class DormantRun(models.Model):
    """The retention job's claim row: one per day it ran for."""

    run_date = models.DateField(_("run date"), unique=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    proposed_count = models.PositiveIntegerField(_("newly proposed"), default=0)

    class Meta:
        verbose_name = _("dormant customer run")
        verbose_name_plural = _("dormant customer runs")
        ordering = ["-run_date"]

    def __str__(self) -> str:
        return self.run_date.isoformat()
