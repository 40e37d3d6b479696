"""The month figures on the home pages come from the stored per-owner sums, refreshed
every ten minutes: they must equal a sum over the bookings themselves for every scope,
follow a payment, refund, cancellation, hand-over or deletion at the next refresh, and
say "as of" when. Finance's receivables totals are stored the same way (see
test_home_receivables); its list of overdue bookings stays live."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from customers.models import Booking, BookingStatus, Customer, CustomerStatus, OwnerFigures
from customers.services.archive import booking_save, customer_soft_delete
from customers.services.figures import owner_figures_refresh
from customers.summaries import sales_month_figures_live
from tests.factories import BookingFactory, CustomerFactory
from tests.home.conftest import SHANGHAI, TODAY

DAY = datetime.timedelta(days=1)
LAST_YEAR_DAY = datetime.date(2025, 6, 12)  # inside the same days a year before


def booking(customer, *, amount, cost="0.00", status=BookingStatus.PAID, paid_on=TODAY - DAY,
            refunded="0.00"):  # fmt: skip
    due = paid_on or TODAY + 5 * DAY
    return BookingFactory(
        customer=customer,
        amount=Decimal(amount),
        cost=Decimal(cost),
        refunded_amount=Decimal(refunded),
        status=status,
        paid_date=paid_on,
        payment_due_date=due,
        start_date=due + 10 * DAY,
        end_date=due + 12 * DAY,
    )


def expected(owners, today=TODAY) -> dict[str, Decimal]:
    """The month's figures summed here, booking by booking, as the page must show them:
    paid or refunded bookings by the day paid, net of refunds; profit of paid ones;
    customers in the recycle bin left out."""
    start, last_start = today.replace(day=1), today.replace(year=today.year - 1, day=1)
    last_end = today.replace(year=today.year - 1)
    sums = dict.fromkeys(("spend", "gross_profit", "spend_ly", "gross_profit_ly"), Decimal(0))
    for b in Booking.objects.select_related("customer"):
        if b.customer.deleted_at or b.customer.owner_id not in {o.pk for o in owners}:
            continue
        if b.status not in (BookingStatus.PAID, BookingStatus.REFUNDED):
            continue
        net = b.amount - b.refunded_amount
        profit = net - b.cost if b.status == BookingStatus.PAID else Decimal(0)
        if start <= b.paid_date <= today:
            sums["spend"] += net
            sums["gross_profit"] += profit
        elif last_start <= b.paid_date <= last_end:
            sums["spend_ly"] += net
            sums["gross_profit_ly"] += profit
    return sums


def shown(client, section: str) -> dict[str, Decimal]:
    page = client.get(reverse("home"))
    f = page.context["data"][section]["figures"]
    return {
        "spend": f.spend,
        "gross_profit": f.gross_profit,
        "spend_ly": f.spend_last_year,
        "gross_profit_ly": f.gross_profit_last_year,
    }


@pytest.fixture
def books(staff, frozen_today):
    """Payments of every kind in the east team (sales1, sales2, lead1) and the north
    (sales3), this month, the same days last year, and outside both."""
    s1, s2, s3 = (CustomerFactory(owner=staff[n]) for n in ("sales1", "sales2", "sales3"))
    lead_own = CustomerFactory(owner=staff["lead1"])
    booking(s1, amount="1000.00", cost="600.00")
    booking(s1, amount="2000.00", cost="1500.00", refunded="500.00")  # part refunded
    booking(s1, amount="3000.00", cost="2000.00", status=BookingStatus.REFUNDED,
            refunded="3000.00")  # fmt: skip
    booking(s1, amount="400.00", cost="100.00", paid_on=LAST_YEAR_DAY)
    booking(s1, amount="999.00", paid_on=datetime.date(2025, 6, 20))  # after the same days
    booking(s1, amount="777.00", paid_on=datetime.date(2026, 5, 31))  # last month
    booking(s2, amount="5000.00", cost="4000.00", paid_on=TODAY)
    booking(s2, amount="8000.00", status=BookingStatus.CANCELLED, paid_on=None)
    booking(s2, amount="6000.00", status=BookingStatus.BOOKED, paid_on=None)
    booking(lead_own, amount="700.00", cost="300.00", paid_on=TODAY.replace(day=1))
    booking(s3, amount="90000.00", cost="1.00")
    booking(s3, amount="12000.00", cost="2.00", paid_on=LAST_YEAR_DAY)
    return {"s1": s1, "s2": s2, "s3": s3, "lead_own": lead_own}


@pytest.mark.parametrize(
    ("who", "section", "owners"),
    [
        ("sales1", "rep", ["sales1"]),
        ("sales3", "rep", ["sales3"]),
        ("lead1", "rep", ["sales1", "sales2", "lead1"]),
        ("manager1", "manager", ["sales1", "sales2", "sales3", "lead1"]),
    ],
)
def test_stored_figures_equal_a_sum_over_the_bookings(staff, books, client_as, who, section,
                                                      owners):  # fmt: skip
    owner_figures_refresh()
    want = expected([staff[name] for name in owners])
    assert want["spend"] > 0  # the scenario has money in every scope
    assert shown(client_as(staff[who]), section) == want
    # The live sum (the bench's and this test's second opinion) agrees too.
    live = sales_month_figures_live(user=staff[who], today=TODAY)
    assert (live.spend, live.gross_profit) == (want["spend"], want["gross_profit"])


def test_manager_figures_for_the_scenario_in_yuan(staff, books, client_as):
    """The sums above, worked by hand once, so the oracle itself is checked."""
    owner_figures_refresh()
    figures = shown(client_as(staff["manager1"]), "manager")
    # 1000 + 1500 + 0 (refunded) + 5000 + 700 + 90000; profit 400 + 0 + 1000 + 400 + 89999.
    assert figures["spend"] == Decimal("98200.00")
    assert figures["gross_profit"] == Decimal("91799.00")
    assert figures["spend_ly"] == Decimal("12400.00")
    assert figures["gross_profit_ly"] == Decimal("12298.00")


def test_a_payment_refund_and_cancellation_show_after_the_next_refresh(
    staff, books, client_as, time_machine
):
    owner_figures_refresh()
    client = client_as(staff["sales2"])
    before = shown(client, "rep")
    page = client.get(reverse("home")).text
    assert "As of 2026-06-15 10:00" in page

    unpaid = Booking.objects.get(customer=books["s2"], status=BookingStatus.BOOKED)
    unpaid.status, unpaid.paid_date = BookingStatus.PAID, TODAY
    booking_save(actor=staff["sales2"], booking=unpaid)
    # Finance's unpaid total is stored too: the payment leaves it at the next refresh,
    # while the month's payments count it at once.
    finance = client_as(staff["finance1"]).get(reverse("home")).context["data"]["finance"]
    assert finance["summary"].unpaid_count == 1
    assert finance["summary"].paid_count == 7

    client = client_as(staff["sales2"])
    assert shown(client, "rep") == before  # the stored figures: as of 10:00 still
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 10, tzinfo=SHANGHAI), tick=False)
    owner_figures_refresh()
    finance = client_as(staff["finance1"]).get(reverse("home")).context["data"]["finance"]
    assert finance["summary"].unpaid_count == 0
    client = client_as(staff["sales2"])
    after = shown(client, "rep")
    assert after == expected([staff["sales2"]])
    assert after["spend"] == before["spend"] + Decimal("6000.00")
    assert "As of 2026-06-15 10:10" in client.get(reverse("home")).text

    paid = Booking.objects.get(customer=books["s2"], amount=Decimal("5000.00"))
    paid.status, paid.refunded_amount = BookingStatus.REFUNDED, paid.amount
    booking_save(actor=staff["sales2"], booking=paid)
    cancelled = Booking.objects.get(pk=unpaid.pk)
    cancelled.status, cancelled.paid_date = BookingStatus.CANCELLED, None
    booking_save(actor=staff["sales2"], booking=cancelled)
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 20, tzinfo=SHANGHAI), tick=False)
    owner_figures_refresh()
    assert shown(client, "rep") == expected([staff["sales2"]])
    assert shown(client, "rep")["spend"] == Decimal("0.00")


def test_a_customer_handed_over_or_deleted_moves_at_the_next_refresh(staff, books, client_as):
    owner_figures_refresh()
    Customer.objects.filter(pk=books["s1"].pk).update(owner=staff["sales3"])
    customer_soft_delete(actor=staff["manager1"], customer=books["s2"])
    owner_figures_refresh()
    assert shown(client_as(staff["sales1"]), "rep")["spend"] == Decimal("0.00")
    assert shown(client_as(staff["sales3"]), "rep") == expected([staff["sales3"]])
    lead = [staff["sales1"], staff["sales2"], staff["lead1"]]
    assert shown(client_as(staff["lead1"]), "rep") == expected(lead)
    assert shown(client_as(staff["lead1"]), "rep")["spend"] == Decimal("700.00")


def test_customers_by_grade_added_and_lost_follow_at_the_next_refresh(
    staff, books, client_as, time_machine
):
    owner_figures_refresh()
    lead = client_as(staff["lead1"])

    def grades():
        rows = lead.get(reverse("home")).context["data"]["rep"]["grades"]
        return {row["grade"]: row["customers"] for row in rows}

    # The east team's three customers of `books`, graded C by the factory.
    team = Customer.objects.filter(owner__in=[staff[n] for n in ("sales1", "sales2", "lead1")])
    want = {g: team.filter(grade=g).count() for g in ("A", "B", "C", "")}
    assert grades() == want and sum(want.values()) == 3
    Customer.objects.filter(pk=books["s1"].pk).update(grade="A")
    CustomerFactory(owner=staff["sales2"], grade="B")
    CustomerFactory(owner=staff["sales3"], grade="B")  # another team
    assert grades() == want  # as of the last refresh
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 10, tzinfo=SHANGHAI), tick=False)
    owner_figures_refresh()
    assert grades() == {g: team.filter(grade=g).count() for g in ("A", "B", "C", "")}
    assert grades()["A"] == want["A"] + 1 and grades()["B"] == want["B"] + 1

    manager = client_as(staff["manager1"]).get(reverse("home")).context["data"]["manager"]
    assert manager["customers"].added == Customer.objects.count() == 6
    Customer.objects.filter(pk=books["s3"].pk).update(
        status=CustomerStatus.LOST, churn_reason="price", lost_at=timezone.now()
    )
    old = CustomerFactory(owner=staff["sales3"])  # added and lost in June last year
    Customer.objects.filter(pk=old.pk).update(
        created_at=datetime.datetime(2025, 6, 3, 9, tzinfo=SHANGHAI),
        status=CustomerStatus.LOST,
        churn_reason="moved_away",
        lost_at=datetime.datetime(2025, 6, 14, 9, tzinfo=SHANGHAI),
    )
    owner_figures_refresh()
    movement = client_as(staff["manager1"]).get(reverse("home")).context["data"]["manager"]
    movement = movement["customers"]
    assert (movement.added, movement.added_last_year) == (6, 1)
    assert (movement.lost, movement.lost_last_year) == (1, 1)


def test_receivables_totals_follow_at_the_refresh_and_the_overdue_list_is_live(
    staff, frozen_today, client_as, time_machine
):
    late = CustomerFactory(owner=staff["sales1"])
    first = booking(late, amount="300.00", status=BookingStatus.BOOKED, paid_on=None)
    Booking.objects.filter(pk=first.pk).update(payment_due_date=TODAY - 3 * DAY)
    second = booking(late, amount="200.00", status=BookingStatus.BOOKED, paid_on=None)
    Booking.objects.filter(pk=second.pk).update(payment_due_date=TODAY - DAY)
    owner_figures_refresh()
    finance = client_as(staff["finance1"])

    def data():
        return finance.get(reverse("home")).context["data"]["finance"]

    before = data()
    assert before["summary"].overdue_amount == Decimal("500.00")
    assert [row["amount"] for row in before["by_owner"]] == [Decimal("500.00")]
    assert [b.pk for b in before["overdue"]] == [first.pk, second.pk]  # longest first

    paid = Booking.objects.get(pk=first.pk)
    paid.status, paid.paid_date = BookingStatus.PAID, TODAY
    booking_save(actor=staff["sales1"], booking=paid)
    now = data()  # live: the payment has left the list and joined the month's payments
    assert [b.pk for b in now["overdue"]] == [second.pk]
    assert now["summary"].paid_amount == Decimal("300.00")
    # The totals, the owners and the customers owing the most: as of 10:00.
    assert now["summary"].overdue_amount == Decimal("500.00")
    assert now["summary"].overdue_count == 2
    assert [row["amount"] for row in now["by_owner"]] == [Decimal("500.00")]
    assert [row["amount"] for row in now["by_customer"]] == [Decimal("500.00")]
    assert "as of 2026-06-15 10:00" in finance.get(reverse("home")).text
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 10, tzinfo=SHANGHAI), tick=False)
    owner_figures_refresh()
    after = data()
    rows = after["by_owner"]
    assert [(r["customer__owner__username"], r["bookings"], r["amount"]) for r in rows] == [
        ("sales1", 1, Decimal("200.00"))
    ]
    assert (after["summary"].overdue_count, after["summary"].overdue_amount) == (1, 200)
    assert [(r["bookings"], r["amount"]) for r in after["by_customer"]] == [(1, 200)]


def test_before_the_first_refresh_the_page_says_so(staff, books, client_as):
    page = client_as(staff["manager1"]).get(reverse("home"))
    assert page.status_code == 200
    assert "the first sum has not run yet" in page.text
    assert page.context["data"]["manager"]["figures"].summed is False


def test_a_refresh_twice_or_out_of_order_keeps_the_latest(staff, books, time_machine):
    later = datetime.datetime(2026, 6, 15, 11, tzinfo=SHANGHAI)
    earlier = datetime.datetime(2026, 6, 15, 10, 30, tzinfo=SHANGHAI)
    assert owner_figures_refresh(now=later) == 4  # sales1, sales2, sales3, lead1
    assert owner_figures_refresh(now=later) == 4
    assert OwnerFigures.objects.count() == 4
    assert owner_figures_refresh(now=earlier) is None  # a delayed run changes nothing
    assert OwnerFigures.objects.get(owner=staff["sales3"]).spend == Decimal("90000.00")


def test_the_refresh_runs_by_hand(staff, books, client_as, capsys):
    call_command("refresh_home_figures")
    assert "Home figures of 4 owners stored." in capsys.readouterr().out
    assert shown(client_as(staff["sales3"]), "rep") == expected([staff["sales3"]])


@pytest.mark.postgres
def test_the_bulk_refreshes_analyze_what_they_filled(staff, books, monkeypatch):
    """Home figures and the dormancy dates are filled in bulk: the pages after them are
    planned on fresh statistics (customers.dbstats), not on an empty-looking table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from customers import dbstats
    from customers.services.dormancy import customers_dormancy_refresh

    monkeypatch.setattr(dbstats, "ANALYZE_AFTER_ROWS", 1)
    Customer.all_objects.update(dormancy_counts_from=None)
    with CaptureQueriesContext(connection) as captured:
        owner_figures_refresh()
        assert customers_dormancy_refresh(today=TODAY) == 4
    analyzed = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("ANALYZE")]
    assert analyzed == [
        'ANALYZE "customers_ownerfigures", "customers_owneroverduecustomer"',
        'ANALYZE "customers_customer"',
    ]
