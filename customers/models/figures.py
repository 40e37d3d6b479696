"""Stored month figures for the home pages (customers.summaries.sales_month_figures).

A month's spend and gross profit sum every payment of the month over the customers a
person works on: at a million customers and five million bookings that is some 140,000
bookings joined to their customers, seconds for a whole-book team lead. The figures are
therefore summed once per owner by a refresh job (customers.services.figures, every ten
minutes) and a home page adds up its owners' rows (a few dozen), saying "as of" when.
Receivables are not here: unpaid now must mean unpaid now, so they stay live."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

FIGURES = {"max_digits": 16, "decimal_places": 2}


class SalesFiguresRefresh(models.Model):
    """The one row saying which day the stored figures are for and when they were
    summed; the refresh locks it, so two refreshes never interleave."""

    day = models.DateField(_("figures for"))
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("sales figures refresh")
        verbose_name_plural = _("sales figures refreshes")

    def __str__(self) -> str:
        return f"{self.day.isoformat()} @ {self.refreshed_at.isoformat()}"


class SalesFigures(models.Model):
    """One owner's month to date (and the same days a year before) as of the refresh:
    payments of their customers not in the recycle bin, counted as
    customers.summaries counts them."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    spend = models.DecimalField(_("spend (¥)"), **FIGURES)
    gross_profit = models.DecimalField(_("gross profit (¥)"), **FIGURES)
    spend_last_year = models.DecimalField(_("spend a year before (¥)"), **FIGURES)
    gross_profit_last_year = models.DecimalField(_("gross profit a year before (¥)"), **FIGURES)

    class Meta:
        verbose_name = _("sales figures")
        verbose_name_plural = _("sales figures")
        constraints = [
            models.UniqueConstraint(fields=["owner"], name="sales_figures_one_row_per_owner")
        ]

    def __str__(self) -> str:
        return f"{self.owner_id}: {self.spend}"
