from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tiers.models.choices import VolumeRule

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("1"))]}

DEFAULT_BENEFITS = {
    "A": _(
        "Priority booking of popular routes 7 days before everyone else, double points, "
        "a birthday gift and tailor-made itineraries."
    ),
    "B": _("A booking discount, exclusive news and offers, and priority for member events."),
    "C": _("Our basic service guarantee and some priority in the peak season."),
}

BENEFITS_HELP = _("Told to the customer with their grade. Blank: the standard text.")


class TierPolicy(models.Model):
    """One version of the tiering rules 客户分级规则. Versions are never changed: managers
    save a new version in the admin, and every snapshot and evaluation keeps the version
    it was computed with, so a change never rewrites past results."""

    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    note = models.CharField(_("what changed and why"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    grade_a_min = models.DecimalField(
        _("grade A from (¥, 12-month spend)"), default=Decimal("50000"), **MONEY
    )
    grade_b_min = models.DecimalField(
        _("grade B from (¥, 12-month spend)"), default=Decimal("10000"), **MONEY
    )

    volume_rule = models.CharField(
        _("large volume means"),
        max_length=20,
        choices=VolumeRule.choices,
        default=VolumeRule.TOP_SHARE,
    )
    volume_top_percent = models.PositiveSmallIntegerField(
        _("top share (%)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("With the top-share rule: this share of buying customers counts as large."),
    )
    volume_min_spend = models.DecimalField(
        _("fixed 12-month spend (¥)"),
        default=Decimal("50000"),
        help_text=_("With the fixed-spend rule: customers spending this much count as large."),
        **MONEY,
    )

    loyalty_min_bookings = models.PositiveSmallIntegerField(
        _("high loyalty: paid bookings at least"),
        default=2,
        validators=[MinValueValidator(1)],
    )
    loyalty_window_months = models.PositiveSmallIntegerField(
        _("high loyalty: counted over months"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    loyalty_recent_months = models.PositiveSmallIntegerField(
        _("high loyalty: last trip within months"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    # Semi-dormant 半休眠, counted in days back from the as-of date (customers.dormancy
    # has the definition; the customer list's filter reads this value too).
    dormant_days = models.PositiveSmallIntegerField(
        _("semi-dormant after days without business"),
        default=183,
        validators=[MinValueValidator(1), MaxValueValidator(1830)],
        help_text=_(
            "Six months is 183 days. A refunded trip is no business; a trip still to come "
            "that is paid for is. A customer who never bought counts from the day they "
            "were added."
        ),
    )

    # The value view 客户价值: each figure scored 1-5 among the buying customers (the
    # RFM tie rule), weighted, and put on a 0-100 scale.
    value_weight_spend = models.PositiveSmallIntegerField(
        _("value: weight of the 12-month spend"), default=40, validators=[MaxValueValidator(100)]
    )
    value_weight_margin = models.PositiveSmallIntegerField(
        _("value: weight of the gross margin"), default=30, validators=[MaxValueValidator(100)]
    )
    value_weight_delay = models.PositiveSmallIntegerField(
        _("value: weight of paying on time"),
        default=20,
        validators=[MaxValueValidator(100)],
        help_text=_("The later a customer pays after the due date, the lower this part."),
    )
    value_weight_frequency = models.PositiveSmallIntegerField(
        _("value: weight of the bookings"), default=10, validators=[MaxValueValidator(100)]
    )
    poor_value_margin_percent = models.PositiveSmallIntegerField(
        _("poor value: gross margin below (%)"),
        default=10,
        validators=[MaxValueValidator(100)],
        help_text=_("A large customer is poor value with a thinner margin than this …"),
    )
    poor_value_delay_days = models.PositiveSmallIntegerField(
        _("poor value: or paying later than (days)"),
        default=30,
        help_text=_("… or paying more days than this after the due date, on average."),
    )

    downgrade_complaints = models.PositiveSmallIntegerField(
        _("downgrade: complaints in 12 months at least"),
        default=2,
        help_text=_("0 turns the complaint rule off."),
    )

    benefits_a = models.TextField(_("grade A benefits"), blank=True, help_text=BENEFITS_HELP)
    benefits_b = models.TextField(_("grade B benefits"), blank=True, help_text=BENEFITS_HELP)
    benefits_c = models.TextField(_("grade C benefits"), blank=True, help_text=BENEFITS_HELP)

    class Meta:
        verbose_name = _("tier policy")
        verbose_name_plural = _("tier policies")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade_a_min__gt=F("grade_b_min")),
                name="tierpolicy_a_above_b",
                violation_error_message=_("Grade A must start above grade B."),
            ),
            models.CheckConstraint(
                condition=Q(volume_top_percent__gte=1) & Q(volume_top_percent__lte=99),
                name="tierpolicy_top_percent_range",
                violation_error_message=_("The top share is between 1% and 99%."),
            ),
            models.CheckConstraint(
                condition=Q(value_weight_spend__gt=0)
                | Q(value_weight_margin__gt=0)
                | Q(value_weight_delay__gt=0)
                | Q(value_weight_frequency__gt=0),
                name="tierpolicy_value_has_a_weight",
                violation_error_message=_("Give at least one value weight above 0."),
            ),
        ]

    def __str__(self) -> str:
        return _("Tier policy v%(version)s") % {"version": self.version}

    def benefits(self, grade: str) -> str:
        """What the grade brings, as told to the customer (the default text if blank)."""
        text = {"A": self.benefits_a, "B": self.benefits_b}.get(grade, self.benefits_c)
        return text or str(DEFAULT_BENEFITS.get(grade, DEFAULT_BENEFITS["C"]))
