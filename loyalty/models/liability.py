"""The points liability as of its last refresh (loyalty.selectors.points_liability_stored).

Summing it live means every open lot twice per page view: by card level (each card's
open points first, to count the cards) and by expiry month; at 200,000 cards with a
million lots that is 1-1.6 s a view. So it is summed once by a refresh
(loyalty.services.liability: every ten minutes, after the monthly points job, and when a
manager presses "Refresh now") into a few dozen rows (one per card level, one per expiry
month) that the page reads, saying "as of" when. The points are stored, not their value:
the page values them at the point value of the rules in force on the day it is read."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models.figures import StoredFiguresRefresh


class LiabilityFiguresRefresh(StoredFiguresRefresh):
    """The stored liability's refresh: its day is the one the open lots are counted for
    (lots expiring after it); every stored row points at it."""

    day = models.DateField(_("outstanding on"))

    class Meta:
        verbose_name = _("points liability refresh")
        verbose_name_plural = _("points liability refreshes")


class LiabilityFigures(models.Model):
    """One line of the stored liability: a card level (the cards with points outstanding
    and their points) or an expiry month (the points expiring in it)."""

    refresh = models.ForeignKey(
        LiabilityFiguresRefresh,
        verbose_name=_("refresh"),
        on_delete=models.CASCADE,
        related_name="figures",
    )
    level = models.CharField(_("card level"), max_length=10, blank=True)
    month = models.DateField(_("expiry month"), null=True, blank=True)
    cards = models.PositiveIntegerField(_("cards"), default=0)
    points = models.BigIntegerField(_("points"))

    class Meta:
        verbose_name = _("points liability figures")
        verbose_name_plural = _("points liability figures")
        constraints = [
            models.CheckConstraint(
                condition=(Q(month__isnull=True) & ~Q(level=""))
                | (Q(month__isnull=False) & Q(level="")),
                name="liability_figures_level_or_month",
            ),
            models.UniqueConstraint(
                fields=["refresh", "level"],
                condition=Q(month__isnull=True),
                name="liability_figures_one_row_per_level",
            ),
            models.UniqueConstraint(
                fields=["refresh", "month"],
                condition=Q(month__isnull=False),
                name="liability_figures_one_row_per_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level or self.month.isoformat()}: {self.points}"
