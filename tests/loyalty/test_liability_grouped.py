"""The points liability counts cards per level from a grouped subquery (no COUNT
DISTINCT over every open lot): the same answer as the one-statement spelling."""

import datetime

import pytest
from django.db.models import Count, Sum

from loyalty.models import Card, LedgerEntry
from loyalty.selectors import points_liability
from tests.factories import CustomerFactory
from tests.loyalty.conftest import TODAY

pytestmark = pytest.mark.django_db


def _lot(card, points, *, remaining, expires_on):
    return LedgerEntry.objects.create(
        card=card,
        kind="earn",
        points=points,
        occurred_on=expires_on - datetime.timedelta(days=730),
        expires_on=expires_on,
        remaining=remaining,
        level=card.level,
    )


def _old_answer(today):
    """The query the page ran before: COUNT(DISTINCT card) grouped by level."""
    rows = (
        LedgerEntry.objects.filter(remaining__gt=0, expires_on__gt=today)
        .values("card__level")
        .annotate(points=Sum("remaining"), cards=Count("card", distinct=True))
    )
    return {row["card__level"]: (row["cards"], row["points"]) for row in rows}


@pytest.fixture
def book(sales1):
    """Cards at three levels: several open lots on one card, partly drawn lots, a lot
    used up, a lot past its expiry that the monthly job has not expired yet, and a card
    with nothing outstanding."""
    later = TODAY + datetime.timedelta(days=200)
    cards = {
        level: [Card.objects.create(customer=CustomerFactory(owner=sales1), level=level)
                for _ in range(3)]
        for level in ("standard", "silver", "gold")
    }  # fmt: skip
    standard, silver, gold = cards["standard"], cards["silver"], cards["gold"]
    for n in range(4):  # four open lots on one card: counted once
        _lot(standard[0], 100, remaining=100 - n * 10, expires_on=later + datetime.timedelta(n))
    _lot(standard[1], 300, remaining=0, expires_on=later)  # used up
    _lot(standard[1], 50, remaining=50, expires_on=TODAY)  # expires today: not outstanding
    _lot(standard[2], 70, remaining=70, expires_on=TODAY - datetime.timedelta(days=3))
    _lot(silver[0], 500, remaining=120, expires_on=later)
    _lot(silver[1], 500, remaining=500, expires_on=TODAY + datetime.timedelta(days=1))
    _lot(silver[1], 200, remaining=1, expires_on=later)
    _lot(gold[2], 900, remaining=900, expires_on=later + datetime.timedelta(days=400))
    return cards


def test_liability_by_level_equals_the_count_distinct_answer(book):
    liability = points_liability(today=TODAY)
    got = {row["level"]: (row["cards"], row["points"]) for row in liability.by_level}
    assert got == _old_answer(TODAY)
    # Spelled out: one standard card (four lots), two silver cards, one gold card.
    assert got == {"standard": (1, 340), "silver": (2, 621), "gold": (1, 900)}
    assert liability.total_points == 340 + 621 + 900
    assert [row["level"] for row in liability.by_level] == ["standard", "silver", "gold"]


def test_liability_follows_the_day(book):
    """A day later the silver lot expiring tomorrow is still outstanding; two days later
    it is not, and its card still counts for its other lot."""
    for days in (1, 2, 400, 800):
        today = TODAY + datetime.timedelta(days=days)
        got = {
            row["level"]: (row["cards"], row["points"])
            for row in points_liability(today=today).by_level
        }
        assert got == _old_answer(today)


def test_no_points_outstanding_is_an_empty_table(db):
    liability = points_liability(today=TODAY)
    assert liability.by_level == []
    assert liability.total_points == 0
