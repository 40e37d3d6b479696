"""Early warnings 预警 (the business-travel case, DOMAIN.md §3): a valuable customer's
spend falling away, or a complaint, seen before the customer is gone; a sudden rise seen
as an opportunity. Raised by the daily planning job (followups.services.warnings)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from followups.models.reasons import choice_label


class WarningKind(models.TextChoices):
    SPEND_FALL = "spend_fall", _("Spend falling")
    SPEND_RISE = "spend_rise", _("Spend rising: an opportunity")
    COMPLAINT = "complaint", pgettext_lazy("early warning", "Complaint")


SPEND_KINDS = (WarningKind.SPEND_FALL, WarningKind.SPEND_RISE)


class CustomerWarning(models.Model):
    """One episode of a warning for one customer. A spend episode starts on the first
    run that finds the condition while the customer has no warning of that kind still
    open or still in force, and ends on the first run that no longer finds it
    (`condition_ended_on`); a new warning of the kind is raised only after the previous
    one was both handled and ended. A complaint is an episode of its own (one warning
    per complaint)."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="warnings",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=WarningKind.choices)
    raised_on = models.DateField(_("raised on"))
    run = models.ForeignKey(
        "followups.PlanningRun",
        verbose_name=_("planning run"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="warnings",
    )
    # Spend warnings: net spend (amount less refunds) paid in the window ending on the
    # run date, and in the same window a year earlier.
    window_from = models.DateField(_("window from"), null=True, blank=True)
    window_to = models.DateField(_("window to"), null=True, blank=True)
    spend_recent = models.DecimalField(
        _("spend in the window (¥)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    spend_year_before = models.DecimalField(
        _("spend a year earlier (¥)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    service_record = models.OneToOneField(
        "customers.ServiceRecord",
        verbose_name=_("complaint"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="warning",
    )
    condition_ended_on = models.DateField(_("condition no longer met on"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_note = models.TextField(_("what was done"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        ordering = ["-raised_on", "-id"]
        indexes = [
            # Open warnings (My day, the backlog page) and the job's episode check.
            models.Index(fields=["customer", "kind", "handled_at"], name="warning_customer_kind"),
            # Open warnings newest first (My day's order, `-raised_on, -id`): a rep's
            # page walks it until it has 50 of their customers'.
            models.Index(
                fields=["raised_on", "id"],
                condition=models.Q(handled_at__isnull=True),
                name="warning_open_raised_id",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "kind"],
                condition=models.Q(handled_at__isnull=True, service_record__isnull=True),
                name="warning_one_open_spend_episode",
            ),
            models.CheckConstraint(
                condition=models.Q(handled_at__isnull=True) | ~models.Q(handled_note=""),
                name="warning_handled_with_note",
                violation_error_message=_("Say what was done about it."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.customer_id} · {self.raised_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.handled_at is None

    @property
    def change_percent(self) -> int | None:
        """The change against a year earlier, in whole percent (rounded toward zero)."""
        if not self.spend_year_before or self.spend_recent is None:
            return None
        return int((self.spend_recent - self.spend_year_before) * 100 / self.spend_year_before)

    @property
    def kind_label(self) -> str:
        return choice_label(WarningKind, self.kind)

    @property
    def headline(self) -> str:
        """What happened, in the active language (rendered when read)."""
        if self.kind == WarningKind.COMPLAINT:
            summary = self.service_record.summary if self.service_record_id else ""
            return gettext("Complaint: %(summary)s") % {"summary": summary}
        values = {
            "recent": f"{self.spend_recent or 0:,.0f}",
            "before": f"{self.spend_year_before or 0:,.0f}",
            "percent": abs(self.change_percent or 0),
        }
        if self.kind == WarningKind.SPEND_FALL:
            return (
                gettext(
                    "Spend down %(percent)d%%: ¥%(recent)s in the last 3 months, "
                    "¥%(before)s in the same months a year earlier"
                )
                % values
            )
        return (
            gettext(
                "Spend up %(percent)d%%: ¥%(recent)s in the last 3 months, "
                "¥%(before)s in the same months a year earlier"
            )
            % values
        )
