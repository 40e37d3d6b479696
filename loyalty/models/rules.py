from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customers.models import CustomerKind, Grade
from loyalty.models.choices import LEVEL_RANK, LevelCode

# Grades from lowest to highest; a customer not graded yet counts as C.
GRADE_RANK = {"": 0, Grade.C: 0, Grade.B: 1, Grade.A: 2}


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Published rules cannot be changed; publish a new version.")

    def delete(self):
        raise PermissionError("Published rules cannot be deleted; publish a new version.")


class PublishedModel(models.Model):
    """Rows that cannot change once saved: a published rule is a promise (信守承诺)."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Published rules cannot be changed; publish a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Published rules cannot be deleted; publish a new version.")


class Rulebook(PublishedModel):
    """One published version of the points rules 积分规则. It applies from its effective
    date until the next version's; points keep the rate and validity they were earned
    under, whatever later versions say."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    effective_from = models.DateField(_("effective from"), unique=True)
    validity_months = models.PositiveSmallIntegerField(
        _("points valid for (months)"),
        default=24,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Points earned under this version expire this many months after they are earned."
        ),
    )
    point_value = models.DecimalField(
        _("value of one point (¥)"),
        max_digits=8,
        decimal_places=4,
        default=Decimal("0.01"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("What the agency owes per outstanding point, for the liability view."),
    )
    notes = models.TextField(_("notes for staff and customers"), blank=True)
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("points rulebook")
        verbose_name_plural = _("points rulebooks")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(validity_months__gte=1), name="rulebook_validity_positive"
            ),
        ]

    def __str__(self) -> str:
        return _("Rules v%(version)s from %(date)s") % {
            "version": self.version,
            "date": self.effective_from.isoformat(),
        }


class CardLevel(PublishedModel):
    """A card level's rules within one rulebook version. A card holds the highest level
    whose rule it meets: the customer's grade is at least `grade_at_least`, or their net
    paid spend over the last 12 months is at least `spend_at_least`. A level with neither
    (the standard card) is everyone's."""

    rulebook = models.ForeignKey(
        Rulebook, verbose_name=_("rulebook"), on_delete=models.PROTECT, related_name="levels"
    )
    code = models.CharField(_("level"), max_length=10, choices=LevelCode.choices)
    earn_rate = models.DecimalField(
        _("points per ¥"),
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Points earned per yuan of net paid spend (rounded down per booking)."),
    )
    grade_at_least = models.CharField(
        _("grade at least"),
        max_length=1,
        choices=Grade.choices,
        blank=True,
        help_text=_("Customers of this grade or better get the level (blank: grade not used)."),
    )
    spend_at_least = models.DecimalField(
        _("12-month spend at least (¥)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Customers who paid this much in the last 12 months get the level."),
    )
    benefits = models.CharField(_("benefits"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("card level")
        verbose_name_plural = _("card levels")
        ordering = ["rulebook", "code"]
        constraints = [
            models.UniqueConstraint(fields=["rulebook", "code"], name="cardlevel_unique_code"),
            models.CheckConstraint(condition=Q(earn_rate__gte=0), name="cardlevel_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} ({self.earn_rate}/¥)"

    @property
    def rank(self) -> int:
        return LEVEL_RANK[self.code]

    @property
    def is_open_to_all(self) -> bool:
        return not self.grade_at_least and self.spend_at_least is None

    def admits(self, *, grade: str, spend_12m: Decimal) -> bool:
        if self.is_open_to_all:
            return True
        if self.grade_at_least and GRADE_RANK[grade] >= GRADE_RANK[self.grade_at_least]:
            return True
        return self.spend_at_least is not None and spend_12m >= self.spend_at_least


class AnnualRewardPolicy(PublishedModel):
    """The annual spend reward 年度消费奖励 rules, versioned like the rulebook. The version
    in force on 1 January of a spend year decides that year's rewards, so what customers
    were promised when they started spending is what they get."""

    effective_from = models.DateField(_("effective from"), unique=True)
    notes = models.TextField(_("notes"), blank=True)
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("annual reward policy")
        verbose_name_plural = _("annual reward policies")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return _("Annual rewards from %(date)s") % {"date": self.effective_from.isoformat()}


class AnnualRewardTier(PublishedModel):
    """One threshold of an annual reward policy: customers of `customer_kind` whose net
    paid purchases in the calendar year reached `threshold` get `reward_name`. A customer
    gets one reward a year: the highest tier reached."""

    policy = models.ForeignKey(
        AnnualRewardPolicy,
        verbose_name=pgettext_lazy("annual reward", "policy"),
        on_delete=models.PROTECT,
        related_name="tiers",
    )
    customer_kind = models.CharField(
        _("customer kind"), max_length=20, choices=CustomerKind.choices
    )
    threshold = models.DecimalField(
        _("yearly spend at least (¥)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    reward_name = models.CharField(_("reward"), max_length=200)
    reward_value = models.DecimalField(
        _("face value (¥)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("annual reward tier")
        verbose_name_plural = _("annual reward tiers")
        ordering = ["policy", "customer_kind", "-threshold"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "customer_kind", "threshold"], name="rewardtier_unique_threshold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_customer_kind_display()} ≥ ¥{self.threshold}: {self.reward_name}"
