"""Finance's receivables on the home page come from the stored per-owner rows (the
ten-minute refresh): right after a refresh they must equal the live sums over the
unpaid bookings for every scope (a rep, a team lead's team, finance's and a manager's
everyone), and the customers owing the most must be exactly the live top ten, ties
and each owner's cut-off included."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Count, Min, Sum
from django.urls import reverse

from customers.models import Booking, BookingStatus, OwnerOverdueCustomer
from customers.selectors import customer_responsible_q
from customers.services.archive import customer_soft_delete
from customers.services.figures import owner_figures_refresh
from customers.summaries import (
    PAID_OR_REFUNDED,
    receivables_overdue_by_customer,
    receivables_summary,
)
from tests.factories import BookingFactory, CustomerFactory
from tests.home.conftest import SHANGHAI, TODAY, unpaid

DAY = datetime.timedelta(days=1)
FINANCE_HOME_QUERIES = 12  # 13 when the totals and the top ten were read live
SCOPES = ["sales1", "sales3", "lead1", "finance1", "manager1"]


@pytest.fixture
def receivables(staff, frozen_today):
    """Thirteen customers with overdue money for each of four owners (two teams), the
    amounts repeating so that equal totals meet at every cut-off (an owner's tenth, a
    scope's tenth); some customers with several overdue bookings, some also owing money
    not yet due; a customer in the recycle bin; paid and cancelled bookings."""
    for o, owner in enumerate(("sales1", "sales2", "lead1", "sales3")):
        for k in range(13):
            customer = CustomerFactory(owner=staff[owner])
            amount = 100 * ((k * 7 + o) % 5 + 1)
            unpaid(customer, amount=f"{amount}.00", due_on=TODAY - (k + 1) * DAY)
            if k % 3 == 0:  # the same total reached in two bookings
                unpaid(customer, amount="40.00", due_on=TODAY - 30 * DAY)
                unpaid(customer, amount="60.00", due_on=TODAY - 2 * DAY)
            if k % 4 == 0:
                unpaid(customer, amount="999.00", due_on=TODAY + 3 * DAY)  # not yet due
                unpaid(customer, amount="77.00", due_on=TODAY)  # due today: not overdue
    deleted = CustomerFactory(owner=staff["sales1"])
    unpaid(deleted, amount="9999.00", due_on=TODAY - 5 * DAY)
    customer_soft_delete(actor=staff["manager1"], customer=deleted)
    settled = CustomerFactory(owner=staff["sales3"])
    for status in (BookingStatus.PAID, BookingStatus.CANCELLED):
        BookingFactory(
            customer=settled,
            amount=Decimal("8888.00"),
            status=status,
            paid_date=TODAY - DAY if status == BookingStatus.PAID else None,
            payment_due_date=TODAY - 10 * DAY,
            start_date=TODAY + 10 * DAY,
            end_date=TODAY + 12 * DAY,
        )


def live_summary(user, today=TODAY) -> dict:
    """The totals summed over the bookings now (what the page showed live before)."""
    bookings = Booking.objects.filter(customer_responsible_q(user=user))
    unpaid_rows = bookings.filter(status=BookingStatus.BOOKED)
    overdue = unpaid_rows.filter(payment_due_date__lt=today)
    paid = bookings.filter(status__in=PAID_OR_REFUNDED, paid_date__gte=today.replace(day=1))
    return {
        "unpaid_count": unpaid_rows.count(),
        "unpaid_amount": unpaid_rows.aggregate(s=Sum("amount"))["s"] or Decimal("0.00"),
        "overdue_count": overdue.count(),
        "overdue_amount": overdue.aggregate(s=Sum("amount"))["s"] or Decimal("0.00"),
        "overdue_customers": overdue.values("customer").distinct().count(),
        "paid_count": paid.count(),
        "paid_amount": paid.aggregate(s=Sum("amount"))["s"] or Decimal("0.00"),
    }


def live_top(user, limit=10, today=TODAY) -> list[tuple]:
    """The customers owing the most overdue money, summed over the bookings now."""
    rows = (
        Booking.objects.filter(
            customer_responsible_q(user=user),
            status=BookingStatus.BOOKED,
            payment_due_date__lt=today,
        )
        .values("customer")
        .annotate(bookings=Count("*"), amount=Sum("amount"), oldest=Min("payment_due_date"))
        .order_by("-amount", "customer_id")[:limit]
    )
    return [(r["customer"], r["bookings"], r["amount"], r["oldest"]) for r in rows]


def shown_top(rows) -> list[tuple]:
    return [(r["customer"], r["bookings"], r["amount"], r["oldest"]) for r in rows]


@pytest.mark.parametrize("who", SCOPES)
def test_stored_totals_equal_the_live_sums_right_after_a_refresh(staff, receivables, who):
    owner_figures_refresh()
    user = staff[who]
    summary = receivables_summary(user=user, today=TODAY)
    want = live_summary(user)
    assert want["overdue_count"] > 0 and want["unpaid_count"] > want["overdue_count"]
    assert {name: getattr(summary, name) for name in want} == want


@pytest.mark.parametrize("who", SCOPES)
def test_customers_owing_the_most_equal_the_live_top_ten(staff, receivables, who):
    owner_figures_refresh()
    user = staff[who]
    want = live_top(user)
    assert len(want) == 10
    assert shown_top(receivables_overdue_by_customer(user=user, limit=10)) == want
    assert shown_top(receivables_overdue_by_customer(user=user, limit=3)) == want[:3]


def test_the_scenario_has_ties_at_the_cut_offs(staff, receivables):
    """Otherwise the tests above would not show that the stored lists break ties as the
    page does: a scope's tenth and eleventh owe the same, and so do an owner's."""
    for who in ("finance1", "sales1"):
        eleven = live_top(staff[who], limit=11)
        assert eleven[9][2] == eleven[10][2]
    owner_figures_refresh()
    assert OwnerOverdueCustomer.objects.filter(owner=staff["sales1"]).count() == 10


def test_only_ten_are_stored_per_owner(staff, receivables):
    owner_figures_refresh()
    with pytest.raises(ValueError):
        receivables_overdue_by_customer(user=staff["finance1"], limit=11)


def test_the_page_shows_the_stored_receivables_as_of_the_refresh(
    staff, receivables, client_as, time_machine
):
    owner_figures_refresh()
    finance = client_as(staff["finance1"])
    first = finance.get(reverse("home"))
    top = first.context["data"]["finance"]["by_customer"]
    for testid in ("unpaid-as-of", "overdue-as-of", "by-customer-as-of"):
        assert f'data-testid="{testid}">as of 2026-06-15 10:00<' in first.text
    payer = top[0]["customer"]
    Booking.objects.filter(customer_id=payer, status=BookingStatus.BOOKED).update(
        status=BookingStatus.PAID, paid_date=TODAY
    )
    data = finance.get(reverse("home")).context["data"]["finance"]
    assert data["by_customer"][0]["customer"] == payer  # as of 10:00
    assert data["summary"].paid_amount == live_summary(staff["finance1"])["paid_amount"]
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 10, tzinfo=SHANGHAI), tick=False)
    owner_figures_refresh()
    page = finance.get(reverse("home"))
    data = page.context["data"]["finance"]
    assert payer not in {row["customer"] for row in data["by_customer"]}
    assert shown_top(data["by_customer"]) == live_top(staff["finance1"])
    assert "as of 2026-06-15 10:10" in page.text


def test_before_any_refresh_the_receivables_say_not_yet(staff, receivables, client_as):
    page = client_as(staff["finance1"]).get(reverse("home"))
    assert page.status_code == 200
    assert page.text.count("(summed every ten minutes; not yet)") == 4
    assert page.context["data"]["finance"]["summary"].overdue_count == 0


def test_finance_home_query_count_is_constant(
    staff, receivables, client_as, django_assert_num_queries
):
    """The receivables add no query per owner, customer or booking."""
    owner_figures_refresh()
    client = client_as(staff["finance1"])
    with django_assert_num_queries(FINANCE_HOME_QUERIES):
        assert client.get(reverse("home")).status_code == 200
    for k in range(15):
        unpaid(CustomerFactory(owner=staff["sales2"]), amount="5000.00", due_on=TODAY - k * DAY)
    owner_figures_refresh()
    with django_assert_num_queries(FINANCE_HOME_QUERIES):
        assert client.get(reverse("home")).status_code == 200
