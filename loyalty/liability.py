"""The points liability 积分负债: the points outstanding (open lots not yet expired) by
card level and by expiry month, valued at the point value of the rules in force.

The page reads it stored (`points_liability_stored`, loyalty.models.liability), summed by
`liability_figures_sql` in one statement per refresh (loyalty.services.liability: every
ten minutes, after the monthly points job, on "Refresh now"); `points_liability` sums it
live, the same figures by the same filter, and is what the stored figures are proved
against."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncMonth

from loyalty.models import (
    Card,
    LedgerEntry,
    LevelCode,
    LiabilityFigures,
    LiabilityFiguresRefresh,
    Rulebook,
)


@dataclass
class Liability:
    today: datetime.date  # the lots outstanding are those expiring after this day
    point_value: Decimal
    by_level: list[dict]
    by_month: list[dict]
    total_points: int
    total_value: Decimal
    as_of: datetime.datetime | None = None  # when stored: the refresh it was summed by


def open_lots(*, today: datetime.date) -> QuerySet[LedgerEntry]:
    """Lots with points left that have not expired by `today` (the expiry job may not
    have run yet: a lot expiring on or before `today` is not owed any more)."""
    return LedgerEntry.objects.filter(remaining__gt=0, expires_on__gt=today)


def point_value_on(*, today: datetime.date) -> Decimal:
    """The value of one point under the rulebook in force on `today` (0 before any)."""
    value = (
        Rulebook.objects.filter(effective_from__lte=today)
        .order_by("-effective_from")
        .values_list("point_value", flat=True)
        .first()
    )
    return Decimal("0") if value is None else value


def _liability(*, today, point_value, levels, months, as_of=None) -> Liability:
    """The page's figures from (level, cards, points) and (month, points) rows."""
    labels = dict(LevelCode.choices)
    order = {code: rank for rank, code in enumerate(LevelCode.values)}
    by_level = [
        {
            "level": level,
            "label": labels.get(level, level),
            "cards": cards,
            "points": points,
            "value": points * point_value,
        }
        for level, cards, points in sorted(levels, key=lambda row: order.get(row[0], 99))
    ]
    by_month = [
        {"month": month, "points": points, "value": points * point_value}
        for month, points in sorted(months)
    ]
    total = sum(row["points"] for row in by_level)
    return Liability(
        today=today,
        point_value=point_value,
        by_level=by_level,
        by_month=by_month,
        total_points=total,
        total_value=total * point_value,
        as_of=as_of,
    )


# --- Live -------------------------------------------------------------------------------


def _outstanding_by_level(lots: QuerySet[LedgerEntry]) -> list[tuple[str, int, int]]:
    """(level, cards, points) of `lots`, one row per card level.

    Each card's open points are summed first (a hashed GROUP BY card on the open-lots
    index), then the cards are counted by level. The one-statement spelling,
    COUNT(DISTINCT card) grouped by level, sorted every open lot to find the distinct
    cards: 593 ms at a million entries, the sort spilling to disk."""
    per_card, params = (
        lots.order_by().values("card_id").annotate(points=Sum("remaining")).query
    ).sql_with_params()
    card = connection.ops.quote_name(Card._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.level, COUNT(*), SUM(t.points) FROM ({per_card}) t "  # noqa: S608
            f"JOIN {card} c ON c.id = t.card_id GROUP BY c.level",
            params,
        )
        return [(level, cards, int(points)) for level, cards, points in cursor.fetchall()]


def points_liability(*, today: datetime.date) -> Liability:
    """The liability summed now from every open lot: two grouped scans of them (1-1.6 s
    at a million lots). What the stored figures are checked against; the page reads
    `points_liability_stored`."""
    lots = open_lots(today=today)
    months = [
        (row["month"], row["points"])
        for row in lots.annotate(month=TruncMonth("expires_on"))
        .order_by()
        .values("month")
        .annotate(points=Sum("remaining"))
    ]
    return _liability(
        today=today,
        point_value=point_value_on(today=today),
        levels=_outstanding_by_level(lots),
        months=months,
    )


def liability_figures_sql(*, today: datetime.date) -> tuple[str, list]:
    """One SELECT of the liability's rows as (level, month, cards, points): a row per
    card level with the cards that have points outstanding (month NULL) and a row per
    expiry month (level '', cards 0).

    On PostgreSQL the open lots are read once: GROUPING SETS sums them per card and per
    month in the same pass (the per-card sums are needed to count each card once, as
    `_outstanding_by_level` explains), and one outer GROUP BY takes the card rows to
    their levels (the month rows, which join no card, pass through). SQLite has no
    GROUPING SETS: the two sums are two grouped reads in one UNION ALL."""
    card = connection.ops.quote_name(Card._meta.db_table)
    if connection.vendor == "postgresql":
        lots, params = (
            open_lots(today=today)
            .order_by()
            .values("card_id", "expires_on", "remaining")
            .query.sql_with_params()
        )
        # The month of a date as a timestamp without time zone: TruncMonth's
        # date_trunc on timestamptz converts every lot's date in the session's time
        # zone, a third of the statement's time at a million lots; the months are the
        # same.
        month = "date_trunc('month', lots.expires_on::timestamp)::date"
        sql = (
            "SELECT COALESCE(c.level, ''), g.month, COUNT(c.id), SUM(g.points) FROM ("  # noqa: S608
            f"SELECT lots.card_id, {month} AS month, SUM(lots.remaining) AS points, "
            f"GROUPING(lots.card_id) AS of_month FROM ({lots}) lots "
            f"GROUP BY GROUPING SETS ((lots.card_id), ({month}))) g "
            f"LEFT JOIN {card} c ON g.of_month = 0 AND c.id = g.card_id "
            "GROUP BY c.level, g.month"
        )
        return sql, list(params)
    lots, params = (
        open_lots(today=today)
        .annotate(month=TruncMonth("expires_on"))
        .order_by()
        .values("card_id", "month", "remaining")
        .query.sql_with_params()
    )
    sql = (
        "SELECT c.level, NULL, COUNT(*), SUM(t.points) FROM ("  # noqa: S608
        f"SELECT lots.card_id, SUM(lots.remaining) AS points FROM ({lots}) lots "
        f"GROUP BY lots.card_id) t JOIN {card} c ON c.id = t.card_id GROUP BY c.level "
        f"UNION ALL SELECT '', lots.month, 0, SUM(lots.remaining) FROM ({lots}) lots "
        "GROUP BY lots.month"
    )
    return sql, [*params, *params]


# --- Stored -----------------------------------------------------------------------------


def points_liability_stored(*, today: datetime.date) -> Liability | None:
    """The liability as of its last refresh (`as_of`; lots outstanding on that refresh's
    day), valued at the point value in force on `today`. Two queries (three when
    nothing was outstanding), whatever the number of lots: the rows come with their
    refresh in one statement, so they and their "as of" are of the same refresh. None
    before the first refresh."""
    figures = list(LiabilityFigures.objects.select_related("refresh"))
    if figures:
        refresh = figures[0].refresh
    else:
        refresh = LiabilityFiguresRefresh.objects.first()
        if refresh is None:
            return None
    return _liability(
        today=refresh.day,
        point_value=point_value_on(today=today),
        levels=[(f.level, f.cards, f.points) for f in figures if f.month is None],
        months=[(f.month, f.points) for f in figures if f.month is not None],
        as_of=refresh.refreshed_at,
    )
