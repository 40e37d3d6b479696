"""Benchmark the tiering jobs against bare SQL doing the same work, and the tier page.

    createdb -h 127.0.0.1 -U postgres bench_tiers
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_tiers .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_tiers \\
        flock /tmp/bench.lock .venv/bin/python bench/tiers.py [--customers 1000000] [--runs 3]

Loads (or finds) `bench/scale.py`'s data (5 bookings per customer), then prints, each a
median of `--runs` measured in the same run, alternating which goes first:

- the monthly statistics job against its baseline: bare SQL that does the same work,
  written by hand here with the month's values as literals. One INSERT … SELECT computes
  every snapshot column (the booking aggregates, the RANK windows for R/F/M, margin and
  payment delay, the value, the flags) into a copy of the snapshot table with the same
  indexes and constraints (CREATE TABLE … LIKE … INCLUDING ALL); then the same per-owner
  summaries (segments, RFM, the Pareto by spend and by profit) into copies of theirs;
  all in one transaction like the job. Goal: job ≤ 1.3 × baseline.
- the half-yearly review against a bare INSERT … SELECT producing the same proposals into
  a copy of the proposal table (same indexes, and its foreign keys). Goal ≤ 1.3×.
- that the baseline did the same work: the job's rows and the baseline's are compared
  with EXCEPT both ways (every column but the id); a difference stops the benchmark.
- the committee approving the busiest rep's proposals, and the median server time of
  `/tiers/` for a manager and for the busiest rep, with the query count.
The tiers tables of this database are emptied (TRUNCATE): use a scratch database.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
os.environ["DEBUG"] = "0"

TIERS_TABLES = [
    "tiers_gradenotification", "tiers_gradechange", "tiers_proposal", "tiers_evaluation",
    "tiers_segmentsummary", "tiers_rfmsummary", "tiers_paretosummary",
    "tiers_customersnapshot", "tiers_statisticsrun",
]  # fmt: skip
# Baseline tables: copies of the job's (indexes, constraints, foreign keys).
BARE = {
    "tiers_customersnapshot": "bench_bare_snapshot",
    "tiers_segmentsummary": "bench_bare_segment",
    "tiers_rfmsummary": "bench_bare_rfm",
    "tiers_paretosummary": "bench_bare_pareto",
    "tiers_proposal": "bench_bare_proposal",
}

SNAPSHOT_COLUMNS = """month, customer_id, owner_id, team_id, policy_id, status, churn_reason,
    grade, spend_12m, spend_prev_12m, gross_profit_12m, bookings_12m, bookings_prev_12m,
    loyalty_bookings, last_trip_on, recency_days, avg_payment_delay_days, r_score, f_score,
    m_score, spend_percentile, large_volume, high_loyalty, quadrant, implied_grade,
    is_dormant, value_score, poor_value, last_business_on"""

BARE_SNAPSHOTS = """
INSERT INTO bench_bare_snapshot ({columns})
WITH agg AS (
    SELECT customer_id,
        SUM(amount - refunded_amount) FILTER (WHERE {paid_12m}) AS spend,
        SUM(amount - refunded_amount) FILTER (WHERE {paid_prev}) AS spend_prev,
        SUM(amount - refunded_amount - cost) FILTER (WHERE {paid_12m} AND status = 'paid')
            AS profit,
        COUNT(*) FILTER (WHERE {paid_12m} AND amount > refunded_amount) AS bookings,
        COUNT(*) FILTER (WHERE {paid_prev} AND amount > refunded_amount) AS bookings_prev,
        COUNT(*) FILTER (WHERE {paid} AND paid_date >= '{loyalty_from}'
            AND amount > refunded_amount) AS loyalty,
        MAX(start_date) FILTER (WHERE status <> 'cancelled' AND start_date <= '{as_of}')
            AS last_trip,
        AVG(paid_date - payment_due_date) FILTER (WHERE {paid_12m}
            AND payment_due_date IS NOT NULL) AS delay,
        MAX(LEAST(start_date, DATE '{as_of}')) FILTER (WHERE status <> 'cancelled'
            AND NOT (refunded_amount >= amount AND (status = 'refunded' OR refunded_amount > 0))
            AND (start_date <= '{as_of}' OR ({paid}))) AS last_business
    FROM customers_booking
    GROUP BY customer_id
),
base AS (
    SELECT c.id, c.owner_id, u.team_id, c.status, c.churn_reason, c.grade, c.created_at,
        ROUND(COALESCE(a.spend, 0), 2) AS spend,
        ROUND(COALESCE(a.spend_prev, 0), 2) AS spend_prev,
        ROUND(COALESCE(a.profit, 0), 2) AS profit,
        COALESCE(a.bookings, 0) AS bookings, COALESCE(a.bookings_prev, 0) AS bookings_prev,
        COALESCE(a.loyalty, 0) AS loyalty, a.last_trip, ROUND(a.delay, 1) AS delay,
        a.last_business
    FROM customers_customer c
    JOIN accounts_user u ON u.id = c.owner_id
    LEFT JOIN agg a ON a.customer_id = c.id
    WHERE c.deleted_at IS NULL
),
ranked AS (
    SELECT base.*,
        RANK() OVER (PARTITION BY last_trip IS NULL ORDER BY last_trip) AS r_rank,
        RANK() OVER (PARTITION BY last_trip IS NULL ORDER BY bookings) AS f_rank,
        COUNT(*) OVER (PARTITION BY last_trip IS NULL) AS travellers,
        RANK() OVER (PARTITION BY spend > 0 ORDER BY spend) AS spend_up,
        COUNT(*) OVER (PARTITION BY spend > 0) AS buyers,
        RANK() OVER (PARTITION BY spend > 0 ORDER BY profit / NULLIF(spend, 0)) AS margin_rank,
        RANK() OVER (PARTITION BY spend > 0 ORDER BY COALESCE(delay, 0) DESC) AS delay_rank
    FROM base
),
scored AS (
    SELECT ranked.*,
        CASE WHEN last_trip IS NULL THEN 1 ELSE 1 + 5 * (r_rank - 1) / travellers END AS r,
        CASE WHEN last_trip IS NULL THEN 1 ELSE 1 + 5 * (f_rank - 1) / travellers END AS f,
        CASE WHEN spend > 0 THEN 1 + 5 * (spend_up - 1) / buyers ELSE 1 END AS m,
        1 + 5 * (margin_rank - 1) / buyers AS mg,
        1 + 5 * (delay_rank - 1) / buyers AS dl,
        buyers - spend_up + 1 AS spend_rank,
        (spend > 0 AND (buyers - spend_up + 1) * 100 <= buyers * {top_percent}) AS large,
        (loyalty >= {loyalty_min} AND last_trip IS NOT NULL AND last_trip >= '{loyal_trip_from}')
            AS loyal
    FROM ranked
)
SELECT DATE '{month}', id, owner_id, team_id, {policy}, status, churn_reason, grade,
    spend, spend_prev, profit, bookings, bookings_prev, loyalty, last_trip,
    DATE '{as_of}' - last_trip, delay, r, f, m,
    CASE WHEN spend > 0 THEN (spend_rank * 100 + buyers - 1) / buyers END,
    large, loyal,
    CASE WHEN large AND loyal THEN 'core' WHEN large THEN 'unstable'
        WHEN loyal THEN 'nurture' ELSE 'retire' END,
    CASE WHEN spend >= {a_min} THEN 'A' WHEN spend >= {b_min} THEN 'B' ELSE 'C' END,
    CASE WHEN last_business IS NOT NULL THEN last_business < '{dormant_before}'
        ELSE created_at < '{dormant_added_before}' END,
    CASE WHEN spend > 0 THEN (100 * ({w_spend} * (m - 1) + {w_margin} * (mg - 1)
        + {w_delay} * (dl - 1) + {w_frequency} * (f - 1)) + 2 * {w_total}) / (4 * {w_total}) END,
    large AND (profit * 100 < spend * {thin_margin} OR COALESCE(delay, 0) > {late_days}),
    last_business
