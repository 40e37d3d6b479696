"""Semi-dormant 半休眠 (DOMAIN.md §3): the one definition of "no business for six months",
used by the customer list's filter and by the tier reports' monthly statistics.

Business as of a day D is a booking that is
- not cancelled and not fully refunded (a refunded trip is no business), and
- a trip that started on or before D, or a trip still to come that was paid by D (a
  booking paid for a future trip is business now, on D).
A customer is semi-dormant on D when their last business day is more than `days` days
before D; a customer who never bought counts from the day they were added, so a
customer on file for longer than `days` days who never bought is semi-dormant too (and
one added yesterday is not).

How many days is a policy value that managers change without a deploy: tiers keeps it
on its versioned policy and registers it here in its AppConfig.ready(), as it registers
its customer-page panel (customers imports no other app). Without tiers: six months."""

import datetime
from collections.abc import Callable

from django.db.models import F, Q

from customers.models import BookingStatus

DEFAULT_DORMANT_DAYS = 183  # six months

_days_provider: Callable[[], int] | None = None


def register_dormant_days(provider: Callable[[], int]) -> None:
    """`provider()` returns the number of days in force (read each time it is asked)."""
    global _days_provider  # a one-slot registry, set once at start-up
    _days_provider = provider


def dormant_days() -> int:
    return _days_provider() if _days_provider is not None else DEFAULT_DORMANT_DAYS


def dormant_since(*, as_of: datetime.date, days: int) -> datetime.date:
    """The first day whose business keeps a customer out of semi-dormancy on `as_of`."""
    return as_of - datetime.timedelta(days=days)


# The definition, spelled twice: for the ORM (the customer list) and for the set-based
# SQL of the monthly statistics. tests/customers/test_dormancy.py holds them together.

_FULLY_REFUNDED = Q(refunded_amount__gte=F("amount")) & (
    Q(status=BookingStatus.REFUNDED) | Q(refunded_amount__gt=0)
)
_PAID = [BookingStatus.PAID, BookingStatus.REFUNDED]


def business_booking_q(*, as_of: datetime.date) -> Q:
    """Bookings that are business as of `as_of` (see the module's docstring)."""
    return (
        ~Q(status=BookingStatus.CANCELLED)
        & ~_FULLY_REFUNDED
        & (Q(start_date__lte=as_of) | Q(status__in=_PAID, paid_date__lte=as_of))
    )


def business_booking_sql(*, alias: str, as_of: str) -> str:
    """The same condition in SQL over the booking table aliased `alias`; `as_of` is an
    SQL date expression (a cast parameter)."""
    b = alias
    return (
        f"({b}.status <> 'cancelled'"
        f" AND NOT ({b}.refunded_amount >= {b}.amount"
        f" AND ({b}.status = 'refunded' OR {b}.refunded_amount > 0))"
        f" AND ({b}.start_date <= {as_of}"
        f" OR ({b}.status IN ('paid', 'refunded') AND {b}.paid_date <= {as_of})))"
    )


def last_business_sql(*, alias: str, as_of: str) -> str:
    """Aggregate: a customer's last business day up to `as_of` (a future trip paid by
    then counts on `as_of`), NULL when they never bought."""
    return (
        f"MAX(CASE WHEN {business_booking_sql(alias=alias, as_of=as_of)} THEN "
        f"CASE WHEN {alias}.start_date <= {as_of} THEN {alias}.start_date ELSE {as_of} END END)"
    )
