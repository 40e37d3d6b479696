"""Stored figures for the home pages (customers.summaries.home_figures).

A whole book's month (a team lead's, a manager's) sums every payment of the month, some
140,000 bookings joined to their customers at a million customers, and counts its
customers by grade and those added and lost: seconds on every page view. These are
therefore summed once per owner by a refresh job (customers.services.figures, every ten
minutes) and a home page adds up its owners' rows (a few dozen), saying "as of" when.
Finance's receivables are stored the same way (the unpaid and overdue totals, 100-250 ms
each over every unpaid booking at a million customers): per owner, and each owner's
customers owing the most overdue money (`OwnerOverdueCustomer`); the list of overdue
bookings, the month's payments and the export stay live."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

FIGURES = {"max_digits": 16, "decimal_places": 2}


class StoredFiguresRefresh(models.Model):
    """The one row of a job's stored figures (customers.jobs.stored_figures_swap) saying
    which day they are for and when they were summed; the refresh locks it, so two
    refreshes never interleave. Each kind of figures has its own table and says what
    its day means."""

    day = models.DateField(_("figures for"))
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day.isoformat()} @ {self.refreshed_at.isoformat()}"


class OwnerFiguresRefresh(StoredFiguresRefresh):
    """The home pages' figures (OwnerFigures, OwnerOverdueCustomer)."""

    class Meta:
        verbose_name = _("home figures refresh")
        verbose_name_plural = _("home figures refreshes")


class OwnerFigures(models.Model):
    """One owner's book as of the refresh, over their customers not in the recycle bin:
    the month to date and the same days a year before (payments counted as
    customers.summaries counts them; customers added and marked lost), and their
    customers per grade now."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    spend = models.DecimalField(_("spend (¥)"), default=0, **FIGURES)
    gross_profit = models.DecimalField(_("gross profit (¥)"), default=0, **FIGURES)
    spend_last_year = models.DecimalField(_("spend a year before (¥)"), default=0, **FIGURES)
    gross_profit_last_year = models.DecimalField(
        _("gross profit a year before (¥)"), default=0, **FIGURES
    )
    added = models.PositiveIntegerField(_("customers added"), default=0)
    added_last_year = models.PositiveIntegerField(_("added a year before"), default=0)
    lost = models.PositiveIntegerField(_("customers lost"), default=0)
    lost_last_year = models.PositiveIntegerField(_("lost a year before"), default=0)
    grade_a = models.PositiveIntegerField(_("grade A customers"), default=0)
    grade_b = models.PositiveIntegerField(_("grade B customers"), default=0)
    grade_c = models.PositiveIntegerField(_("grade C customers"), default=0)
    ungraded = models.PositiveIntegerField(_("customers not yet graded"), default=0)
    # Receivables on the refresh day: bookings not yet paid (nor cancelled or refunded),
    # and those of them past their due date (finance's totals and "overdue by owner").
    unpaid_bookings = models.PositiveIntegerField(_("unpaid bookings"), default=0)
    unpaid_amount = models.DecimalField(_("unpaid (¥)"), default=0, **FIGURES)
    overdue_bookings = models.PositiveIntegerField(_("overdue bookings"), default=0)
    overdue_customers = models.PositiveIntegerField(_("customers overdue"), default=0)
    overdue_amount = models.DecimalField(_("overdue (¥)"), default=0, **FIGURES)

    class Meta:
        verbose_name = _("owner's home figures")
        verbose_name_plural = _("owners' home figures")
        constraints = [
            models.UniqueConstraint(fields=["owner"], name="owner_figures_one_row_per_owner")
        ]

    def __str__(self) -> str:
        return f"{self.owner_id}: {self.spend}"


class OwnerOverdueCustomer(models.Model):
    """One of an owner's customers owing the most overdue money on the refresh day (the
    first `OVERDUE_CUSTOMERS_PER_OWNER` by amount, then customer id): finance's
    "customers owing the most" for any scope is the first of these over the scope's
    owners (customers.summaries.receivables_overdue_by_customer says why that is exact)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    bookings = models.PositiveIntegerField(_("overdue bookings"))
    amount = models.DecimalField(_("overdue (¥)"), **FIGURES)
    oldest = models.DateField(_("oldest due date"))

    class Meta:
        verbose_name = _("owner's customer overdue")
        verbose_name_plural = _("owners' customers overdue")
        constraints = [
            models.UniqueConstraint(fields=["customer"], name="owner_overdue_one_row_per_customer")
        ]

    def __str__(self) -> str:
        return f"{self.owner_id}: {self.customer_id} {self.amount}"
