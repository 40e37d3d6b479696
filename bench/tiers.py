"""Benchmark the tiering jobs and the tier report page at scale, on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres bench_tiers
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_tiers .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_tiers \
        flock /tmp/bench.lock .venv/bin/python bench/tiers.py [--customers 1000000] [--runs 3]

Loads (or finds) `bench/scale.py`'s data (5 bookings per customer), then prints:
- the monthly statistics job's wall time (median of `--runs`, the tiers tables emptied
  before each run) against the bare `SELECT customer_id, SUM, COUNT, MAX … FROM
  customers_booking GROUP BY customer_id` over the same bookings (nothing written), with
  the job's own stages measured alone, reading only: its booking aggregate, then the
  aggregate and the R/F/M windows (the job's SQL without the INSERT); the rest is
  writing 1M snapshot rows and the summaries;
- the half-yearly evaluation job's wall time (it reads the stored snapshots) against the
  same bare aggregate, and the committee approving the busiest rep's proposals;
- the median server time of `/tiers/` for a manager (and for the busiest rep), served
  from the stored summaries, with its query count.
The tiers tables of this database are emptied (TRUNCATE): use a scratch database.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
os.environ["DEBUG"] = "0"

BARE_SQL = """
SELECT COUNT(*), SUM(spend) FROM (
    SELECT customer_id, SUM(amount - refunded_amount) AS spend,
           SUM(amount - refunded_amount - cost) AS profit, COUNT(*) AS bookings,
           MAX(start_date) AS last_trip, AVG(paid_date - payment_due_date) AS delay
    FROM customers_booking
    GROUP BY customer_id
) per_customer
"""
TIERS_TABLES = [
    "tiers_gradenotification", "tiers_gradechange", "tiers_proposal", "tiers_evaluation",
    "tiers_segmentsummary", "tiers_rfmsummary", "tiers_paretosummary",
    "tiers_customersnapshot", "tiers_statisticsrun",
]  # fmt: skip


def _timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def _truncate(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TIERS_TABLES)}")


def _bare(connection) -> float:
    with connection.cursor() as cursor:
        seconds, _ = _timed(lambda: (cursor.execute(BARE_SQL), cursor.fetchone()))
    return seconds


def _count(connection, sql: str, params: dict) -> None:
    """Run a SELECT and make the server compute every column of every row (a bare
    COUNT(*) would let the planner drop the unused ones)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(stage) FROM ({sql}) stage", params)
        cursor.fetchone()


def _stages(connection, *, month, policy) -> tuple[float, float]:
    """The job's read-only stages: its aggregate alone; the aggregate (into the job's
    temporary table) and the windows over it, nothing written to the snapshots."""
    from django.db import transaction

    from tiers import statistics as tier_sql

    params = tier_sql.snapshot_parameters(month=month, policy=policy)
    aggregate, _ = _timed(lambda: _count(connection, tier_sql.aggregates_sql(), params))

    def windows() -> None:
        with transaction.atomic(), tier_sql.aggregates_table(params):
            _count(connection, tier_sql.scored_sql(policy), params)

    scored, _ = _timed(windows)
    return aggregate, scored


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
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bench.scale import load_scale_data
    from tiers.models import Evaluation, Proposal
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

    _truncate(connection)  # scale.py replaces customers of another size
    seconds, data = _timed(
        lambda: load_scale_data(customers=args.customers, bookings_per_customer=5, today=today)
    )
    print(f"scale data: {data.customers:,} customers, {data.bookings:,} bookings ({seconds:.0f} s)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE customers_booking")
        cursor.execute("ANALYZE customers_customer")

    policy = policy_current()
    job_times, bare_times, aggregate_times, scored_times = [], [], [], []
    for _ in range(args.runs):
        _truncate(connection)
        bare_times.append(_bare(connection))
        aggregate, scored = _stages(connection, month=month, policy=policy)
        aggregate_times.append(aggregate)
        scored_times.append(scored)
        seconds, run = _timed(lambda: monthly_statistics(month=month, today=today))
        job_times.append(seconds)
    job, bare = statistics.median(job_times), statistics.median(bare_times)
    aggregate, scored = statistics.median(aggregate_times), statistics.median(scored_times)
    print(f"monthly statistics {month:%Y-%m}: {run.customer_count:,} customers "
          f"(medians of {args.runs}; × = against the bare GROUP BY)")  # fmt: skip
    print(f"  bare GROUP BY customer aggregate:        {bare:6.2f} s  1.00×")
    print(f"  the job's aggregate alone (SELECT):      {aggregate:6.2f} s  {aggregate / bare:.2f}×")
    print(f"  aggregate + R/F/M windows (SELECT):      {scored:6.2f} s  {scored / bare:.2f}×")
    print(f"  job (+ INSERT 1M snapshots + summaries): {job:6.2f} s  {job / bare:.2f}× "
          f"(goal ≤ 1.5×)")  # fmt: skip
    print(f"  writing (job − read-only stages):        {job - scored:6.2f} s  "
          f"{(job - scored) / bare:.2f}×")  # fmt: skip

    review_times = []
    for _ in range(args.runs):
        Proposal.objects.all().delete()
        Evaluation.objects.all().delete()
        seconds, evaluation = _timed(lambda: half_yearly_review(today=review_day))
        review_times.append(seconds)
    review = statistics.median(review_times)
    bare = _bare(connection)
    print(f"half-yearly evaluation: {evaluation.proposal_count:,} proposals")
    print(f"  job (reads the stored snapshots): {review:.2f} s (median of {args.runs})")
    print(f"  bare GROUP BY customer aggregate: {bare:.2f} s")
    print(f"  ratio job/bare: {review / bare:.2f}× (goal ≤ 1.5×)")

    User = get_user_model()
    manager, _ = User.objects.get_or_create(
        username="bench-manager", defaults={"full_name": "Bench manager"}
    )
    manager.groups.add(Group.objects.get(name="manager"))
    # A committee batch: the busiest rep's proposals (earlier runs may have approved
    # them: their grades stay changed), else the first 2,000.
    batch = evaluation.proposals.filter(owner_id=data.big_rep_id)
    if not batch.exists():
        batch = evaluation.proposals.filter(
            pk__in=evaluation.proposals.order_by("pk").values("pk")[:2000]
        )
    seconds, decided = _timed(
        lambda: proposals_decide(actor=manager, evaluation=evaluation, proposals=batch)
    )
    print(f"committee approves {decided:,} proposals: {seconds:.2f} s")

    client = Client()
    client.force_login(manager)
    median, queries = _page_times(client, "/tiers/", args.requests)
    print(f"/tiers/ for a manager: median {median * 1000:.0f} ms over {args.requests} "
          f"requests, {queries} queries (goal < 300 ms)")  # fmt: skip
    client.force_login(User.objects.get(pk=data.big_rep_id))
    median, queries = _page_times(client, "/tiers/", args.requests)
    print(f"/tiers/ for the busiest rep (5,000 customers): median {median * 1000:.0f} ms, "
          f"{queries} queries")  # fmt: skip


if __name__ == "__main__":
    main()
