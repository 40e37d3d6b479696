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

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.models import (
    AccessRequest,
    AccessRequestStatus,
    Booking,
    BookingStatus,
    ChurnReason,
    ContactRecord,
    Customer,
    CustomerStatus,
    Grade,
    OwnerFigures,
    OwnerFiguresRefresh,
    OwnerOverdueCustomer,
    SecurityAlert,
)
from customers.selectors import (
    customer_list_visible,
    customer_responsible_q,
    owner_scope_q,
)

ZERO = Decimal("0.00")
PAID_OR_REFUNDED = [BookingStatus.PAID, BookingStatus.REFUNDED]
MONEY = DecimalField(max_digits=16, decimal_places=2)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive


def month_to_date(today: datetime.date) -> Period:
    return Period(today.replace(day=1), today)


def same_days_last_year(today: datetime.date) -> Period:
    """The same stretch of the month a year before (29 February becomes the 28th)."""
    year = today.year - 1
    try:
        end = today.replace(year=year)
    except ValueError:
        end = today.replace(year=year, day=28)
    return Period(end.replace(day=1), end)


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _money(expression) -> Coalesce:
    return Coalesce(expression, ZERO, output_field=MONEY)


def _net():
    return ExpressionWrapper(F("amount") - F("refunded_amount"), output_field=MONEY)


@dataclass(frozen=True)
class MonthFigures:
    period: Period
    last_year: Period
    spend: Decimal
    gross_profit: Decimal
    spend_last_year: Decimal
    gross_profit_last_year: Decimal
    # When the stored figures were summed (None: summed just now, from the bookings);
    # `summed` False when no refresh has run yet, so there is nothing to show.
    as_of: datetime.datetime | None = None
    summed: bool = True

    @staticmethod
    def _change(now: Decimal, then: Decimal) -> Decimal | None:
        """Percent change; None when last year had nothing to compare with."""
        if not then:
            return None
        return ((now - then) * 100 / abs(then)).quantize(Decimal("0.1"))

    @property
    def spend_change(self) -> Decimal | None:
        return self._change(self.spend, self.spend_last_year)

    @property
    def gross_profit_change(self) -> Decimal | None:
        return self._change(self.gross_profit, self.gross_profit_last_year)


FIGURE_NAMES = ("spend", "gross_profit", "spend_last_year", "gross_profit_last_year")
GRADE_FIELDS = {"A": "grade_a", "B": "grade_b", "C": "grade_c", "": "ungraded"}
COUNT_NAMES = ("added", "added_last_year", "lost", "lost_last_year", *GRADE_FIELDS.values())


def _month_payments(*, today: datetime.date) -> tuple[QuerySet[Booking], dict]:
    """The paid and refunded bookings of both periods, and the four sums over them: the
    one definition of the month's figures, summed live or per owner for the store."""
    period, last_year = month_to_date(today), same_days_last_year(today)
    this_q = Q(paid_date__gte=period.start, paid_date__lte=period.end)
    last_q = Q(paid_date__gte=last_year.start, paid_date__lte=last_year.end)
    profit = ExpressionWrapper(F("amount") - F("refunded_amount") - F("cost"), output_field=MONEY)
    is_paid = Q(status=BookingStatus.PAID)
    payments = Booking.objects.filter(this_q | last_q, status__in=PAID_OR_REFUNDED).order_by()
    sums = {
        "spend": _money(Sum(_net(), filter=this_q)),
        "gross_profit": _money(Sum(profit, filter=this_q & is_paid)),
        "spend_last_year": _money(Sum(_net(), filter=last_q)),
        "gross_profit_last_year": _money(Sum(profit, filter=last_q & is_paid)),
    }
    return payments, sums


def sales_month_figures_live(*, user, today: datetime.date) -> MonthFigures:
    """The month's figures summed from the bookings now: one query, over every payment
    of both periods (seconds for a whole book at a million customers; the home pages
    read the stored figures, `sales_month_figures`)."""
    payments, sums = _month_payments(today=today)
    totals = payments.filter(customer_responsible_q(user=user)).aggregate(**sums)
    return MonthFigures(period=month_to_date(today), last_year=same_days_last_year(today), **totals)


@dataclass(frozen=True)
class CustomerMovement:
    added: int
    added_last_year: int
    lost: int
    lost_last_year: int


def _window(field: str, p: Period) -> Q:
    after = _start_of_day(p.end + datetime.timedelta(days=1))
    return Q(**{f"{field}__gte": _start_of_day(p.start), f"{field}__lt": after})


def _per_owner(queryset, field: str, sums: dict) -> dict[int, dict]:
    rows = queryset.order_by().values(field).annotate(**sums).order_by()
    return {row.pop(field): row for row in rows}


