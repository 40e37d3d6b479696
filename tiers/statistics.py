"""The set-based SQL of the tiering jobs. Each job is a handful of INSERT … SELECT
statements with aggregates and window functions, written once for SQLite and
PostgreSQL (the few dialect differences are the helpers at the top)."""

import contextlib
import datetime

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from customers.dormancy import dormant_since, last_business_sql
from customers.models import Booking, Customer, ServiceRecord
from tiers.models import (
    CustomerSnapshot,
    Evaluation,
    GradeChange,
    GradeNotification,
    ParetoSummary,
    Proposal,
    RfmSummary,
    SegmentSummary,
    TierPolicy,
    VolumeRule,
)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after (or before) `month`'s."""
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month, 1) - datetime.timedelta(days=1)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _date(param: str) -> str:
    return f"CAST(%({param})s AS date)" if _postgres() else f"%({param})s"


def _days_between(later: str, earlier: str) -> str:
    if _postgres():
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _execute(sql: str, params: dict) -> int:
    """Run one statement. Callers compose SQL only from table names and fixed fragments;
    every value is a parameter."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def statistics_windows(*, month: datetime.date, policy: TierPolicy) -> dict[str, str]:
    """The month's date boundaries. Windows are whole calendar months ending with
    `month`, so month ends and leap days need no special case."""
    return {
        "month": month.isoformat(),
        "as_of": month_end(month).isoformat(),
        "w12": add_months(month, -11).isoformat(),
        "w24": add_months(month, -23).isoformat(),
        "loyalty_from": add_months(month, 1 - policy.loyalty_window_months).isoformat(),
        "loyal_trip_from": add_months(month, 1 - policy.loyalty_recent_months).isoformat(),
        "dormant_before": dormant_since(
            as_of=month_end(month), days=policy.dormant_days
        ).isoformat(),
    }


AGGREGATES = "tiers_month_aggregates"


def snapshot_parameters(*, month: datetime.date, policy: TierPolicy) -> dict:
    weights = {
        "w_spend": policy.value_weight_spend,
        "w_margin": policy.value_weight_margin,
        "w_delay": policy.value_weight_delay,
        "w_frequency": policy.value_weight_frequency,
    }
    return {
        **statistics_windows(month=month, policy=policy),
        "policy": policy.pk,
        "a_min": str(policy.grade_a_min),
        "b_min": str(policy.grade_b_min),
        "top_percent": policy.volume_top_percent,
        "min_spend": str(policy.volume_min_spend),
        "loyalty_min": policy.loyalty_min_bookings,
        # Never bought: semi-dormant when added before the dormancy window (customers.dormancy).
        "dormant_added_before": connection.ops.adapt_datetimefield_value(
            timezone.make_aware(
                datetime.datetime.combine(
                    dormant_since(as_of=month_end(month), days=policy.dormant_days),
                    datetime.time.min,
                )
            )
        ),
        **weights,
        "w_total": max(sum(weights.values()), 1),
        "thin_margin": policy.poor_value_margin_percent,
        "late_days": policy.poor_value_delay_days,
    }


def insert_snapshots(*, month: datetime.date, policy: TierPolicy) -> int:
    """One snapshot row per customer (not deleted) for `month`.

    Two statements: one pass over the bookings (GROUP BY customer) into a temporary
    table, then the RANK windows over the customers, inserted in one statement.
    Measured at 1M customers (bench/tiers.py): one statement is no faster, and the
    temporary table gives the join real row counts (ANALYZE)."""
    params = snapshot_parameters(month=month, policy=policy)
    with aggregates_table(params):
        return _execute(
            f"INSERT INTO {_table(CustomerSnapshot)} ({SNAPSHOT_COLUMNS}) {scored_sql(policy)}",
            params,
        )


@contextlib.contextmanager
def aggregates_table(params: dict):
    """The month's per-customer booking aggregates as the temporary table AGGREGATES."""
    _execute(f"DROP TABLE IF EXISTS {AGGREGATES}", {})
    _execute(f"CREATE TEMPORARY TABLE {AGGREGATES} AS {aggregates_sql()}", params)
    if _postgres():  # a fresh table has no statistics: without them the join plan is poor
        _execute(f"ANALYZE {AGGREGATES}", {})
    try:
        yield
    finally:
        _execute(f"DROP TABLE IF EXISTS {AGGREGATES}", {})


