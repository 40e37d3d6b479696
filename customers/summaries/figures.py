"""The month's figures and the stored per-owner home figures (see the package's
docstring), and the small reads of the home pages."""

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