FROM scored
"""

BARE_SUMMARIES = [
    """INSERT INTO bench_bare_segment (month, owner_id, team_id, customers, spend, gross_profit,
        grade, quadrant, is_dormant, poor_value, status, churn_reason)
    SELECT month, owner_id, team_id, COUNT(*), SUM(spend_12m), SUM(gross_profit_12m),
        grade, quadrant, is_dormant, poor_value, status, churn_reason
    FROM bench_bare_snapshot
    GROUP BY month, owner_id, team_id, grade, quadrant, is_dormant, poor_value, status,
        churn_reason""",
    """INSERT INTO bench_bare_rfm (month, owner_id, team_id, customers, spend, gross_profit,
        r_score, f_score, m_score_sum)
    SELECT month, owner_id, team_id, COUNT(*), SUM(spend_12m), SUM(gross_profit_12m),
        r_score, f_score, SUM(m_score)
    FROM bench_bare_snapshot GROUP BY month, owner_id, team_id, r_score, f_score""",
    """INSERT INTO bench_bare_pareto (month, owner_id, team_id, customers, spend, gross_profit,
        ordered_by, percentile)
    SELECT month, owner_id, team_id, COUNT(*), SUM(spend_12m), SUM(gross_profit_12m),
        'spend', spend_percentile
    FROM bench_bare_snapshot WHERE spend_percentile IS NOT NULL
    GROUP BY month, owner_id, team_id, spend_percentile""",
    """INSERT INTO bench_bare_pareto (month, owner_id, team_id, customers, spend, gross_profit,
        ordered_by, percentile)
    SELECT month, owner_id, team_id, COUNT(*), SUM(spend_12m), SUM(gross_profit_12m),
        'profit', percentile
    FROM (SELECT month, owner_id, team_id, spend_12m, gross_profit_12m,
            (COUNT(*) OVER (ORDER BY gross_profit_12m DESC) * 100 + COUNT(*) OVER () - 1)
                / COUNT(*) OVER () AS percentile
        FROM bench_bare_snapshot WHERE spend_12m > 0) p
    GROUP BY month, owner_id, team_id, percentile""",
]

PROPOSAL_COLUMNS = """customer_id, owner_id, team_id, from_grade, to_grade, change_type,
    reason, spend_12m, spend_prev_12m, bookings_12m, bookings_prev_12m, recency_days,
    complaints_12m, grade_threshold, gross_profit_12m, avg_payment_delay_days, poor_value,
    manual_since, status, decided_grade, decision_note"""

BARE_PROPOSALS = """
INSERT INTO bench_bare_proposal (evaluation_id, {columns})
SELECT {evaluation}, customer_id, owner_id, team_id, grade,
    CASE target WHEN 3 THEN 'A' WHEN 2 THEN 'B' ELSE 'C' END,
    CASE WHEN cur = 0 THEN 'new' WHEN target > cur THEN 'upgrade' ELSE 'downgrade' END,
    CASE WHEN cur = 0 THEN 'first_grade' WHEN complained THEN 'complaints'
        ELSE 'spend_grade' END,
    spend_12m, spend_prev_12m, bookings_12m, bookings_prev_12m, recency_days, complaints,
    CASE WHEN cur > 0 AND NOT complained THEN
        CASE WHEN GREATEST(implied, cur) = 3 THEN {a_min} ELSE {b_min} END END,
    gross_profit_12m, avg_payment_delay_days, poor_value, manual_since, 'pending', '', ''
