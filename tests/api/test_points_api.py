"""Points cards through the API: balance, statement, redemption with an Idempotency-Key
(replayed, never twice), the reward catalogue; grades, grade history, monthly figures
and the monthly statistics."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from customers.models import AuditAction, AuditEntry
from loyalty.models import Card, CardStatus, EntryKind, LedgerEntry, Redemption, Reward, RewardKind
from loyalty.services import booking_points_sync, points_adjust
from tests.factories import BookingFactory, CustomerFactory
from tests.loyalty.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 10, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def card(customer_of_sales1, manager1):
    card = Card.objects.create(customer=customer_of_sales1)
    points_adjust(actor=manager1, card_id=card.pk, points=1000, reason="开卡礼", today=TODAY)
    return card


@pytest.fixture
def voucher(db):
    return Reward.objects.create(name="¥100 代金券", kind=RewardKind.VOUCHER, points_price=100)


def card_url(customer, name="points-card"):
    return reverse(f"api:{name}", kwargs={"pk": customer.pk})


def redeem(api, customer, reward, key="order-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api.post(
        card_url(customer, "points-redeem"), {"reward": reward.pk}, format="json", **headers
    )


# --- The card and its statement ----------------------------------------------------------


def test_the_card_shows_the_balance_and_its_statement_the_entries(
    api_as, sales1, customer_of_sales1, card
):
    booking = BookingFactory(customer=customer_of_sales1, amount=Decimal("500"))
    booking_points_sync(booking_id=booking.pk, today=TODAY)
    api = api_as(sales1)

    shown = api.get(card_url(customer_of_sales1))
    statement = api.get(card_url(customer_of_sales1, "points-statement"))
    since = api.get(card_url(customer_of_sales1, "points-statement"), {"start": "2026-11-01"})

    assert shown.status_code == 200
    assert shown.json()["balance"] == 1500
    assert shown.json()["number"] == card.number
    assert statement.status_code == 200
    lines = statement.json()["entries"]
    assert [(line["kind"], line["points"], line["balance"]) for line in lines] == [
        ("earn", 500, 500),
        ("adjust", 1000, 1500),
    ]
    assert lines[0]["details"] == booking.product
    assert statement.json()["closing_balance"] == 1500
    assert since.json()["opening_balance"] == 500
    assert [line["kind"] for line in since.json()["entries"]] == ["adjust"]
    exports = AuditEntry.objects.filter(action=AuditAction.EXPORT)
    assert sorted(exports.values_list("object_type", flat=True)) == [
        "loyalty_card",
        "loyalty_statement",
        "loyalty_statement",
    ]


def test_no_card_yet_is_a_404_that_says_so(api_as, sales1, customer_of_sales1):
    response = api_as(sales1).get(card_url(customer_of_sales1))
    assert response.status_code == 404
    assert response.json()["detail"] == "This customer has no points card yet."


def test_a_statement_with_the_end_before_the_start_is_refused(
    api_as, sales1, customer_of_sales1, card
):
    response = api_as(sales1).get(
        card_url(customer_of_sales1, "points-statement"),
        {"start": "2026-11-10", "end": "2026-11-01"},
    )
    assert response.status_code == 400


# --- Redemption with an Idempotency-Key --------------------------------------------------


def test_the_same_key_replays_the_first_result_and_redeems_once(
    api_as, sales1, customer_of_sales1, card, voucher
):
    api = api_as(sales1)
    first = redeem(api, customer_of_sales1, voucher, "order-1")
    other = redeem(api, customer_of_sales1, voucher, "order-2")
    again = redeem(api, customer_of_sales1, voucher, "order-1")

    assert first.status_code == 201, first.json()
    assert first.json()["balance_after"] == 900
    assert "Idempotent-Replayed" not in first
    assert other.status_code == 201
    assert other.json()["balance_after"] == 800
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    card.refresh_from_db()
    assert card.balance == 800
    assert Redemption.objects.count() == 2
    assert LedgerEntry.objects.filter(kind=EntryKind.REDEEM).count() == 2


def test_a_missing_or_bad_key_is_refused_before_anything_moves(
    api_as, sales1, customer_of_sales1, card, voucher
):
    api = api_as(sales1)
    for key in (None, "", "has space", "密钥", "k" * 101):
        response = redeem(api, customer_of_sales1, voucher, key)
        assert response.status_code == 400, key
        assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    card.refresh_from_db()
    assert card.balance == 1000


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("poor", "Not enough points: balance 50, needs 100."),
        ("frozen", "This card is frozen: no points can be redeemed."),
        ("sold_out", "“¥100 代金券” is out of stock."),
        ("reused", "This idempotency key was already used on this card for “旅行箱”."),
    ],
)
def test_refused_points_are_a_conflict_saying_why(
    setup, message, api_as, sales1, manager1, customer_of_sales1, card, voucher
):
    api = api_as(sales1)
    if setup == "poor":
        points_adjust(actor=manager1, card_id=card.pk, points=-950, reason="更正", today=TODAY)
    elif setup == "frozen":
        Card.objects.filter(pk=card.pk).update(status=CardStatus.FROZEN)
    elif setup == "sold_out":
        Reward.objects.filter(pk=voucher.pk).update(stock=0)
    else:
        bag = Reward.objects.create(name="旅行箱", kind=RewardKind.TRAVEL_PRODUCT, points_price=300)
        assert redeem(api, customer_of_sales1, bag, "order-1").status_code == 201
    response = redeem(api, customer_of_sales1, voucher, "order-1")
    assert response.status_code == 409
    assert response.json()["type"].endswith("conflict")
    assert response.json()["detail"] == message


def test_an_unknown_reward_is_a_field_error(api_as, sales1, customer_of_sales1, card):
    response = api_as(sales1).post(
        card_url(customer_of_sales1, "points-redeem"),
        {"reward": 999999},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reward"


# who -> (card read, redeem)
POINTS_MATRIX = {
    "sales1": (200, 201),
    "sales2": (404, 404),
    "lead1": (200, 201),
    "sales3": (404, 404),
    "manager1": (200, 201),
    "custodian1": (200, 403),  # sees cards; points:write is not a custodian's scope
    "finance1": (200, 403),
}


@pytest.mark.parametrize("role", sorted(POINTS_MATRIX))
def test_scoping_matrix_for_points(role, staff, api_as, customer_of_sales1, card, voucher):
    read, write = POINTS_MATRIX[role]
    api = api_as(staff[role])
    assert api.get(card_url(customer_of_sales1)).status_code == read
    assert api.get(card_url(customer_of_sales1, "points-statement")).status_code == read
    assert redeem(api, customer_of_sales1, voucher, f"{role}-1").status_code == write


def test_the_catalogue_lists_the_rewards_offered(api_as, finance1, voucher):
    Reward.objects.create(name="下架", kind=RewardKind.VOUCHER, points_price=10, active=False)
    response = api_as(finance1).get(reverse("api:reward-list"))
    assert [row["name"] for row in response.json()] == ["¥100 代金券"]


def test_card_and_statement_take_a_constant_number_of_queries(
    api_as, sales1, manager1, customer_of_sales1, card, django_assert_num_queries
):
    api = api_as(sales1)
    api.get(card_url(customer_of_sales1))
    for _ in range(2):
        for _ in range(5):
            points_adjust(actor=manager1, card_id=card.pk, points=10, reason="补", today=TODAY)
        with django_assert_num_queries(CARD_QUERIES):
            api.get(card_url(customer_of_sales1))
        with django_assert_num_queries(STATEMENT_QUERIES):
            api.get(card_url(customer_of_sales1, "points-statement"))


# The token, the roles, the rep's special-access ids (fetched first, customers.selectors),
# the customer, the card panel (card, expiring lots, recent
# entries), the guard (policy, savepoint, actor locked, rows in the window, audit row,
# release); the statement reads its entries in one query instead of the recent ones.
CARD_QUERIES = 13
STATEMENT_QUERIES = 14


# --- Grades and monthly figures ----------------------------------------------------------


@pytest.fixture
def graded(customer_of_sales1, manager1):
    """A month of statistics, and a manual grade change for sales1's customer."""
    from tiers.services import grade_override, monthly_statistics

    BookingFactory(
        customer=customer_of_sales1, amount=Decimal("60000"), paid_date=datetime.date(2026, 10, 10)
    )
    CustomerFactory(owner=customer_of_sales1.owner)
    run = monthly_statistics(month=datetime.date(2026, 10, 1), today=TODAY)
    grade_override(actor=manager1, customer=customer_of_sales1, grade="A", reason="大客户")
    return run