def aggregates_sql() -> str:
    """SELECT: one row per customer with bookings, the month's figures."""
    net = "(b.amount - b.refunded_amount)"
    paid_in = "b.status IN ('paid', 'refunded') AND b.paid_date <= %(as_of)s AND b.paid_date >= "
    return f"""
    SELECT b.customer_id,
        SUM(CASE WHEN {paid_in} %(w12)s THEN {net} ELSE 0 END) AS spend_12m,
        SUM(CASE WHEN {paid_in} %(w24)s AND b.paid_date < %(w12)s
            THEN {net} ELSE 0 END) AS spend_prev_12m,
        SUM(CASE WHEN {paid_in} %(w12)s AND b.status = 'paid'
            THEN {net} - b.cost ELSE 0 END) AS gross_profit_12m,
        SUM(CASE WHEN {paid_in} %(w12)s AND {net} > 0 THEN 1 ELSE 0 END) AS bookings_12m,
        SUM(CASE WHEN {paid_in} %(w24)s AND b.paid_date < %(w12)s AND {net} > 0
            THEN 1 ELSE 0 END) AS bookings_prev_12m,
        SUM(CASE WHEN {paid_in} %(loyalty_from)s AND {net} > 0
            THEN 1 ELSE 0 END) AS loyalty_bookings,
        MAX(CASE WHEN b.status <> 'cancelled' AND b.start_date <= %(as_of)s
            THEN b.start_date END) AS last_trip_on,
        AVG(CASE WHEN {paid_in} %(w12)s AND b.payment_due_date IS NOT NULL
            THEN {_days_between("b.paid_date", "b.payment_due_date")} END) AS delay,
        {last_business_sql(alias="b", as_of=_date("as_of"))} AS last_business_on
    FROM {_table(Booking)} b
    GROUP BY b.customer_id
    """  # noqa: S608


SNAPSHOT_COLUMNS = """month, customer_id, owner_id, team_id, policy_id, status, churn_reason,
    grade, spend_12m, spend_prev_12m, gross_profit_12m, bookings_12m, bookings_prev_12m,
    loyalty_bookings, last_trip_on, recency_days, avg_payment_delay_days,
    r_score, f_score, m_score, spend_percentile, large_volume, high_loyalty, quadrant,
    implied_grade, is_dormant, value_score, poor_value, last_business_on"""


def quintile(rank: str, count: str) -> str:
    """The 1-5 score of a row ranked `rank` (SQL RANK(): 1 + the rows with a lower
    figure) among `count` rows: 1 + ⌊5 × lower / count⌋, in integer arithmetic.

    Customers with the same figure share a rank, so they share a score (NTILE would
    split them by customer id). Without ties it is NTILE(5) whenever the count is a
    multiple of 5; the lowest figure always scores 1."""
    return f"(1 + 5 * ({rank} - 1) / {count})"