FROM (
    SELECT x.*, CASE WHEN complained THEN LEAST(implied, cur - 1) ELSE implied END AS target
    FROM (
        SELECT s.customer_id, c.owner_id, u.team_id, c.grade, s.spend_12m, s.spend_prev_12m,
            s.bookings_12m, s.bookings_prev_12m, s.recency_days, s.gross_profit_12m,
            s.avg_payment_delay_days, s.poor_value, COALESCE(k.n, 0) AS complaints,
            m.changed_at AS manual_since,
            CASE c.grade WHEN 'A' THEN 3 WHEN 'B' THEN 2 WHEN 'C' THEN 1 ELSE 0 END AS cur,
            CASE WHEN s.spend_12m >= {a_min} THEN 3 WHEN s.spend_12m >= {b_min} THEN 2
                ELSE 1 END AS implied,
            (c.grade IN ('A', 'B') AND {complaints_min} > 0
                AND COALESCE(k.n, 0) >= {complaints_min}) AS complained
        FROM tiers_customersnapshot s
        JOIN customers_customer c ON c.id = s.customer_id
        JOIN accounts_user u ON u.id = c.owner_id
        LEFT JOIN (
            SELECT customer_id, COUNT(*) AS n FROM customers_servicerecord
            WHERE kind = 'complaint' AND occurred_at >= '{since}' AND occurred_at < '{until}'
            GROUP BY customer_id
        ) k ON k.customer_id = s.customer_id
        LEFT JOIN (
            SELECT DISTINCT ON (customer_id) customer_id, source, changed_at
            FROM tiers_gradechange ORDER BY customer_id, changed_at DESC, id DESC
        ) m ON m.customer_id = s.customer_id AND m.source = 'manual'
        WHERE s.month = '{month}' AND c.deleted_at IS NULL
            AND c.status NOT IN ('lost', 'retired')
    ) x
) y
WHERE cur = 0 OR complained OR implied <> cur
"""


def _timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def _sql(connection, sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


def _atomic_sql(connection, sql: str) -> int:
    from django.db import transaction

    with transaction.atomic():
        return _sql(connection, sql)


def _one(connection, sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def _truncate(connection, tables) -> None:
    _sql(connection, f"TRUNCATE {', '.join(tables)}")


def _make_bare_tables(connection) -> None:
    """Copies of the job's tables: columns, indexes, constraints and foreign keys."""
    for source, copy in BARE.items():
        _sql(connection, f"DROP TABLE IF EXISTS {copy}")
        _sql(connection, f"CREATE TABLE {copy} (LIKE {source} INCLUDING ALL)")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [source],
            )
            for index, (definition,) in enumerate(cursor.fetchall()):
                cursor.execute(f"ALTER TABLE {copy} ADD CONSTRAINT {copy}_fk{index} {definition}")


