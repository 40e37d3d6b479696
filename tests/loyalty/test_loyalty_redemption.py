"""Redemption: oldest points first, stock, cancellation, adjustments, concurrency."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import translation

from customers.models import AuditEntry
from loyalty.models import Card, EntryKind, LedgerEntry, RedemptionStatus, Reward, RewardKind
from loyalty.selectors import ledger_reconcile
from loyalty.services import PointsRefused, points_adjust, redemption_cancel, redemption_create
from tests.factories import CustomerFactory
from tests.loyalty.conftest import TODAY

pytestmark = pytest.mark.django_db


def _lots(card):
    return list(
        LedgerEntry.objects.filter(card=card, remaining__isnull=False)
        .order_by("occurred_on")
        .values_list("occurred_on", "remaining")
    )


def test_redemption_spends_the_oldest_points_first_and_cancel_puts_them_back(customer, pay, sales1):
    pay(customer, amount="300", paid=datetime.date(2026, 5, 1))
    pay(customer, amount="80", paid=datetime.date(2026, 2, 1))  # older, expires first
    card = Card.objects.get(customer=customer)
    voucher = Reward.objects.create(name="¥100 代金券", kind=RewardKind.VOUCHER, points_price=150)

    redemption = redemption_create(actor=sales1, card_id=card.pk, reward_id=voucher.pk, today=TODAY)

    assert redemption.balance_after == 230
    assert _lots(card) == [(datetime.date(2026, 2, 1), 0), (datetime.date(2026, 5, 1), 230)]
    draws = LedgerEntry.objects.filter(redemption=redemption, kind=EntryKind.REDEEM)
    assert sorted(draw.points for draw in draws) == [-80, -70]

    cancelled = redemption_cancel(
        actor=sales1, redemption_id=redemption.pk, reason="客户改期", today=TODAY
    )
    assert cancelled.status == RedemptionStatus.CANCELLED
    assert cancelled.balance_after == 380
    # Back in the lots they came from, so they keep their original expiry.
    assert _lots(card) == [(datetime.date(2026, 2, 1), 80), (datetime.date(2026, 5, 1), 300)]
    with pytest.raises(PointsRefused, match="already cancelled"):
        redemption_cancel(actor=sales1, redemption_id=redemption.pk, reason="再次", today=TODAY)
    assert ledger_reconcile().ok


def test_not_enough_points_is_refused_with_the_balance_and_the_price(customer, pay, sales1):
    pay(customer, amount="80")
    card = Card.objects.get(customer=customer)
    reward = Reward.objects.create(name="旅行箱", kind=RewardKind.TRAVEL_PRODUCT, points_price=100)
    with pytest.raises(PointsRefused) as refused:
        redemption_create(actor=sales1, card_id=card.pk, reward_id=reward.pk, today=TODAY)
    assert refused.value.messages == ["Not enough points: balance 80, needs 100."]
    card.refresh_from_db()
    assert card.balance == 80


def test_stock_is_taken_and_returned_and_an_empty_stock_refuses(customer, pay, sales1):
    pay(customer, amount="1000")
    card = Card.objects.get(customer=customer)
    reward = Reward.objects.create(
        name="贵宾厅", kind=RewardKind.SERVICE, points_price=100, stock=1
    )
    first = redemption_create(actor=sales1, card_id=card.pk, reward_id=reward.pk, today=TODAY)
    reward.refresh_from_db()
    assert reward.stock == 0
    with pytest.raises(PointsRefused, match="out of stock"):
        redemption_create(actor=sales1, card_id=card.pk, reward_id=reward.pk, today=TODAY)
    redemption_cancel(actor=sales1, redemption_id=first.pk, reason="取消", today=TODAY)
    reward.refresh_from_db()
    assert reward.stock == 1
    assert AuditEntry.objects.filter(object_type="loyalty_redemption").count() == 2


def test_a_manager_adjusts_with_a_reason_and_a_rep_cannot(customer, pay, sales1, manager1):
    pay(customer, amount="500")
    card = Card.objects.get(customer=customer)
    with pytest.raises(PointsRefused, match="Only managers"):
        points_adjust(actor=sales1, card_id=card.pk, points=100, reason="补录", today=TODAY)
    with pytest.raises(PointsRefused, match="reason"):
        points_adjust(actor=manager1, card_id=card.pk, points=100, reason=" ", today=TODAY)
    with pytest.raises(PointsRefused, match="balance 500, cannot remove 600"):
        points_adjust(actor=manager1, card_id=card.pk, points=-600, reason="错录", today=TODAY)

    points_adjust(actor=manager1, card_id=card.pk, points=200, reason="投诉补偿", today=TODAY)
    points_adjust(actor=manager1, card_id=card.pk, points=-50, reason="错录", today=TODAY)
    card.refresh_from_db()
    assert card.balance == 650
    added = LedgerEntry.objects.get(kind=EntryKind.ADJUST, points=200)
    assert added.expires_on == datetime.date(2028, 12, 1)  # a new lot, 24 months
    audit = AuditEntry.objects.filter(object_type="loyalty_card", actor=manager1)
    assert [entry.detail["reason"] for entry in audit.order_by("id")] == ["投诉补偿", "错录"]
    assert ledger_reconcile().ok


def test_the_database_refuses_a_negative_balance(customer, pay):
    from django.db import IntegrityError, transaction

    pay(customer, amount="10")
    with pytest.raises(IntegrityError), transaction.atomic():
        Card.objects.filter(customer=customer).update(balance=-1)


def test_reconciliation_finds_a_tampered_balance(customer, pay):
    pay(customer, amount="10")
    assert ledger_reconcile().ok
    Card.objects.filter(customer=customer).update(balance=7)
    result = ledger_reconcile()
    card = Card.objects.get(customer=customer)
    assert result.card_mismatches == [(card.pk, 7, 10)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_redemptions_at_once_on_a_thousand_points_exactly_ten_succeed(sales1, manager1):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    customer = CustomerFactory(owner=sales1)
    card = Card.objects.create(customer=customer)
    points_adjust(actor=manager1, card_id=card.pk, points=1000, reason="测试", today=TODAY)
    reward = Reward.objects.create(name="代金券", kind=RewardKind.VOUCHER, points_price=100)
    barrier = threading.Barrier(50)
    outcomes, lock = [], threading.Lock()

    def redeem():
        # Each thread starts in the office language (zh-hans); read the refusal in English.
        try:
            barrier.wait()
            with translation.override("en"):
                redemption_create(actor=sales1, card_id=card.pk, reward_id=reward.pk, today=TODAY)
            result = "ok"
        except PointsRefused as error:
            result = error.messages[0]
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=redeem) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("ok") == 10
    assert set(outcomes) - {"ok"} == {"Not enough points: balance 0, needs 100."}
    card.refresh_from_db()
    assert card.balance == 0
    assert ledger_reconcile().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["redeem", "adjust", "cancel"])
def test_a_points_transaction_locks_the_card_not_the_customer_archive(action, sales1, manager1):
    """While points move, the card row is locked; the customer's archive row is not, so
    a rep saving the customer page (or a grade update) does not wait on a redemption."""
    from django.db import OperationalError, transaction

    from customers.models import Customer

    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    customer = CustomerFactory(owner=sales1)
    card = Card.objects.create(customer=customer)
    points_adjust(actor=manager1, card_id=card.pk, points=500, reason="测试", today=TODAY)
    reward = Reward.objects.create(name="代金券", kind=RewardKind.VOUCHER, points_price=100)
    earlier = redemption_create(actor=sales1, card_id=card.pk, reward_id=reward.pk, today=TODAY)
    actions = {
        "redeem": lambda: redemption_create(
            actor=sales1, card_id=card.pk, reward_id=reward.pk, today=TODAY
        ),
        "adjust": lambda: points_adjust(
            actor=manager1, card_id=card.pk, points=10, reason="补偿", today=TODAY
        ),
        "cancel": lambda: redemption_cancel(
            actor=sales1, redemption_id=earlier.pk, reason="改期", today=TODAY
        ),
    }
    holding, release, errors = threading.Event(), threading.Event(), []

    def hold_the_locks():
        try:
            with transaction.atomic():
                actions[action]()
                holding.set()
                release.wait(10)
        except Exception as error:
            errors.append(error)
        finally:
            holding.set()
            connection.close()

    thread = threading.Thread(target=hold_the_locks)
    thread.start()
    try:
        assert holding.wait(10)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            try:
                Customer.objects.filter(pk=customer.pk).update(name="改名")
            except OperationalError:
                pytest.fail("the customer row was locked by a points transaction")
    finally:
        release.set()
        thread.join()
    assert errors == []
