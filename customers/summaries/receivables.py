"""Receivables 应收账款: unpaid bookings, those past their payment due date, who owes them
and whose customers they are. The totals and the customers owing the most are read from
the stored per-owner rows (customers.models.figures, filled by the home-figures refresh);
the overdue bookings themselves are live (`receivables_overdue`: the page's longest
overdue, the export)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce

from customers.models import (
    Booking,
    BookingStatus,
    Customer,
    OwnerFigures,
    OwnerOverdueCustomer,
)
from customers.selectors import (
    customer_responsible_q,
    owner_scope_q,
)
from customers.summaries.figures import PAID_OR_REFUNDED, _money, month_to_date

OVERDUE_CUSTOMERS_PER_OWNER = 10


def owner_overdue_customers_insert_sql(*, today: datetime.date) -> tuple[str, list]:
    """One INSERT ... SELECT storing each owner's `OVERDUE_CUSTOMERS_PER_OWNER`
    customers owing the most overdue money on `today` (OwnerOverdueCustomer): the
    overdue bookings summed per customer (on `booking_unpaid_customer`), joined to
    their customers (recycle bin left out) and ranked within each owner by amount, then
    customer id, the order `receivables_overdue_by_customer` shows them in."""
    booking, customer = Booking._meta.db_table, Customer._meta.db_table
    table = OwnerOverdueCustomer._meta.db_table
    sql = f"""
        INSERT INTO {table} (owner_id, customer_id, bookings, amount, oldest)
        SELECT owner_id, customer_id, bookings, amount, oldest FROM (
            SELECT c.owner_id, o.customer_id, o.bookings, o.amount, o.oldest,
                   ROW_NUMBER() OVER (
                       PARTITION BY c.owner_id ORDER BY o.amount DESC, o.customer_id
                   ) AS place
            FROM (
                SELECT customer_id, COUNT(*) AS bookings, SUM(amount) AS amount,
                       MIN(payment_due_date) AS oldest
                FROM {booking}
                WHERE status = %s AND payment_due_date < %s
                GROUP BY customer_id
            ) o
            JOIN {customer} c ON c.id = o.customer_id
            WHERE c.deleted_at IS NULL
        ) ranked
        WHERE place <= %s"""  # noqa: S608 (table names from the models, values as parameters)
    return sql, [BookingStatus.BOOKED.value, today, OVERDUE_CUSTOMERS_PER_OWNER]


def receivables_unpaid(*, user) -> QuerySet[Booking]:
    """Bookings not yet paid nor cancelled or refunded, of customers the user works on."""
    return Booking.objects.filter(customer_responsible_q(user=user), status=BookingStatus.BOOKED)


def receivables_overdue(*, user, today: datetime.date) -> QuerySet[Booking]:
    """Unpaid bookings past their payment due date, the longest overdue first, with how
    many days (`days_overdue`, counted in Python from the due date)."""
    return (
        receivables_unpaid(user=user)
        .filter(payment_due_date__lt=today)
        .select_related("customer__owner")
        .order_by("payment_due_date", "pk")
    )


@dataclass(frozen=True)
class ReceivablesSummary:
    unpaid_count: int
    unpaid_amount: Decimal
    overdue_count: int
    overdue_amount: Decimal
    overdue_customers: int
    paid_count: int
    paid_amount: Decimal


def receivables_summary(*, user, today: datetime.date) -> ReceivablesSummary:
    """Unpaid and overdue bookings, amounts and customers overdue summed over the stored
    rows of the owners in scope (as of the last refresh: each customer has one owner,
    so the customers add up too); the month's payments live on `booking_paid_on`. Two
    queries."""
    stored = (
        OwnerFigures.objects.filter(owner_scope_q(user=user))
        .order_by()
        .aggregate(
            unpaid_count=Coalesce(Sum("unpaid_bookings"), 0),
            unpaid_amount=_money(Sum("unpaid_amount")),
            overdue_count=Coalesce(Sum("overdue_bookings"), 0),
            overdue_amount=_money(Sum("overdue_amount")),
            overdue_customers=Coalesce(Sum("overdue_customers"), 0),
        )
    )
    period = month_to_date(today)
    paid = (
        Booking.objects.filter(
            customer_responsible_q(user=user),
            status__in=PAID_OR_REFUNDED,
            paid_date__gte=period.start,
            paid_date__lte=period.end,
        )
        .order_by()
        .aggregate(paid_count=Count("pk"), paid_amount=_money(Sum("amount")))
    )
    return ReceivablesSummary(**stored, **paid)


def receivables_overdue_by_owner(*, user) -> list[dict]:
    """Overdue bookings, customers and amount per owner, the largest amount first, from
    the stored per-owner figures (as of their refresh, `home_figures().as_of`): each
    owner's share needs every overdue booking's customer, tens of thousands of lookups
    at a million customers."""
    rows = (
        OwnerFigures.objects.filter(owner_scope_q(user=user), overdue_bookings__gt=0)
        .select_related("owner")
        .order_by("-overdue_amount", "owner")
    )
    return [
        {
            "customer__owner": row.owner_id,
            "customer__owner__username": row.owner.username,
            "customer__owner__full_name": row.owner.full_name,
            "bookings": row.overdue_bookings,
            "customers": row.overdue_customers,
            "amount": row.overdue_amount,
        }
        for row in rows
    ]


def receivables_overdue_by_customer(*, user, limit: int = 10) -> list[dict]:
    """The `limit` customers owing the most overdue money (then by customer id), with
    the oldest due date and their owner (at the refresh), as of the last refresh: one
    query over the stored top customers of each owner in scope (OwnerOverdueCustomer).

    Exact for any scope, not an approximation: each customer has one owner, so a
    customer among a scope's first `limit` has fewer than `limit` customers of the same
    owner ahead of it (they are in the scope too, and ahead of it there), and is
    therefore among its owner's stored first `OVERDUE_CUSTOMERS_PER_OWNER`. The first
    `limit` of the union of the owners' lists are thus the scope's first `limit`."""
    if limit > OVERDUE_CUSTOMERS_PER_OWNER:
        raise ValueError(f"only {OVERDUE_CUSTOMERS_PER_OWNER} customers are stored per owner")
    order = ("-amount", "customer_id")
    # The first `limit` picked on the stored rows alone, then joined to their customers
    # and owners: joining first would look up every stored row's customer.
    top = OwnerOverdueCustomer.objects.filter(owner_scope_q(user=user)).order_by(*order)
    rows = (
        OwnerOverdueCustomer.objects.filter(pk__in=top.values("pk")[:limit])
        .select_related("customer", "owner")
        .order_by(*order)
    )
    return [
        {
            "customer": row.customer_id,
            "customer__name": row.customer.name,
            "customer__owner__username": row.owner.username,
            "customer__owner__full_name": row.owner.full_name,
            "bookings": row.bookings,
            "amount": row.amount,
            "oldest": row.oldest,
        }
        for row in rows
    ]
