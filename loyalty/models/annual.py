from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loyalty.models.choices import AnnualRewardStatus


class AnnualRewardRun(models.Model):
    """The annual reward job for one spend year, claimed once."""

    year = models.PositiveSmallIntegerField(_("spend year"), unique=True)
    run_on = models.DateField(_("run on"))
    issued_count = models.PositiveIntegerField(_("rewards issued"), default=0)
    notified_owners = models.PositiveIntegerField(_("owners told"), default=0)
    created_at = models.DateTimeField(_("ran at"), default=timezone.now)

    class Meta:
        verbose_name = _("annual reward run")
        verbose_name_plural = _("annual reward runs")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class AnnualRewardCatchUp(models.Model):
    """A later pass over a spend year already run: customers whose purchases of that
    year were recorded after the run and now pass a threshold get their reward then
    (still once per customer and year). Claimed per year and day."""

    year = models.PositiveSmallIntegerField(_("spend year"))
    run_on = models.DateField(_("run on"))
    issued_count = models.PositiveIntegerField(_("rewards issued"), default=0)
    notified_owners = models.PositiveIntegerField(_("owners told"), default=0)
    created_at = models.DateTimeField(_("ran at"), default=timezone.now)

    class Meta:
        verbose_name = _("annual reward catch-up")
        verbose_name_plural = _("annual reward catch-ups")
        ordering = ["-run_on", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["year", "run_on"], name="annual_catch_up_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.run_on}"


class AnnualReward(models.Model):
    """A year's spend reward 年度消费奖励 issued to one customer, with a voucher code. Used
    like a paid booking: staff record the booking it paid for."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="annual_rewards",
    )
    year = models.PositiveSmallIntegerField(_("spend year"))
    tier = models.ForeignKey(
        "loyalty.AnnualRewardTier",
        verbose_name=_("tier"),
        on_delete=models.PROTECT,
        related_name="rewards",
    )
    reward_name = models.CharField(_("reward"), max_length=200)
    spend = models.DecimalField(_("net paid spend (¥)"), max_digits=14, decimal_places=2)
    voucher_code = models.CharField(_("voucher code"), max_length=20, unique=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AnnualRewardStatus.choices,
        default=AnnualRewardStatus.ISSUED,
    )
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    used_on = models.DateField(_("used on"), null=True, blank=True)
    used_booking = models.ForeignKey(
        "customers.Booking",
        verbose_name=_("used for booking"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("annual reward")
        verbose_name_plural = _("annual rewards")
        ordering = ["-year", "customer_id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "year"], name="annualreward_once_per_year"),
            models.CheckConstraint(
                condition=Q(spend__gte=Decimal("0")), name="annualreward_spend_positive"
            ),
            models.CheckConstraint(
                condition=~Q(status=AnnualRewardStatus.USED) | Q(used_on__isnull=False),
                name="annualreward_used_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.customer}: {self.reward_name}"