def scored_sql(policy: TierPolicy) -> str:
    """SELECT: the snapshot rows (SNAPSHOT_COLUMNS), read from the AGGREGATES table.

    Five sorts: R and F among the customers who have travelled; among those who spent,
    the spend (M, the spend rank and percentile: RANK() lets tied customers share the
    lowest place, so spend_rank is how many spent at least as much), the gross margin
    and the payment delay. The value is the policy's weighted mean of the four 1-5
    scores spend (M), margin, paying on time and bookings (F), put on 0-100.
    """
    if policy.volume_rule == VolumeRule.FIXED_AMOUNT:
        large = "(spend_12m >= CAST(%(min_spend)s AS NUMERIC))"
    else:
        large = "(spend_12m > 0 AND spend_rank * 100 <= buyers * %(top_percent)s)"
    value = (
        "(100 * (%(w_spend)s * (m - 1) + %(w_margin)s * (margin_score - 1)"
        " + %(w_delay)s * (delay_score - 1) + %(w_frequency)s * (f - 1))"
        " + 2 * %(w_total)s) / (4 * %(w_total)s)"
    )
    return f"""
    WITH base AS (
        SELECT c.id AS customer_id, c.owner_id, u.team_id, c.status, c.churn_reason, c.grade,
            ROUND(COALESCE(a.spend_12m, 0), 2) AS spend_12m,
            ROUND(COALESCE(a.spend_prev_12m, 0), 2) AS spend_prev_12m,
            ROUND(COALESCE(a.gross_profit_12m, 0), 2) AS gross_profit_12m,
            COALESCE(a.bookings_12m, 0) AS bookings_12m,
            COALESCE(a.bookings_prev_12m, 0) AS bookings_prev_12m,
            COALESCE(a.loyalty_bookings, 0) AS loyalty_bookings,
            a.last_trip_on,
            {_days_between(_date("as_of"), "a.last_trip_on")} AS recency_days,
            ROUND(a.delay, 1) AS delay,
            a.last_business_on, c.created_at
        FROM {_table(Customer)} c
        JOIN {_table(get_user_model())} u ON u.id = c.owner_id
        LEFT JOIN {AGGREGATES} a ON a.customer_id = c.id
        WHERE c.deleted_at IS NULL
    ),
    windowed AS (
        SELECT base.*,
            RANK() OVER by_recency AS recency_rank,
            RANK() OVER by_frequency AS frequency_rank,
            COUNT(*) OVER travelled AS travellers,
            RANK() OVER by_spend AS spend_rank_up,
            COUNT(*) OVER spenders AS buyers,
            RANK() OVER by_margin AS margin_rank,
            RANK() OVER by_delay AS delay_rank
        FROM base
        WINDOW
            travelled AS (PARTITION BY last_trip_on IS NULL),
            by_recency AS (travelled ORDER BY last_trip_on),
            by_frequency AS (travelled ORDER BY bookings_12m),
            spenders AS (PARTITION BY spend_12m > 0),
            by_spend AS (spenders ORDER BY spend_12m),
            by_margin AS (spenders ORDER BY gross_profit_12m / NULLIF(spend_12m, 0)),
            by_delay AS (spenders ORDER BY COALESCE(delay, 0) DESC)
    ),
    ranked AS (  -- among the buyers: how many spent at least as much
        SELECT windowed.*, buyers - spend_rank_up + 1 AS spend_rank,
            CASE WHEN last_trip_on IS NULL THEN 1
                ELSE {quintile("recency_rank", "travellers")} END AS r,
            CASE WHEN last_trip_on IS NULL THEN 1
                ELSE {quintile("frequency_rank", "travellers")} END AS f,
            CASE WHEN spend_12m > 0 THEN {quintile("spend_rank_up", "buyers")} ELSE 1 END AS m,
            {quintile("margin_rank", "buyers")} AS margin_score,
            {quintile("delay_rank", "buyers")} AS delay_score
        FROM windowed
    ),
    scored AS (
        SELECT ranked.*,
            {large} AS large_volume,
            (loyalty_bookings >= %(loyalty_min)s AND last_trip_on IS NOT NULL
                AND last_trip_on >= %(loyal_trip_from)s) AS high_loyalty
        FROM ranked
    )
    SELECT {_date("month")}, customer_id, owner_id, team_id, %(policy)s, status, churn_reason,
        grade, spend_12m, spend_prev_12m, gross_profit_12m, bookings_12m, bookings_prev_12m,
        loyalty_bookings, last_trip_on, recency_days, delay, r, f, m,
        CASE WHEN spend_12m > 0 THEN (spend_rank * 100 + buyers - 1) / buyers END,
        large_volume, high_loyalty,
        CASE WHEN large_volume AND high_loyalty THEN 'core'
             WHEN large_volume THEN 'unstable'
             WHEN high_loyalty THEN 'nurture'
             ELSE 'retire' END,
        CASE WHEN spend_12m >= CAST(%(a_min)s AS NUMERIC) THEN 'A'
             WHEN spend_12m >= CAST(%(b_min)s AS NUMERIC) THEN 'B'
             ELSE 'C' END,
        CASE WHEN last_business_on IS NOT NULL THEN last_business_on < %(dormant_before)s
             ELSE created_at < %(dormant_added_before)s END,
        CASE WHEN spend_12m > 0 THEN {value} END,
        (large_volume AND (gross_profit_12m * 100 < spend_12m * %(thin_margin)s
            OR COALESCE(delay, 0) > %(late_days)s)),
        last_business_on
    FROM scored
    """  # noqa: S608


