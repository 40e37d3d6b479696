"""Semi-dormant 半休眠: one definition (customers.dormancy) with the tier policy's days,
the same answer from the customer list's filter and from the monthly statistics, at the
boundaries. As of 31 October 2026 with 183 days, the window starts on 1 May 2026: a
trip on 1 May (183 days before) keeps a customer active, one on 30 April (184 days)
does not."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.dormancy import dormant_days
from customers.models import BookingStatus, Customer
from customers.selectors import customer_filter_dormant
from tests.factories import BookingFactory, CustomerFactory
from tiers.models import CustomerSnapshot, TierPolicy
from tiers.services import monthly_statistics, policy_current, policy_publish

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 10, 31)
OCT = datetime.date(2026, 10, 1)
NOV_1 = datetime.date(2026, 11, 1)


def _added_on(customer, day: datetime.date) -> None:
    Customer.objects.filter(pk=customer.pk).update(
        created_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    )


def _trip(customer, start: str, **extra):
    start_date = datetime.date.fromisoformat(start)
    values = {
        "customer": customer,
        "start_date": start_date,
        "end_date": start_date + datetime.timedelta(days=3),
        "amount": Decimal("5000"),
        "cost": Decimal("4000"),
        "status": BookingStatus.PAID,
        "paid_date": min(start_date, AS_OF),
        "payment_due_date": min(start_date, AS_OF),
    }
    values.update(extra)
    return BookingFactory(**values)


@pytest.fixture
def edge_cases(sales1):
    """Hand-made: which customers are semi-dormant on 31 October 2026 (183 days)."""
    made = {}

    def customer(name, dormant: bool, added="2025-01-10"):
        made[name] = (CustomerFactory(owner=sales1, name=name), dormant)
        _added_on(made[name][0], datetime.date.fromisoformat(added))
        return made[name][0]

    _trip(customer("trip 183 days ago", False), "2026-05-01")
    _trip(customer("trip 184 days ago", True), "2026-04-30")
    # A fully refunded trip is no business: the customer's last business is 2025.
    refunded = customer("refunded trip", True)
    _trip(refunded, "2025-12-01")
    _trip(refunded, "2026-09-01", status=BookingStatus.REFUNDED, refunded_amount=Decimal("5000"))
    # Partly refunded is still business.
    _trip(customer("partly refunded trip", False), "2026-09-01", refunded_amount=Decimal("1000"))
    cancelled = customer("cancelled trip", True)
    _trip(cancelled, "2026-09-01", status=BookingStatus.CANCELLED, paid_date=None)
    _trip(cancelled, "2025-03-01")
    # A trip next year, paid in 2025: business now, although the last trip is old.
    future_paid = customer("future trip paid", False)
    _trip(future_paid, "2025-02-01")
    _trip(future_paid, "2027-02-01", paid_date=datetime.date(2025, 12, 1))
    # Booked but not paid: a reservation, not yet business.
    future_unpaid = customer("future trip unpaid", True)
    _trip(future_unpaid, "2025-02-01")
    _trip(future_unpaid, "2027-02-01", status=BookingStatus.BOOKED, paid_date=None)
    # Never bought: on file since before the window (30 April) or within it (1 May).
    customer("never bought, added 184 days ago", True, added="2026-04-30")
    customer("never bought, added 183 days ago", False, added="2026-05-01")
    # Imported with old history yesterday: no business for 400 days, dormant at once.
    _trip(customer("old trips, added recently", True, added="2026-10-30"), "2025-09-26")
    return made


def test_the_list_filter_at_the_boundaries(edge_cases):
    found = set(
        customer_filter_dormant(Customer.objects.all(), today=AS_OF).values_list("name", flat=True)
    )
    expected = {name for name, (_customer, dormant) in edge_cases.items() if dormant}
    assert found == expected


def test_the_monthly_statistics_agree_with_the_filter(edge_cases):
    monthly_statistics(month=OCT, today=NOV_1)

    snapshots = CustomerSnapshot.objects.filter(month=OCT).select_related("customer")
    by_statistics = {s.customer.name: s.is_dormant for s in snapshots}
    assert by_statistics == {name: dormant for name, (_c, dormant) in edge_cases.items()}
    last = {s.customer.name: s.last_business_on for s in snapshots}
    assert last["future trip paid"] == AS_OF  # counted on the as-of day
    assert last["refunded trip"] == datetime.date(2025, 12, 1)
    assert last["never bought, added 184 days ago"] is None


def test_one_policy_value_moves_both(edge_cases, manager1):
    policy = TierPolicy.objects.get(pk=policy_current().pk)
    policy.dormant_days = 184
    policy_publish(actor=manager1, policy=policy)
    assert dormant_days() == 184

    found = set(
        customer_filter_dormant(Customer.objects.all(), today=AS_OF).values_list("name", flat=True)
    )
    assert "trip 184 days ago" not in found and "never bought, added 184 days ago" not in found
    monthly_statistics(month=OCT, today=NOV_1)
    snapshot = CustomerSnapshot.objects.get(month=OCT, customer__name="trip 184 days ago")
    assert snapshot.is_dormant is False


def test_the_customer_list_filter_uses_the_rule(sales1, client_as):
    today = timezone.localdate()
    refunded = CustomerFactory(owner=sales1, name="退款客户")
    _added_on(refunded, today - datetime.timedelta(days=400))
    _trip(refunded, (today - datetime.timedelta(days=30)).isoformat(),
          status=BookingStatus.REFUNDED, refunded_amount=Decimal("5000"),
          paid_date=today - datetime.timedelta(days=40))  # fmt: skip
    prospect = CustomerFactory(owner=sales1, name="新客户")  # added today, never bought
    assert prospect.pk

    response = client_as(sales1).get(reverse("customers:list"), {"dormant": "true"})

    names = {c.name for c in response.context["page"]}
    assert names == {"退款客户"}


def test_the_stored_date_gives_the_anti_joins_answer(edge_cases):
    """The list reads Customer.dormancy_counts_from (refreshed by the daily job); on the
    day it was refreshed it answers exactly as the anti-join over the bookings."""
    from customers.selectors import customer_filter_dormant_stored
    from customers.services.dormancy import customers_dormancy_refresh

    customers_dormancy_refresh(today=AS_OF)
    assert customers_dormancy_refresh(today=AS_OF) == 0  # a second run changes nothing
    everyone = Customer.objects.all()
    by_join = set(customer_filter_dormant(everyone, today=AS_OF).values_list("name", flat=True))
    stored = customer_filter_dormant_stored(everyone, today=AS_OF)
    active = customer_filter_dormant_stored(everyone, dormant=False, today=AS_OF)
    assert set(stored.values_list("name", flat=True)) == by_join
    assert set(active.values_list("name", flat=True)) == set(edge_cases) - by_join
    assert by_join == {name for name, (_c, dormant) in edge_cases.items() if dormant}


def test_a_booking_saved_moves_the_stored_date_at_once(sales1):
    from customers.services import booking_save
    from customers.services.dormancy import customers_dormancy_refresh

    customer = CustomerFactory(owner=sales1, name="老客户")
    _added_on(customer, datetime.date(2024, 1, 1))
    customers_dormancy_refresh()
    customer.refresh_from_db()
    assert customer.dormancy_counts_from == datetime.date(2024, 1, 1)
    today = timezone.localdate()
    booking = _trip(customer, today.isoformat()).__class__(
        customer=customer,
        product="三亚五日游",
        destination=customer.bookings.first().destination,
        trip_type="domestic",
        start_date=today,
        end_date=today,
        amount=Decimal("100"),
        cost=Decimal("80"),
        status=BookingStatus.PAID,
        paid_date=today,
    )
    Customer.objects.filter(pk=customer.pk).update(dormancy_counts_from=None)
    booking_save(actor=sales1, booking=booking)
    customer.refresh_from_db()
    assert customer.dormancy_counts_from == today
