"""The points liability counts cards per level from a grouped subquery (no COUNT
DISTINCT over every open lot): the same answer as the one-statement spelling."""

import datetime

import pytest
from django.db.models import Count, Sum

from loyalty.liability import points_liability
from loyalty.models import LedgerEntry
from tests.loyalty.conftest import TODAY

pytestmark = pytest.mark.django_db


def _old_answer(today):
    """The query the page ran before: COUNT(DISTINCT card) grouped by level."""
    rows = (
        LedgerEntry.objects.filter(remaining__gt=0, expires_on__gt=today)
        .values("card__level")
        .annotate(points=Sum("remaining"), cards=Count("card", distinct=True))
    )
    return {row["card__level"]: (row["cards"], row["points"]) for row in rows}


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
