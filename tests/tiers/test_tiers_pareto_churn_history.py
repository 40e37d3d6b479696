"""Issue 14: the Pareto of profit in its own order, churn by period beside the
handbook, when a customer was marked lost, and grades in the customer's history."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer, CustomerStatus
from customers.services import customer_update
from tests.factories import CustomerFactory, TagFactory
from tiers.models import Proposal
from tiers.services import (
    grade_override,
    half_yearly_review,
    monthly_statistics,
    proposals_decide,
)

pytestmark = pytest.mark.django_db

OCT = datetime.date(2026, 10, 1)
NOV_1 = datetime.date(2026, 11, 1)
REPORT = reverse("tiers:report")


@pytest.fixture
def spend_and_profit_disagree(sales1, paid_booking):
    """Five buyers: ¥100,000 spend, ¥20,000 gross profit. By spend the best is A
    (¥50,000, but ¥2,000 profit); by profit it is B (¥8,000)."""
    figures = {"A": (50000, 2000), "B": (20000, 8000), "C": (15000, 6000),
               "D": (10000, 3000), "E": (5000, 1000)}  # fmt: skip
    for name, (spend, profit) in figures.items():
        customer = CustomerFactory(owner=sales1, name=name)
        paid_booking(customer, spend, "2026-06-01", cost=Decimal(spend - profit))
    monthly_statistics(month=OCT, today=NOV_1)


def test_profit_pareto_orders_customers_by_profit(spend_and_profit_disagree, manager1, client_as):
    response = client_as(manager1).get(REPORT)

    pareto = response.context["report"].pareto
    assert pareto["buyers"] == 5
    assert pareto["top20_spend"] == pytest.approx(50000 / 100000)  # A
    # Top 20% by profit is B: 40%. Read off the spend order it would be A's 10%.
    assert pareto["top20_profit"] == pytest.approx(8000 / 20000)
    assert [round(y, 2) for _x, y in pareto["profit_points"]] == [0, 0.4, 0.7, 0.85, 0.95, 1.0]
    content = response.content.decode()
    assert "the top 20% by gross profit bring 40.0% of the gross profit" in content
    assert 'data-curve="profit"' in content and 'data-curve="spend"' in content


def test_pareto_export_has_both_orders(spend_and_profit_disagree, manager1, client_as):
    response = client_as(manager1).get(reverse("tiers:export", args=["pareto", "csv"]))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Customers ordered by", "Share of buying customers (%)",
                       "Cumulative share (%)"]  # fmt: skip
    assert ["12-month spend", "20.0", "50.0"] in rows
    assert ["12-month gross profit", "20.0", "40.0"] in rows


def test_a_loss_making_customer_takes_the_profit_curve_above_100_percent(
    sales1, paid_booking, manager1, client_as
):
    for amount, cost in ((10000, 6000), (10000, 9000), (10000, 11000)):  # +4,000 +1,000 −1,000
        paid_booking(CustomerFactory(owner=sales1), amount, "2026-06-01", cost=Decimal(cost))
    monthly_statistics(month=OCT, today=NOV_1)

    response = client_as(manager1).get(REPORT)

    points = response.context["report"].pareto["profit_points"]
    assert [round(y, 3) for _x, y in points] == [0, 1.0, 1.25, 1.0]  # of ¥4,000
    assert ">120%</text>" in response.content.decode()  # the scale goes above 100%


def _lost(customer, reason: str, when: datetime.datetime | None) -> None:
    Customer.objects.filter(pk=customer.pk).update(
        status=CustomerStatus.LOST, churn_reason=reason, lost_at=when
    )


def _at(day: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(day + "T10:00"))


def test_churn_by_period_beside_the_handbook(sales1, sales3, manager1, client_as, paid_booking):
    """Report of October 2026: this year = 1 January-31 October 2026, last year = 2025."""
    paid_booking(CustomerFactory(owner=sales1), 3000, "2026-06-01")
    _lost(CustomerFactory(owner=sales1), "price", _at("2026-03-01"))
    _lost(CustomerFactory(owner=sales1), "poor_service", _at("2026-10-31"))
    _lost(CustomerFactory(owner=sales3), "poor_service", _at("2025-12-31"))
    _lost(CustomerFactory(owner=sales3), "poor_service", _at("2024-05-01"))
    _lost(CustomerFactory(owner=sales3), "moved_away", None)  # date unknown
    _lost(CustomerFactory(owner=sales3), "price", _at("2026-11-02"))  # after the month
    monthly_statistics(month=OCT, today=NOV_1)

    churn = client_as(manager1).get(REPORT).context["report"].churn

    rows = {row["reason"]: row for row in churn["rows"]}
    assert (churn["this_year"], churn["last_year"]) == (2026, 2025)
    assert churn["totals"] == {"this_year": 2, "last_year": 1, "all_time": 5, "undated": 1}
    assert [rows["poor_service"][p] for p in ("this_year", "last_year", "all_time")] == [1, 1, 3]
    assert [rows["price"][p] for p in ("this_year", "last_year", "all_time")] == [1, 0, 1]
    assert rows["poor_service"]["all_time_share"] == pytest.approx(3 / 5)
    assert rows["poor_service"]["this_year_share"] == 0.5
    assert rows["poor_service"]["handbook_share"] == 0.68
    assert rows["deceased"]["handbook_share"] == 0.01

    rep = client_as(sales1).get(REPORT).context["report"].churn  # own customers only
    assert rep["totals"] == {"this_year": 2, "last_year": 0, "all_time": 2, "undated": 0}


def test_churn_export_in_csv(sales1, manager1, client_as, paid_booking):
    paid_booking(CustomerFactory(owner=sales1), 3000, "2026-06-01")
    _lost(CustomerFactory(owner=sales1), "price", _at("2026-03-01"))
    monthly_statistics(month=OCT, today=NOV_1)

    response = client_as(manager1).get(reverse("tiers:export", args=["churn", "csv"]))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Reason lost", "This year (2026): customers",
                           "This year (2026): share (%)"]  # fmt: skip
    assert rows[0][-1] == "Handbook (%)"
    price = next(row for row in rows if row[0] == "Price")
    assert price == ["Price", "1", "100.0", "0", "0.0", "1", "100.0", "9.0"]


def test_marking_lost_records_when_and_reactivating_clears_it(customer_of_sales1, sales1):
    customer = customer_of_sales1
    before = timezone.now()
    customer.status, customer.churn_reason = CustomerStatus.LOST, "price"
    customer_update(actor=sales1, customer=customer)
    customer.refresh_from_db()
    assert before <= customer.lost_at <= timezone.now()
    marked = customer.lost_at

    customer.churn_reason = "poor_service"  # edited while lost: the date stays
    customer_update(actor=sales1, customer=customer)
    customer.refresh_from_db()
    assert customer.lost_at == marked

    customer.status = CustomerStatus.ACTIVE
    customer_update(actor=sales1, customer=customer)
    customer.refresh_from_db()
    assert customer.lost_at is None and customer.churn_reason == ""


def test_a_lost_customer_without_a_date_keeps_it_unknown(customer_of_sales1, sales1):
    _lost(customer_of_sales1, "price", None)  # marked lost before dates were recorded
    customer = Customer.objects.get(pk=customer_of_sales1.pk)
    customer.occupation = "教师"
    customer_update(actor=sales1, customer=customer)
    customer.refresh_from_db()
    assert customer.lost_at is None


def _history_rows(client, customer) -> str:
    return client.get(reverse("customers:history", args=[customer.pk])).content.decode()


def test_committee_and_manual_grades_show_in_the_change_history(
    sales1, manager1, client_as, paid_booking
):
    customer = CustomerFactory(owner=sales1, name="历史客户")
    customer.tags.add(TagFactory(name="VIP"))  # the new rows must carry it along
    paid_booking(customer, 60000, "2026-11-15")
    other = CustomerFactory(owner=sales1)
    paid_booking(other, 12000, "2026-11-20")
    evaluation = half_yearly_review(today=datetime.date(2027, 1, 1))

    proposals_decide(
        actor=manager1,
        evaluation=evaluation,
        proposals=Proposal.objects.filter(evaluation=evaluation),
    )

    history = Customer.history.filter(id=customer.pk).order_by("-history_date", "-history_id")
    newest = history.first()
    assert (newest.grade, newest.history_user_id) == ("A", manager1.pk)
    assert newest.history_change_reason == "Approved by the tiering committee"
    assert Customer.history.filter(id=other.pk, grade="B").count() == 1
    page = _history_rows(client_as(sales1), customer)
    assert "Approved by the tiering committee" in page
    assert '<span class="text-secondary">—</span> → Grade A' in page

    grade_override(actor=manager1, customer=customer, grade="B", reason="口碑一般，暂降一级")

    newest = Customer.history.filter(id=customer.pk).order_by("-history_date", "-history_id")[0]
    assert (newest.grade, newest.history_change_reason) == ("B", "口碑一般，暂降一级")
    page = _history_rows(client_as(sales1), customer)
    assert "口碑一般，暂降一级" in page
    assert '<span class="text-secondary">Grade A</span> → Grade B' in page
    # Nothing else looks changed: not the editable fields, not the tags (copied along).
    assert newest.diff_against(newest.prev_record).changed_fields == []


def test_backfills_lost_at_from_history_and_profit_pareto(customer_of_sales1, sales1, paid_booking):
    """The migrations' backfills, run on today's tables: lost_at from the first history
    row of the current lost spell; the profit Pareto rows of months computed before."""
    from importlib import import_module

    from django.apps import apps

    from tiers.models import ParetoSummary

    customer = customer_of_sales1
    customer.status, customer.churn_reason = CustomerStatus.LOST, "price"
    customer_update(actor=sales1, customer=customer)
    customer.status = CustomerStatus.ACTIVE
    customer_update(actor=sales1, customer=customer)
    customer.status, customer.churn_reason = CustomerStatus.LOST, "poor_service"
    customer_update(actor=sales1, customer=customer)
    second_spell = Customer.history.filter(id=customer.pk).order_by("-history_date")[0]
    never_dated = CustomerFactory(owner=sales1)
    _lost(never_dated, "price", None)  # no history row says when
    Customer.objects.filter(pk=customer.pk).update(lost_at=None)

    import_module("customers.migrations.0011_customer_lost_at").lost_at_from_history(apps, None)

    assert Customer.objects.get(pk=customer.pk).lost_at == second_spell.history_date
    assert Customer.objects.get(pk=never_dated.pk).lost_at is None

    paid_booking(CustomerFactory(owner=sales1), 9000, "2026-06-01", cost=Decimal(1000))
    paid_booking(CustomerFactory(owner=sales1), 3000, "2026-06-01", cost=Decimal(2900))
    monthly_statistics(month=OCT, today=NOV_1)
    stored = list(ParetoSummary.objects.filter(ordered_by="profit").values_list("percentile"))
    ParetoSummary.objects.filter(ordered_by="profit").delete()
    backfill = import_module("tiers.migrations.0005_dormant_days_profit_pareto")

    backfill.profit_pareto_for_computed_months(apps, None)
    backfill.profit_pareto_for_computed_months(apps, None)  # twice: nothing more

    again = list(ParetoSummary.objects.filter(ordered_by="profit").values_list("percentile"))
    assert sorted(again) == sorted(stored) == [(50,), (100,)]