def owner_figures_compute(*, today: datetime.date) -> dict[int, dict]:
    """Every owner's home-page figures as of `today`, over their customers not in the
    recycle bin (as `customer_responsible_q` counts them): the month's payments (one
    GROUP BY over the payments of both periods, on `booking_paid_on`), and one pass over
    the customers counting those added and marked lost in both periods and those of
    each grade; and one pass over the unpaid bookings counting and summing them and
    those overdue on `today` (finance's totals and breakdown by owner). For the refresh
    job (customers.services.figures); owners with nothing are left out."""
    period, last_year = month_to_date(today), same_days_last_year(today)
    payments, money_sums = _month_payments(today=today)
    is_lost = Q(status=CustomerStatus.LOST, churn_reason__in=ChurnReason.values)
    overdue = Q(payment_due_date__lt=today)
    customer_counts = {
        "added": Count("pk", filter=_window("created_at", period)),
        "added_last_year": Count("pk", filter=_window("created_at", last_year)),
        "lost": Count("pk", filter=is_lost & _window("lost_at", period)),
        "lost_last_year": Count("pk", filter=is_lost & _window("lost_at", last_year)),
        **{field: Count("pk", filter=Q(grade=grade)) for grade, field in GRADE_FIELDS.items()},
    }
    owners: dict[int, dict] = {}
    for part in (
        _per_owner(
            payments.filter(customer__deleted_at__isnull=True), "customer__owner", money_sums
        ),
        _per_owner(Customer.objects.all(), "owner", customer_counts),
        _per_owner(
            Booking.objects.filter(status=BookingStatus.BOOKED, customer__deleted_at__isnull=True),
            "customer__owner",
            {
                "unpaid_bookings": Count("*"),
                "unpaid_amount": _money(Sum("amount")),
                "overdue_bookings": Count("pk", filter=overdue),
                "overdue_customers": Count("customer", filter=overdue, distinct=True),
                "overdue_amount": _money(Sum("amount", filter=overdue)),
            },
        ),
    ):
        for owner, values in part.items():
            owners.setdefault(owner, {}).update(values)
    return owners


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


@dataclass(frozen=True)
class HomeFigures:
    """What the home pages show of a book, from the stored per-owner figures: the
    month's money, customers added and lost, customers by grade; as of `as_of`."""

    month: MonthFigures
    movement: CustomerMovement
    grades: list[dict]
    as_of: datetime.datetime | None
    summed: bool


def owner_figures_refreshed() -> OwnerFiguresRefresh | None:
    """The last refresh of the stored figures (its day and time), None before any."""
    return OwnerFiguresRefresh.objects.order_by("-refreshed_at").first()


def home_figures(*, user, today: datetime.date) -> HomeFigures:
    """The figures of the customers `user` works on (their own, the team's, everyone's:
    `owner_scope_q`), added up from the stored per-owner rows: two small queries
    whatever the size of the book. They are for the day of the last refresh, as of its
    time (every ten minutes); before any refresh everything is zero and `summed` False."""
    refresh = owner_figures_refreshed()
    day = refresh.day if refresh else today
    rows = OwnerFigures.objects.filter(owner_scope_q(user=user)).order_by()
    totals = rows.aggregate(
        **{name: _money(Sum(name)) for name in FIGURE_NAMES},
        **{name: Coalesce(Sum(name), 0) for name in COUNT_NAMES},
    )
    month = MonthFigures(
        period=month_to_date(day),
        last_year=same_days_last_year(day),
        as_of=refresh.refreshed_at if refresh else None,
        summed=refresh is not None,
        **{name: totals[name] for name in FIGURE_NAMES},
    )
    movement = CustomerMovement(
        **{name: totals[name] for name in ("added", "added_last_year", "lost", "lost_last_year")}
    )
    grades = [
        {"grade": g.value, "label": g.label, "customers": totals[GRADE_FIELDS[g.value]]}
        for g in Grade
    ]
    grades.append({"grade": "", "label": None, "customers": totals[GRADE_FIELDS[""]]})
    return HomeFigures(
        month=month,
        movement=movement,
        grades=grades,
        as_of=month.as_of,
        summed=month.summed,
    )


# Receivables 应收账款 ---------------------------------------------------------------


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


def customers_recently_contacted(*, user, limit: int = 8) -> list:
    """The customers the user contacted most recently, newest first, each once: the
    user's last contact records on the (by, contacted_at) index, among the customers
    they may see (a customer handed over since is left out)."""
    records = (
        ContactRecord.objects.filter(
            by=user, customer__in=customer_list_visible(user=user).values("pk")
        )
        .select_related("customer")
        .order_by("-contacted_at", "-pk")[: limit * 4]
    )
    seen: dict[int, ContactRecord] = {}
    for record in records:
        seen.setdefault(record.customer_id, record)
    return list(seen.values())[:limit]


def access_requests_pending(*, limit: int = 10) -> tuple[int, list[AccessRequest]]:
    """Special-access requests waiting for a manager: how many, and the oldest."""
    pending = AccessRequest.objects.filter(status=AccessRequestStatus.PENDING)
    rows = list(pending.select_related("requester", "customer").order_by("requested_at")[:limit])
    return pending.count(), rows


def security_alerts_open_count() -> int:
    return SecurityAlert.objects.filter(acknowledged_at__isnull=True).count()
