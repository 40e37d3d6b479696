"""The half-yearly re-evaluation 每半年重新评估, its proposals, the committee's decisions,
the grade changes that took effect, and the messages telling customers."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from customers.models import Grade
from tiers.models.choices import (
    ChangeSource,
    ChangeType,
    NotificationChannel,
    NotificationStatus,
    ProposalReason,
    ProposalStatus,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class Evaluation(models.Model):
    """One half-yearly review (1 January, 1 July). The review date is the job's claim."""

    review_date = models.DateField(_("review date"), unique=True)
    snapshot_month = models.DateField(_("figures of the month"))
    policy = models.ForeignKey(
        "tiers.TierPolicy", verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    proposal_count = models.PositiveIntegerField(_("proposals"), default=0)

    class Meta:
        verbose_name = _("half-yearly evaluation")
        verbose_name_plural = _("half-yearly evaluations")
        ordering = ["-review_date"]

    def __str__(self) -> str:
        return _("Evaluation of %(date)s") % {"date": self.review_date.isoformat()}


class Proposal(models.Model):
    """A proposed grade change for one customer, with the figures behind it. Nothing
    changes until the committee approves it (or overrides it with another grade)."""

    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("evaluation"),
        on_delete=models.PROTECT,
        related_name="proposals",
        # Every index below starts with the evaluation: a single-column one is only
        # written, never read.
        db_index=False,
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    owner_id = models.BigIntegerField(_("owner"))
    team_id = models.BigIntegerField(_("team"), null=True)
    from_grade = models.CharField(_("from"), max_length=1, choices=Grade.choices, blank=True)
    to_grade = models.CharField(_("proposed"), max_length=1, choices=Grade.choices)
    change_type = models.CharField(_("change"), max_length=10, choices=ChangeType.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=ProposalReason.choices)
    spend_12m = models.DecimalField(_("12-month spend (¥)"), **MONEY)
    spend_prev_12m = models.DecimalField(_("spend in the 12 months before (¥)"), **MONEY)
    bookings_12m = models.PositiveIntegerField(_("bookings in 12 months"))
    bookings_prev_12m = models.PositiveIntegerField(_("bookings in the 12 months before"))
    recency_days = models.IntegerField(_("days since the last trip"), null=True)
    complaints_12m = models.PositiveIntegerField(_("complaints in 12 months"))
    # The bar the spend was measured against: the lowest 12-month spend of the higher of
    # the two grades (the one reached, or the one no longer reached).
    grade_threshold = models.DecimalField(_("grade threshold (¥)"), null=True, **MONEY)
    gross_profit_12m = models.DecimalField(_("12-month gross profit (¥)"), null=True, **MONEY)
    avg_payment_delay_days = models.DecimalField(
        _("average payment delay (days)"), max_digits=8, decimal_places=1, null=True
    )
    poor_value = models.BooleanField(_("large but poor value"), default=False)
    manual_since = models.DateTimeField(_("grade set by hand on"), null=True, blank=True)

    status = models.CharField(
        _("decision"),
        max_length=10,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PENDING,
    )
    decided_grade = models.CharField(
        _("decided grade"), max_length=1, choices=Grade.choices, blank=True
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
    decision_note = models.CharField(_("reason for the override"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("grade proposal")
        verbose_name_plural = _("grade proposals")
        ordering = ["evaluation", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "customer"], name="tiers_proposal_eval_customer"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved"]) | ~Q(decision_note=""),
                name="tiers_proposal_override_has_reason",
                violation_error_message=_("An override needs a reason."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["evaluation", "status", "change_type"], name="tiers_proposal_status"
            ),
            models.Index(fields=["evaluation", "owner_id"], name="tiers_proposal_owner"),
            # The review page: one status, the largest spend first (LIMIT 50 reads 50
            # index entries instead of sorting the 650,000 proposals of a review).
            models.Index(
                fields=["evaluation", "status", "-spend_12m", "id"],
                name="tiers_proposal_review_page",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.from_grade or '-'} → {self.to_grade}"

    @property
    def margin_percent(self) -> Decimal | None:
        if self.gross_profit_12m is None or not self.spend_12m:
            return None
        return (self.gross_profit_12m * 100 / self.spend_12m).quantize(Decimal("0.1"))

    @property
    def reason_text(self) -> str:
        """The reason in words, with the figures behind it, in the reader's language."""
        figures = {
            "spend": f"{self.spend_12m:,.0f}",
            "before": f"{self.spend_prev_12m:,.0f}",
            "bookings": self.bookings_12m,
            "bookings_before": self.bookings_prev_12m,
            "days": self.recency_days if self.recency_days is not None else "—",
            "complaints": self.complaints_12m,
            "grade": self.to_grade,
            "from": self.from_grade,
            "bar": f"{self.grade_threshold:,.0f}" if self.grade_threshold is not None else "—",
        }
        texts = {
            ProposalReason.FIRST_GRADE: _("First grade: 12-month spend ¥%(spend)s."),
            ProposalReason.SPEND_GROWTH: _(
                "12-month spend ¥%(spend)s, up from ¥%(before)s the year before."
            ),
            ProposalReason.FREQUENCY_GROWTH: _(
                "12-month spend ¥%(spend)s; %(bookings)s bookings, up from %(bookings_before)s."
            ),
            ProposalReason.INACTIVE: _("No trip for %(days)s days."),
            ProposalReason.COMPLAINTS: _("%(complaints)s complaints in the last 12 months."),
        }
        if self.reason == ProposalReason.SPEND_GRADE:
            if self.change_type == ChangeType.UPGRADE:
                text = _(
                    "12-month spend ¥%(spend)s reaches grade %(grade)s (from ¥%(bar)s); "
                    "the 12 months before: ¥%(before)s."
                )
            else:
                text = _(
                    "12-month spend ¥%(spend)s is below the ¥%(bar)s grade %(from)s needs: "
                    "grade %(grade)s by spend (the 12 months before: ¥%(before)s; bookings "
                    "in 12 months: %(bookings)s; last trip %(days)s days ago)."
                )
        else:
            text = texts[self.reason]
        sentences = [str(text) % figures]
        if self.poor_value:
            sentences.append(poor_value_text(self.margin_percent, self.avg_payment_delay_days))
        if self.manual_since:
            sentences.append(
                gettext("The grade in force was set by hand on %(date)s.")
                % {"date": timezone.localdate(self.manual_since).isoformat()}
            )
        return " ".join(sentences)


def poor_value_text(margin: Decimal | None, delay: Decimal | None) -> str:
    """The "large but poor value" flag with the two figures behind it."""
    return gettext(
        "Large but poor value: gross margin %(margin)s%%, paid %(delay)s days after the "
        "due date on average."
    ) % {
        "margin": margin if margin is not None else "—",
        "delay": delay if delay is not None else "—",
    }


class GradeChange(models.Model):
    """A grade change that took effect 等级变更记录: approved from an evaluation, or a
    manager's manual override. History: never edited."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="grade_changes",
    )
    from_grade = models.CharField(_("from"), max_length=1, choices=Grade.choices, blank=True)
    to_grade = models.CharField(_("to"), max_length=1, choices=Grade.choices)
    source = models.CharField(_("source"), max_length=10, choices=ChangeSource.choices)
    # A manager's reason (manual override, committee override); an approved proposal's
    # reason is the proposal's, shown through `reason_text`.
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("evaluation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
    )
    proposal = models.OneToOneField(
        Proposal,
        verbose_name=_("proposal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="change",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["customer", "-changed_at"], name="tiers_change_customer")]

    def __str__(self) -> str:
        return f"{self.from_grade or '-'} → {self.to_grade}"

    @property
    def is_manual(self) -> bool:
        return self.source == ChangeSource.MANUAL

    @property
    def reason_text(self) -> str:
        """Why: the manager's words, else the proposal's reason (select_related it)."""
        if self.reason or self.proposal_id is None:
            return self.reason
        return self.proposal.reason_text


class GradeNotification(models.Model):
    """Telling the customer their new grade and its benefits: e-mails are sent by the
    system; SMS and phone calls are tasks for the owner, who marks them done."""

    change = models.ForeignKey(
        GradeChange,
        verbose_name=_("grade change"),
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=NotificationChannel.choices)
    address = models.CharField(_("to"), max_length=254)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    created_at = models.DateTimeField(_("created"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("grade notification")
        verbose_name_plural = _("grade notifications")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["owner", "status"], name="tiers_notify_owner_status"),
            models.Index(fields=["customer", "status"], name="tiers_notify_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address}"