def _differences(connection, table: str, copy: str, columns: str, where: str = "") -> int:
    """Rows in one table and not the other (both ways), over `columns`."""
    first = f"SELECT {columns} FROM {table} {where}"
    second = f"SELECT {columns} FROM {copy}"
    return _one(
        connection,
        f"SELECT (SELECT COUNT(*) FROM ({first} EXCEPT ALL {second}) a)"
        f" + (SELECT COUNT(*) FROM ({second} EXCEPT ALL {first}) b)",
    )


def _snapshot_values(*, month, policy) -> dict:
    """The month's dates and the policy's values (the job's own parameters), to be
    written into the baseline as SQL literals."""
    from tiers import statistics as tier_sql

    params = tier_sql.snapshot_parameters(month=month, policy=policy)
    added = params["dormant_added_before"]
    if not isinstance(added, str):  # an aware datetime on PostgreSQL
        added = added.isoformat()
    return {
        **params,
        "dormant_added_before": added,
        "columns": SNAPSHOT_COLUMNS,
        "paid": "status IN ('paid', 'refunded') AND paid_date <= '{as_of}'".format(**params),
        "paid_12m": (
            "status IN ('paid', 'refunded') AND paid_date <= '{as_of}' AND paid_date >= '{w12}'"
        ).format(**params),
        "paid_prev": (
            "status IN ('paid', 'refunded') AND paid_date >= '{w24}' AND paid_date < '{w12}'"
        ).format(**params),
    }


