"""Issue 14, item 2 on the pages: the value report ranks by value, the quadrant report and
the review show "large but poor value", the customer panel shows the value."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from customers.models import Customer
from tests.factories import CustomerFactory
from tiers.services import half_yearly_review, monthly_statistics

OCT = datetime.date(2026, 10, 1)
NOV_1 = datetime.date(2026, 11, 1)
REPORT = reverse("tiers:report")

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(sales1, sales3, paid_booking):
    """Five buyers, one booking each on 30 September (value by hand, weights 40/30/20/10,
    F = 1 for all): 大户 ¥5,000 at 5% paid 40 days late: M 5, margin 1, delay 1 → 40,
    large but poor value; 好客 ¥4,000 at 20% on time → 73; 中客 ¥3,000 at 10%, 10 days
    → 38; 小客 ¥2,000 at 25%, 5 days → 55; 微客 (sales3's) ¥1,000 at 15%, 20 days → 20."""
    paid = datetime.date(2026, 9, 30)
    rows = [
        ("大户", sales1, 5000, 4750, 40),
        ("好客", sales1, 4000, 3200, 0),
        ("中客", sales1, 3000, 2700, 10),
        ("小客", sales1, 2000, 1500, 5),
        ("微客", sales3, 1000, 850, 20),
    ]
    customers = {}
    for name, owner, amount, cost, delay in rows:
        customers[name] = CustomerFactory(owner=owner, name=name)
        paid_booking(
            customers[name],
            amount,
            paid,
            cost=Decimal(cost),
            payment_due_date=paid - datetime.timedelta(days=delay),
        )
    Customer.objects.filter(pk=customers["大户"].pk).update(grade="A")
    monthly_statistics(month=OCT, today=NOV_1)
    return customers


def test_value_report_ranks_by_value_and_lists_poor_value(book, manager1, client_as):
    response = client_as(manager1).get(REPORT)

    value = response.context["report"].value
    assert [(s.customer.name, s.value_score) for s in value["ranked"]] == [
        ("好客", 73), ("小客", 55), ("大户", 40), ("中客", 38), ("微客", 20),
    ]  # fmt: skip
    assert [s.customer.name for s in value["poor"]] == ["大户"]
    assert (value["poor_customers"], value["poor_spend"]) == (1, Decimal("5000"))
    quadrants = {row["quadrant"]: row for row in response.context["report"].quadrants}
    assert quadrants["unstable"]["poor_value"] == 1  # large, not loyal (one booking)
    assert sum(row["poor_value"] for row in quadrants.values()) == 1
    content = response.content.decode()
    assert 'data-testid="value-ranking"' in content and 'data-testid="poor-value-list"' in content


def test_a_rep_sees_only_own_customers_in_the_value_report(book, sales3, client_as):
    value = client_as(sales3).get(REPORT).context["report"].value
    assert [s.customer.name for s in value["ranked"]] == ["微客"]
    assert value["poor"] == [] and value["poor_customers"] == 0


def test_value_export_has_the_ranking_then_the_poor_value_list(book, manager1, client_as):
    response = client_as(manager1).get(reverse("tiers:export", args=["value", "csv"]))

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["好客", "小客", "大户", "中客", "微客", "大户"]
    assert rows[3][4] == "40" and rows[6][0] == "Large but poor value"


def test_customer_panel_shows_value_margin_and_flag(book, manager1, client_as):
    response = client_as(manager1).get(reverse("customers:detail", args=[book["大户"].pk]))

    content = response.content.decode()
    assert 'data-testid="tier-value">40' in content
    assert "Large but poor value" in content
    assert "margin 5.0%" in content


def test_review_flags_and_filters_large_but_poor_value(book, manager1, client_as):
    evaluation = half_yearly_review(today=datetime.date(2026, 11, 1))  # reads October
    url = reverse("tiers:review_detail", args=[evaluation.pk])

    everyone = client_as(manager1).get(url, {"status": "pending"})
    flagged = client_as(manager1).get(url, {"status": "pending", "poor_value": "1"})

    assert len(everyone.context["page"]) == 5  # four new grades, 大户 down from A to C
    assert [p.customer.name for p in flagged.context["page"]] == ["大户"]
    assert 'data-testid="poor-value"' in flagged.content.decode()