def insert_summaries(*, month: datetime.date) -> None:
    """The per-owner summaries of `month`'s snapshots that the reports read."""
    snapshots = _table(CustomerSnapshot)
    params = {"month": month.isoformat()}
    common = "month, owner_id, team_id, customers, spend, gross_profit"
    select = f"{_date('month')}, owner_id, team_id, COUNT(*), SUM(spend_12m), SUM(gross_profit_12m)"
    where = f"FROM {snapshots} WHERE month = {_date('month')}"
    _execute(
        f"""INSERT INTO {_table(SegmentSummary)}
            ({common}, grade, quadrant, is_dormant, poor_value, status, churn_reason)
        SELECT {select}, grade, quadrant, is_dormant, poor_value, status, churn_reason {where}
        GROUP BY owner_id, team_id, grade, quadrant, is_dormant, poor_value, status,
            churn_reason""",
        params,
    )
    _execute(
        f"""INSERT INTO {_table(RfmSummary)} ({common}, r_score, f_score, m_score_sum)
        SELECT {select}, r_score, f_score, SUM(m_score) {where}
        GROUP BY owner_id, team_id, r_score, f_score""",
        params,
    )
    _execute(
        f"""INSERT INTO {_table(ParetoSummary)} ({common}, ordered_by, percentile)
        SELECT {select}, 'spend', spend_percentile {where} AND spend_percentile IS NOT NULL
        GROUP BY owner_id, team_id, spend_percentile""",
        params,
    )
    insert_profit_pareto(month=month)


def insert_profit_pareto(*, month: datetime.date) -> None:
    """The Pareto of profit: the buying customers ordered by their own 12-month gross
    profit (not by spend), in percentiles as for spend: 1 = the top 1%; tied customers
    share the lower place (the number with at least as much profit)."""
    snapshots = _table(CustomerSnapshot)
    _execute(
        f"""INSERT INTO {_table(ParetoSummary)} (month, owner_id, team_id, customers, spend,
            gross_profit, ordered_by, percentile)
        SELECT {_date("month")}, owner_id, team_id, COUNT(*), SUM(spend_12m),
            SUM(gross_profit_12m), 'profit', percentile
        FROM (
            SELECT owner_id, team_id, spend_12m, gross_profit_12m,
                (COUNT(*) OVER (ORDER BY gross_profit_12m DESC) * 100
                    + COUNT(*) OVER () - 1) / COUNT(*) OVER () AS percentile
            FROM {snapshots} WHERE month = {_date("month")} AND spend_12m > 0
        ) ranked
        GROUP BY owner_id, team_id, percentile""",  # noqa: S608
        {"month": month.isoformat()},
    )


GRADE_RANK = "CASE {col} WHEN 'A' THEN 3 WHEN 'B' THEN 2 WHEN 'C' THEN 1 ELSE 0 END"
RANK_GRADE = "CASE {expr} WHEN 3 THEN 'A' WHEN 2 THEN 'B' ELSE 'C' END"


