"""Reads that sum up a person's work for the home pages: a month's paid spend and gross
profit against the same days a year before, customers added and lost, and receivables
(付款拖延). Every figure is taken over the customers a person works on
(`customer_list_responsible`; for bookings the same rule as a join,
`customer_responsible_q`): special access lets them read a customer, it does not put
its money in their figures.

Spend is counted as the tier statistics count it (tiers.statistics.aggregates_sql): a
booking paid or refunded, on the day it was paid, less any refund; gross profit from
paid bookings only. The month runs from its first day to `today`, and last year's from
the same first day to the same day, so a comparison on the 10th is ten days against
ten days.

The home pages read the month's figures, customers by grade, added and lost, and the
receivables (unpaid and overdue per owner, each owner's customers owing the most) from
stored per-owner rows (customers.models.figures, `home_figures`), summed every ten
minutes by `owner_figures_compute` and `owner_overdue_customers_insert_sql`: at a
million customers each of those receivables sums reads every unpaid booking (100-250
ms a view). Live: the longest overdue bookings (`booking_unpaid_due_id`, due date and
id, a few rows off the index) and the month's payments (`booking_paid_on`, a partial
index on paid_date of paid and refunded bookings)."""

from customers.summaries.figures import (
    PAID_OR_REFUNDED,
    CustomerMovement,
    HomeFigures,
    MonthFigures,
    Period,
    access_requests_pending,
    customers_recently_contacted,
    home_figures,
    month_to_date,
    owner_figures_compute,
    owner_figures_refreshed,
    sales_month_figures_live,
    same_days_last_year,
    security_alerts_open_count,
)
from customers.summaries.receivables import (
    OVERDUE_CUSTOMERS_PER_OWNER,
    ReceivablesSummary,
    owner_overdue_customers_insert_sql,
    receivables_overdue,
    receivables_overdue_by_customer,
    receivables_overdue_by_owner,
    receivables_summary,
    receivables_unpaid,
)

__all__ = [
    "OVERDUE_CUSTOMERS_PER_OWNER",
    "PAID_OR_REFUNDED",
    "CustomerMovement",
    "HomeFigures",
    "MonthFigures",
    "Period",
    "ReceivablesSummary",
    "access_requests_pending",
    "customers_recently_contacted",
    "home_figures",
    "month_to_date",
    "owner_figures_compute",
    "owner_figures_refreshed",
    "owner_overdue_customers_insert_sql",
    "receivables_overdue",
    "receivables_overdue_by_customer",
    "receivables_overdue_by_owner",
    "receivables_summary",
    "receivables_unpaid",
    "sales_month_figures_live",
    "same_days_last_year",
    "security_alerts_open_count",
]
