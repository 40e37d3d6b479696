"""The monthly statistics 每月统计: one row per customer per month, and small per-owner
summaries of those rows that the reports read (a manager's report at a million
customers sums a few thousand summary rows instead of scanning the snapshots)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.models import ChurnReason, CustomerStatus, Grade
from tiers.models.choices import Quadrant

SUM = {"max_digits": 16, "decimal_places": 2}
MONEY = {"max_digits": 14, "decimal_places": 2}


class StatisticsRun(models.Model):
    """The claim for one month's statistics: a second run for the month finds it and does
    nothing, and a concurrent run waits on the unique month, then finds it."""

    month = models.DateField(_("month"), unique=True, help_text=_("First day of the month."))
    policy = models.ForeignKey(
        "tiers.TierPolicy", verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    customer_count = models.PositiveIntegerField(_("customers"), default=0)

    class Meta:
        verbose_name = _("monthly statistics run")
        verbose_name_plural = _("monthly statistics runs")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class CustomerSnapshot(models.Model):
    """A customer's figures at the end of `month`, with the policy version used.

    Written only by the monthly job with INSERT … SELECT. The customer, owner and policy
    columns are historical copies: no database foreign key (no per-row check on a million
    inserted rows; customers are soft-deleted, never removed) and no index of their own,
    as every query reads one month: the unique (month, customer) serves the month's scans
    and the customer panel's lookup, the partial dormant index the dormant list."""

    month = models.DateField(_("month"))
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    team_id = models.BigIntegerField(_("team"), null=True)
    policy = models.ForeignKey(
        "tiers.TierPolicy",
        verbose_name=_("policy"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=CustomerStatus.choices)
    churn_reason = models.CharField(
        _("reason lost"), max_length=20, choices=ChurnReason.choices, blank=True
    )
    grade = models.CharField(_("grade in force"), max_length=1, choices=Grade.choices, blank=True)

    spend_12m = models.DecimalField(_("12-month spend (¥)"), **MONEY)
    spend_prev_12m = models.DecimalField(_("spend in the 12 months before (¥)"), **MONEY)
    gross_profit_12m = models.DecimalField(_("12-month gross profit (¥)"), **MONEY)
    bookings_12m = models.PositiveIntegerField(_("bookings in 12 months"))
    bookings_prev_12m = models.PositiveIntegerField(_("bookings in the 12 months before"))
    loyalty_bookings = models.PositiveIntegerField(_("bookings in the loyalty window"))
    last_trip_on = models.DateField(_("last trip"), null=True)
    recency_days = models.IntegerField(_("days since the last trip"), null=True)
    avg_payment_delay_days = models.DecimalField(
        _("average payment delay (days)"), max_digits=8, decimal_places=1, null=True
    )
    r_score = models.PositiveSmallIntegerField(_("R"))
    f_score = models.PositiveSmallIntegerField(_("F"))
    m_score = models.PositiveSmallIntegerField(_("M"))
    # 1 = the top 1% of buying customers by 12-month spend; null for no spend.
    spend_percentile = models.PositiveSmallIntegerField(_("spend percentile"), null=True)
    large_volume = models.BooleanField(_("large volume"))
    high_loyalty = models.BooleanField(_("high loyalty"))
    quadrant = models.CharField(_("quadrant"), max_length=10, choices=Quadrant.choices)
    implied_grade = models.CharField(_("grade by spend"), max_length=1, choices=Grade.choices)
    is_dormant = models.BooleanField(_("semi-dormant"))
    # The last business day up to the month's end (customers.dormancy): a trip not
    # cancelled nor fully refunded, or a future trip paid by then (counted on that day).
    last_business_on = models.DateField(_("last business"), null=True)
    # The value view: 0-100 for customers who spent in the 12 months (null otherwise), and
    # the "large but poor value" flag (large volume, thin margin or late payment).
    value_score = models.PositiveSmallIntegerField(_("value"), null=True)
    poor_value = models.BooleanField(_("large but poor value"), default=False)

    class Meta:
        verbose_name = _("customer snapshot")
        verbose_name_plural = _("customer snapshots")
        ordering = ["-month", "customer_id"]
        constraints = [
            models.UniqueConstraint(fields=["month", "customer"], name="tiers_snapshot_month_cust")
        ]
        indexes = [
            # The dormant list: the most valuable semi-dormant customers of a month.
            models.Index(
                fields=["month", "-spend_prev_12m"],
                condition=models.Q(is_dormant=True),
                name="tiers_snapshot_dormant",
            ),
            # The value report: a month's buying customers ranked by value, in the
            # list's full order (scores tie by the ten thousand: ordered by the score
            # alone, the first 20 needed a sort of the whole top tie, 60 ms at 1M).
            models.Index(
                fields=["month", "-value_score", "-spend_12m", "customer"],
                condition=models.Q(value_score__isnull=False),
                name="tiers_snapshot_value_order",
            ),
            # The month's large but poor value customers, largest first.
            models.Index(
                fields=["month", "-spend_12m"],
                condition=models.Q(poor_value=True),
                name="tiers_snapshot_poor_value",
            ),
            # The same three lists of one rep's customers (a rep's /tiers/, a report
            # narrowed to an owner), in the lists' full order: the first 20 are the
            # index's first 20, where the month-wide indexes walked everyone's and kept
            # 2% (120 ms for a rep at a million customers; 2 ms).
            models.Index(
                fields=["month", "owner", "-spend_prev_12m", "customer"],
                condition=models.Q(is_dormant=True),
                name="tiers_snapshot_owner_dormant",
            ),
            models.Index(
                fields=["month", "owner", "-value_score", "-spend_12m", "customer"],
                condition=models.Q(value_score__isnull=False),
                name="tiers_snapshot_owner_value",
            ),
            models.Index(
                fields=["month", "owner", "-spend_12m", "customer"],
                condition=models.Q(poor_value=True),
                name="tiers_snapshot_owner_poor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month:%Y-%m}"

    @property
    def rfm(self) -> str:
        return f"{self.r_score}{self.f_score}{self.m_score}"

    @property
    def margin_percent(self) -> Decimal | None:
        """Gross profit as a share of the 12-month spend (%), one decimal."""
        if not self.spend_12m:
            return None
        return (self.gross_profit_12m * 100 / self.spend_12m).quantize(Decimal("0.1"))


class _OwnerSummary(models.Model):
    month = models.DateField(_("month"))
    owner_id = models.BigIntegerField(_("owner"))
    team_id = models.BigIntegerField(_("team"), null=True)
    customers = models.PositiveIntegerField(_("customers"))
    spend = models.DecimalField(_("12-month spend (¥)"), **SUM)
    gross_profit = models.DecimalField(_("12-month gross profit (¥)"), **SUM)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.owner_id}"


class SegmentSummary(_OwnerSummary):
    """Customers and money per owner, grade, quadrant, dormancy and status for a month."""

    grade = models.CharField(_("grade"), max_length=1, blank=True)
    quadrant = models.CharField(_("quadrant"), max_length=10)
    is_dormant = models.BooleanField(_("semi-dormant"))
    poor_value = models.BooleanField(_("large but poor value"), default=False)
    status = models.CharField(_("status"), max_length=20)
    churn_reason = models.CharField(_("reason lost"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("segment summary")
        verbose_name_plural = _("segment summaries")
        indexes = [models.Index(fields=["month", "owner_id"], name="tiers_segment_month_owner")]


class RfmSummary(_OwnerSummary):
    """Customers per owner and R × F cell for a month, with their M scores summed."""

    r_score = models.PositiveSmallIntegerField(_("R"))
    f_score = models.PositiveSmallIntegerField(_("F"))
    m_score_sum = models.PositiveIntegerField(_("sum of M"))

    class Meta:
        verbose_name = _("RFM summary")
        verbose_name_plural = _("RFM summaries")
        indexes = [models.Index(fields=["month", "owner_id"], name="tiers_rfm_month_owner")]


class ParetoOrder(models.TextChoices):
    SPEND = "spend", _("12-month spend")
    PROFIT = "profit", _("12-month gross profit")


class ParetoSummary(_OwnerSummary):
    """Buying customers per owner and percentile for a month (the Pareto curves): the
    rows `ordered_by` spend rank customers by their spend, those by profit by their
    gross profit, so each curve is read off its own order."""

    ordered_by = models.CharField(
        _("customers ordered by"), max_length=6, choices=ParetoOrder.choices
    )
    percentile = models.PositiveSmallIntegerField(_("percentile"))

    class Meta:
        verbose_name = _("Pareto summary")
        verbose_name_plural = _("Pareto summaries")
        indexes = [models.Index(fields=["month", "owner_id"], name="tiers_pareto_month_owner")]
