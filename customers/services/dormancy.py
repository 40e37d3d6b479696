"""The stored semi-dormancy date (Customer.dormancy_counts_from), refreshed set-based.

The definition stays in customers.dormancy: a customer is semi-dormant on D when their
last business is more than N days before D, counted from the day they were added when
they never bought. What is stored is the day that period counts from: the start of the
latest business booking (a paid trip still to come counts from its start, so it keeps
the customer active until then), or the day the customer was added. It changes only
when a booking is written, or when time makes a booking business (an unpaid trip starts,
a payment date arrives): `booking_save` refreshes its customer at once, and the daily
job refreshes everyone, writing only the rows whose date moved. Bookings written in bulk
elsewhere (the importer, a booking sync) count from the next daily run, or at once when
the writer calls `customers_dormancy_refresh(customer_ids=…)`."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.db.models import F, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from customers.dbstats import tables_analyze
from customers.dormancy import business_booking_q, business_booking_sql
from customers.models import Booking, Customer


def dormancy_counts_from_expression(*, today: datetime.date):
    """Per customer row: the day their semi-dormancy period counts from, as of `today`."""
    latest = (
        Booking.objects.filter(business_booking_q(as_of=today), customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(latest=Max("start_date"))
        .values("latest")
    )
    return Coalesce(Subquery(latest), TruncDate("created_at"))


def customers_dormancy_refresh(
    *, today: datetime.date | None = None, customer_ids: Iterable[int] | None = None
) -> int:
    """Recompute the stored date of every customer (or of `customer_ids`), soft-deleted
    ones included; write only those that changed. Returns how many changed. Safe to run
    twice and at once: it recomputes the same values from the bookings."""
    today = today or timezone.localdate()
    if customer_ids is None and connection.vendor == "postgresql":
        return _refresh_all_postgresql(today=today)
    customers = Customer.all_objects.all()
    if customer_ids is not None:
        customers = customers.filter(pk__in=list(customer_ids))
    counts_from = dormancy_counts_from_expression(today=today)
    return (
        customers.annotate(fresh=counts_from)
        .exclude(dormancy_counts_from=F("fresh"))
        .update(dormancy_counts_from=counts_from)
    )


def _refresh_all_postgresql(*, today: datetime.date) -> int:
    """Everyone at once: one hash aggregate over the bookings joined to the customers
    (seconds at five million bookings), where the ORM's correlated subquery probes the
    bookings twice per customer (minutes). The same definition, in its SQL spelling."""
    business = business_booking_sql(alias="b", as_of="CAST(%(today)s AS date)")
    sql = f"""
        UPDATE customers_customer AS c SET dormancy_counts_from = fresh.counts_from
        FROM (
            SELECT c2.id, COALESCE(
                latest.start_date, CAST(c2.created_at AT TIME ZONE %(zone)s AS date)
            ) AS counts_from
            FROM customers_customer AS c2
            LEFT JOIN (
                SELECT b.customer_id, MAX(b.start_date) AS start_date
                FROM customers_booking AS b WHERE {business} GROUP BY b.customer_id
            ) AS latest ON latest.customer_id = c2.id
        ) AS fresh
        WHERE c.id = fresh.id AND c.dormancy_counts_from IS DISTINCT FROM fresh.counts_from"""  # noqa: S608 - the condition is our own SQL; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, {"today": today, "zone": settings.TIME_ZONE})
        changed = cursor.rowcount
    # The first fill writes every customer: the list's dormancy filter is planned on
    # fresh statistics at once, not after autovacuum's next look (customers.dbstats).
    tables_analyze(Customer, changed_rows=changed)
    return changed
