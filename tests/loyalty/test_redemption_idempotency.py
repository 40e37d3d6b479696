"""Redemptions with an idempotency key (the API's Idempotency-Key header): the same key on
the same card is one redemption; distinct keys redeem independently. The concurrent
cases run on PostgreSQL in tests/api/test_concurrency_pg.py."""

import pytest
from django.db import IntegrityError, transaction

from loyalty.models import Card, EntryKind, LedgerEntry, Redemption, Reward, RewardKind
from loyalty.services import PointsRefused, points_adjust, redemption_create
from tests.factories import CustomerFactory
from tests.loyalty.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(customer, manager1):
    card = Card.objects.create(customer=customer)
    points_adjust(actor=manager1, card_id=card.pk, points=1000, reason="测试", today=TODAY)
    return card


@pytest.fixture
def voucher(db):
    return Reward.objects.create(name="代金券", kind=RewardKind.VOUCHER, points_price=100)


def redeem(card, reward, actor, key):
    return redemption_create(
        actor=actor, card_id=card.pk, reward_id=reward.pk, today=TODAY, idempotency_key=key
    )


def test_the_same_key_again_returns_the_first_result_and_takes_nothing(card, voucher, sales1):
    first = redeem(card, voucher, sales1, "order-1")
    redeem(card, voucher, sales1, "order-2")  # the balance moves on meanwhile
    again = redeem(card, voucher, sales1, "order-1")

    assert (first.replayed, again.replayed) == (False, True)
    assert again.pk == first.pk
    assert again.balance_after == first.balance_after == 900  # as answered the first time
    card.refresh_from_db()
    assert card.balance == 800
    assert LedgerEntry.objects.filter(kind=EntryKind.REDEEM).count() == 2


def test_distinct_keys_and_no_key_redeem_independently(card, voucher, sales1):
    for key in ("a", "b", "", ""):
        redeem(card, voucher, sales1, key)
    card.refresh_from_db()
    assert card.balance == 600
    assert Redemption.objects.filter(card=card).count() == 4


def test_a_key_is_per_card(card, voucher, sales1, manager1):
    other = Card.objects.create(customer=CustomerFactory(owner=sales1))
    points_adjust(actor=manager1, card_id=other.pk, points=100, reason="测试", today=TODAY)
    redeem(card, voucher, sales1, "k")
    assert redeem(other, voucher, sales1, "k").replayed is False
    other.refresh_from_db()
    assert other.balance == 0


def test_the_same_key_for_another_reward_is_refused(card, voucher, sales1):
    redeem(card, voucher, sales1, "order-1")
    bag = Reward.objects.create(name="旅行箱", kind=RewardKind.TRAVEL_PRODUCT, points_price=300)
    with pytest.raises(PointsRefused) as refused:
        redeem(card, bag, sales1, "order-1")
    assert refused.value.messages == [
        "This idempotency key was already used on this card for “代金券”."
    ]
    card.refresh_from_db()
    assert card.balance == 900


def test_a_refused_attempt_is_not_remembered(customer, voucher, sales1, manager1):
    card = Card.objects.create(customer=customer)
    with pytest.raises(PointsRefused, match="Not enough points"):
        redeem(card, voucher, sales1, "retry-me")
    points_adjust(actor=manager1, card_id=card.pk, points=100, reason="补", today=TODAY)
    assert redeem(card, voucher, sales1, "retry-me").replayed is False


def test_an_overlong_key_is_refused_and_the_database_holds_one_per_card(card, voucher, sales1):
    with pytest.raises(PointsRefused, match="at most 100 characters"):
        redeem(card, voucher, sales1, "k" * 101)
    first = redeem(card, voucher, sales1, "dup")
    with pytest.raises(IntegrityError), transaction.atomic():
        Redemption.objects.create(
            card=card, reward=voucher, points=100, redeemed_by=sales1, idempotency_key="dup"
        )
    assert first.pk