def _median(values) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=15)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from bench.scale import load_scale_data
    from tiers.models import Evaluation, VolumeRule
    from tiers.services import (
        half_yearly_review,
        monthly_statistics,
        policy_current,
        proposals_decide,
    )
    from tiers.statistics import add_months, month_start

    if connection.vendor != "postgresql":
        sys.exit("bench/tiers.py needs PostgreSQL: set DATABASE_URL")
    today = timezone.localdate()
    review_day = month_start(today)  # a review "today" reads last month's snapshots
    month = add_months(review_day, -1)

    for copy in BARE.values():  # left by an interrupted run
        _sql(connection, f"DROP TABLE IF EXISTS {copy}")
    _truncate(connection, TIERS_TABLES)  # scale.py replaces customers of another size
    seconds, data = _timed(
        lambda: load_scale_data(customers=args.customers, bookings_per_customer=5, today=today)
    )
    print(f"scale data: {data.customers:,} customers, {data.bookings:,} bookings ({seconds:.0f} s)")
    _sql(connection, "VACUUM ANALYZE customers_booking")
    _sql(connection, "ANALYZE customers_customer")
    _make_bare_tables(connection)

    policy = policy_current()
    if policy.volume_rule != VolumeRule.TOP_SHARE:
        sys.exit("the baseline is written for the top-share volume rule (the default)")
    values = _snapshot_values(month=month, policy=policy)
    one_statement = BARE_SNAPSHOTS.format(**values)
    # The same work in two statements, as the job does it: the aggregate into a
    # temporary table (with statistics), then the windows and the insert over it.
    aggregate = one_statement[one_statement.index("WITH agg AS (") + len("WITH agg AS (") :]
    aggregate = aggregate[: aggregate.index("\n),\nbase AS (")]
    two_statements = [
        "DROP TABLE IF EXISTS bench_bare_agg",
        f"CREATE TEMPORARY TABLE bench_bare_agg AS {aggregate}",
        "ANALYZE bench_bare_agg",
        one_statement.replace(
            one_statement[one_statement.index("WITH agg AS (") : one_statement.index("base AS (")],
            "WITH ",
        ).replace("LEFT JOIN agg a", "LEFT JOIN bench_bare_agg a"),
        "DROP TABLE bench_bare_agg",
    ]
    baselines = {"one statement": [one_statement], "two statements": two_statements}

    def bare_monthly(statements) -> None:
        _truncate(connection, [BARE[t] for t in BARE if t != "tiers_proposal"])
        with transaction.atomic():
            for statement in statements + BARE_SUMMARIES:
                _sql(connection, statement)

    def same_work() -> None:
        differences = _differences(
            connection, "tiers_customersnapshot", "bench_bare_snapshot", SNAPSHOT_COLUMNS
        )
        for table in ("tiers_segmentsummary", "tiers_rfmsummary", "tiers_paretosummary"):
            with connection.cursor() as cursor:
                description = connection.introspection.get_table_description(cursor, table)
            columns = ", ".join(c.name for c in description if c.name != "id")
            differences += _differences(connection, table, BARE[table], columns)
        if differences:
            sys.exit(f"the baseline and the job disagree on {differences} rows: not the same work")

    times = {"job": [], **{name: [] for name in baselines}}
    steps = ["job", *baselines]
    for run_number in range(args.runs):
        _truncate(connection, TIERS_TABLES + list(BARE.values()))
        _sql(connection, "CHECKPOINT")
        order = steps[run_number % 3 :] + steps[: run_number % 3]
        for step in order:
            if step == "job":
                seconds, run = _timed(lambda: monthly_statistics(month=month, today=today))
            else:
                seconds, _ = _timed(lambda: bare_monthly(baselines[step]))  # noqa: B023
                if run_number == 0:  # the first run computes the job first
                    same_work()
            times[step].append(seconds)
    job = _median(times["job"])
    bare = min(_median(times[name]) for name in baselines)
    print(f"monthly statistics {month:%Y-%m}: {run.customer_count:,} customers, "
          f"medians of {args.runs}; each baseline's rows equal the job's")  # fmt: skip
    for name in baselines:
        print(f"  baseline, bare SQL in {name + ':':16} {_median(times[name]):7.2f} s")
    print(f"  job (manage.py tier_monthly):          {job:7.2f} s  "
          f"{job / bare:.2f}× the faster baseline (goal ≤ 1.3×)")  # fmt: skip

    # The review reads the stored snapshots: both with fresh statistics on them.
    _sql(connection, "ANALYZE tiers_customersnapshot")
    until = timezone.make_aware(datetime.datetime.combine(review_day, datetime.time.min))
    since = timezone.make_aware(
        datetime.datetime.combine(add_months(review_day, -12), datetime.time.min)
    )
    review_values = {
        "columns": PROPOSAL_COLUMNS,
        "a_min": policy.grade_a_min,
        "b_min": policy.grade_b_min,
        "complaints_min": policy.downgrade_complaints,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "month": month.isoformat(),
    }
    review_times, bare_review_times = [], []
    for run_number in range(args.runs):
        _truncate(connection, ["tiers_gradenotification", "tiers_gradechange", "tiers_proposal",
                               "bench_bare_proposal", "tiers_evaluation"])  # fmt: skip
        holder = Evaluation.objects.create(  # the bare proposals' evaluation (foreign key)
            review_date=review_day - datetime.timedelta(days=1),
            snapshot_month=month,
            policy=policy,
            created_at=timezone.now(),
        )
        statement = BARE_PROPOSALS.format(**review_values, evaluation=holder.pk)
        for step in ("bare", "job") if run_number % 2 else ("job", "bare"):
            if step == "job":
                seconds, evaluation = _timed(lambda: half_yearly_review(today=review_day))
                review_times.append(seconds)
            else:
                seconds, _ = _timed(lambda: _atomic_sql(connection, statement))  # noqa: B023
                bare_review_times.append(seconds)
    differences = _differences(
        connection,
        "tiers_proposal",
        "bench_bare_proposal",
        PROPOSAL_COLUMNS,
        where=f"WHERE evaluation_id = {evaluation.pk}",
    )
    if differences:
        sys.exit(f"the review baseline and the job disagree on {differences} proposals")
    review, bare_review = _median(review_times), _median(bare_review_times)
    print(f"half-yearly review: {evaluation.proposal_count:,} proposals, medians of "
          f"{args.runs}; the baseline's proposals equal the job's")  # fmt: skip
    print(f"  baseline: bare INSERT … SELECT of the proposals: {bare_review:6.2f} s  1.00×")
    print(f"  job (manage.py tier_review):                     {review:6.2f} s  "
          f"{review / bare_review:.2f}× (goal ≤ 1.3×)")  # fmt: skip
    _sql(connection, "DROP TABLE bench_bare_proposal")
    Evaluation.objects.filter(pk=holder.pk).delete()

    User = get_user_model()
    manager, _ = User.objects.get_or_create(
        username="bench-manager", defaults={"full_name": "Bench manager"}
    )
    manager.groups.add(Group.objects.get(name="manager"))
    # A committee batch: the busiest rep's proposals, else the first 2,000.
    batch = evaluation.proposals.filter(owner_id=data.big_rep_id)
    if not batch.exists():
        batch = evaluation.proposals.filter(
            pk__in=evaluation.proposals.order_by("pk").values("pk")[:2000]
        )
    seconds, decided = _timed(
        lambda: proposals_decide(actor=manager, evaluation=evaluation, proposals=batch)
    )
    print(f"committee approves {decided:,} proposals: {seconds:.2f} s")

    # The page is measured, not the sign-in: as the test suite does, the two-factor
    # policy requires nobody here (force_login is no sign-in; the gate would redirect).
    import twofactor.policy

    twofactor.policy.required_roles = frozenset
    client = Client()
    client.force_login(manager)
    median, queries = _page_times(client, "/tiers/", args.requests)
    print(f"/tiers/ for a manager: median {median * 1000:.0f} ms over {args.requests} "
          f"requests, {queries} queries (goal < 300 ms)")  # fmt: skip
    client.force_login(User.objects.get(pk=data.big_rep_id))
    median, queries = _page_times(client, "/tiers/", args.requests)
    print(f"/tiers/ for the busiest rep (5,000 customers): median {median * 1000:.0f} ms, "
          f"{queries} queries")  # fmt: skip
    for copy in BARE.values():
        _sql(connection, f"DROP TABLE IF EXISTS {copy}")


def _page_times(client, url: str, requests: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm
    times = []
    for _ in range(requests):
        seconds, response = _timed(lambda: client.get(url))
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
        times.append(seconds)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), len(queries.captured_queries)


if __name__ == "__main__":
    main()