def insert_proposals(
    *,
    evaluation: Evaluation,
    complaints_since: datetime.datetime,
    complaints_until: datetime.datetime,
) -> int:
    """The evaluation's proposals from its month's snapshots, the grades in force now,
    and the complaints on record, under the evaluation's policy (DOMAIN.md §3: the grade
    is by the last 12 months' spend):

    - not graded yet: the grade the 12-month spend implies (new);
    - `downgrade_complaints` or more complaints in 12 months: one step down, or to the
      grade the spend implies if that is lower;
    - otherwise, when the spend implies another grade than the one in force, up or down:
      that grade, with the threshold it reached or missed.
    Each proposal carries the figures (spend, the year before, bookings, last trip,
    margin, delay), the "large but poor value" flag of its snapshot, and when the grade
    in force was set by hand (the latest grade change is manual). Customers lost or
    retired are not re-evaluated; nobody is graded below C."""
    policy = evaluation.policy
    month = evaluation.snapshot_month
    params = {
        "evaluation": evaluation.pk,
        "month": month.isoformat(),
        "a_min": str(policy.grade_a_min),
        "b_min": str(policy.grade_b_min),
        "complaints_min": policy.downgrade_complaints,
        "since": connection.ops.adapt_datetimefield_value(complaints_since),
        "until": connection.ops.adapt_datetimefield_value(complaints_until),
    }
    return _execute(proposals_sql(), params)


def proposals_sql() -> str:
    """INSERT … SELECT of insert_proposals (named parameters as built there)."""
    implied = (
        "CASE WHEN s.spend_12m >= CAST(%(a_min)s AS NUMERIC) THEN 3 "
        "WHEN s.spend_12m >= CAST(%(b_min)s AS NUMERIC) THEN 2 ELSE 1 END"
    )
    one_down = (
        "CASE WHEN implied_rank < current_rank - 1 THEN implied_rank ELSE current_rank - 1 END"
    )
    return f"""
    INSERT INTO {_table(Proposal)} (
        evaluation_id, customer_id, owner_id, team_id, from_grade, to_grade, change_type,
        reason, spend_12m, spend_prev_12m, bookings_12m, bookings_prev_12m, recency_days,
        complaints_12m, grade_threshold, gross_profit_12m, avg_payment_delay_days,
        poor_value, manual_since, status, decided_grade, decision_note)
    WITH complaints AS (
        SELECT customer_id, COUNT(*) AS n FROM {_table(ServiceRecord)}
        WHERE kind = 'complaint' AND occurred_at >= %(since)s AND occurred_at < %(until)s
        GROUP BY customer_id
    ),
    latest_change AS (
        SELECT customer_id, source, changed_at, ROW_NUMBER() OVER (
            PARTITION BY customer_id ORDER BY changed_at DESC, id DESC) AS n
        FROM {_table(GradeChange)}
    ),
    facts AS (
        SELECT s.customer_id, c.owner_id, u.team_id, c.grade AS from_grade,
            {GRADE_RANK.format(col="c.grade")} AS current_rank,
            {implied} AS implied_rank,
            s.spend_12m, s.spend_prev_12m, s.bookings_12m, s.bookings_prev_12m,
            s.recency_days, s.gross_profit_12m, s.avg_payment_delay_days, s.poor_value,
            COALESCE(k.n, 0) AS complaints, m.changed_at AS manual_since
        FROM {_table(CustomerSnapshot)} s
        JOIN {_table(Customer)} c ON c.id = s.customer_id
        JOIN {_table(get_user_model())} u ON u.id = c.owner_id
        LEFT JOIN complaints k ON k.customer_id = s.customer_id
        LEFT JOIN latest_change m ON m.customer_id = s.customer_id AND m.n = 1
            AND m.source = 'manual'
        WHERE s.month = {_date("month")} AND c.deleted_at IS NULL
            AND c.status NOT IN ('lost', 'retired')
    ),
    decided AS (
        SELECT facts.*,
            CASE
                WHEN current_rank = 0 THEN 'new'
                WHEN current_rank > 1 AND %(complaints_min)s > 0
                    AND complaints >= %(complaints_min)s THEN 'complaints'
                WHEN implied_rank <> current_rank THEN 'spend'
            END AS rule
        FROM facts
    )
    SELECT %(evaluation)s, customer_id, owner_id, team_id, from_grade,
        CASE rule
            WHEN 'complaints' THEN {RANK_GRADE.format(expr=one_down)}
            ELSE {RANK_GRADE.format(expr="implied_rank")}
        END,
        CASE WHEN rule = 'new' THEN 'new'
            WHEN rule = 'spend' AND implied_rank > current_rank THEN 'upgrade'
            ELSE 'downgrade' END,
        CASE rule WHEN 'new' THEN 'first_grade' WHEN 'complaints' THEN 'complaints'
            ELSE 'spend_grade' END,
        spend_12m, spend_prev_12m, bookings_12m, bookings_prev_12m, recency_days,
        complaints,
        CASE WHEN rule = 'spend' THEN CASE
            WHEN implied_rank = 3 OR current_rank = 3 THEN CAST(%(a_min)s AS NUMERIC)
            ELSE CAST(%(b_min)s AS NUMERIC) END END,
        gross_profit_12m, avg_payment_delay_days, poor_value, manual_since,
        'pending', '', ''
    FROM decided
    WHERE rule IS NOT NULL
    """  # noqa: S608