def test_a_customers_grade_history_and_monthly_figures(api_as, sales1, customer_of_sales1, graded):
    api = api_as(sales1)
    grade = api.get(reverse("api:customer-grade", kwargs={"pk": customer_of_sales1.pk}))
    history = api.get(reverse("api:customer-grade-history", kwargs={"pk": customer_of_sales1.pk}))
    figures = api.get(reverse("api:customer-monthly-figures", kwargs={"pk": customer_of_sales1.pk}))
    assert grade.status_code == 200, grade.json()
    assert (grade.json()["grade"], grade.json()["manual"]) == ("A", True)
    assert grade.json()["recent_changes"][0]["reason"] == "大客户"
    assert [row["to_grade"] for row in history.json()["results"]] == ["A"]
    assert [row["month"] for row in figures.json()["results"]] == ["2026-10-01"]
    assert figures.json()["results"][0]["spend_12m"] == "60000.00"
    views = AuditEntry.objects.filter(action=AuditAction.VIEW, customer=customer_of_sales1)
    assert sorted(views.values_list("object_type", flat=True)) == sorted(
        ["customer", "grade_history", "monthly_figures"]
    )


def test_the_monthly_statistics_cover_the_users_report_scope(
    api_as, sales1, sales3, manager1, make_service_account, graded
):
    mine = api_as(sales1).get(reverse("api:monthly-statistics"))
    everyone = api_as(manager1).get(reverse("api:monthly-statistics"), {"month": "2026-10"})
    theirs = api_as(sales3).get(reverse("api:monthly-statistics"))
    assert mine.status_code == 200, mine.json()
    assert mine.json()["month"] == "2026-10"
    assert mine.json()["customers"] == 2
    assert everyone.json()["customers"] == 2
    assert theirs.json()["customers"] == 0
    assert len(mine.json()["rfm"]) == 25
    assert (
        api_as(manager1).get(reverse("api:monthly-statistics"), {"month": "2026-09"}).status_code
        == 404
    )
    for bad in ("2026-13", "0000-01", "26-1"):
        response = api_as(manager1).get(reverse("api:monthly-statistics"), {"month": bad})
        assert response.status_code == 400
    service = make_service_account(scopes=["grades:read"])
    assert api_as(service).get(reverse("api:monthly-statistics")).status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [("sales1", 200), ("lead1", 200), ("sales2", 404), ("sales3", 404), ("manager1", 200),
     ("custodian1", 200), ("finance1", 200)],
)  # fmt: skip
def test_scoping_matrix_for_grades(role, expected, staff, api_as, customer_of_sales1, graded):
    api = api_as(staff[role])
    for name in ("customer-grade", "customer-grade-history", "customer-monthly-figures"):
        response = api.get(reverse(f"api:{name}", kwargs={"pk": customer_of_sales1.pk}))
        assert response.status_code == expected, name