def insert_grade_changes(*, evaluation: Evaluation, actor_id: int, now: datetime.datetime) -> int:
    """A grade change for each proposal the actor decided at `now` (approved or
    overridden), where the decided grade differs from the grade in force."""
    sql = f"""
    INSERT INTO {_table(GradeChange)} (customer_id, from_grade, to_grade, source, reason,
        evaluation_id, proposal_id, approved_by_id, changed_at)
    SELECT p.customer_id, c.grade, p.decided_grade, 'evaluation', p.decision_note,
        p.evaluation_id, p.id, p.decided_by_id, p.decided_at
    FROM {_table(Proposal)} p JOIN {_table(Customer)} c ON c.id = p.customer_id
    WHERE p.evaluation_id = %(evaluation)s AND p.decided_by_id = %(actor)s
        AND p.decided_at = %(now)s AND p.status IN ('approved', 'overridden')
        AND c.grade <> p.decided_grade
    """  # noqa: S608
    params = {
        "evaluation": evaluation.pk,
        "actor": actor_id,
        "now": connection.ops.adapt_datetimefield_value(now),
    }
    return _execute(sql, params)


def insert_notifications(*, change_filter: str, params: dict, now: datetime.datetime) -> int:
    """One message per changed customer by the best channel on file: e-mail, else SMS,
    else a phone call. `change_filter` selects the grade changes (alias g)."""
    channel = (
        "CASE WHEN c.email <> '' THEN 'email' WHEN c.mobile <> '' THEN 'sms' "
        "WHEN c.phone <> '' THEN 'phone' END"
    )
    address = (
        "CASE WHEN c.email <> '' THEN c.email WHEN c.mobile <> '' THEN c.mobile ELSE c.phone END"
    )
    sql = f"""
    INSERT INTO {_table(GradeNotification)} (change_id, customer_id, owner_id, channel,
        address, grade, status, created_at, error)
    SELECT g.id, g.customer_id, c.owner_id, {channel}, {address}, g.to_grade, 'pending',
        %(created)s, ''
    FROM {_table(GradeChange)} g JOIN {_table(Customer)} c ON c.id = g.customer_id
    WHERE {change_filter}
        AND (c.email <> '' OR c.mobile <> '' OR c.phone <> '')
    """  # noqa: S608
    return _execute(sql, {**params, "created": connection.ops.adapt_datetimefield_value(now)})
