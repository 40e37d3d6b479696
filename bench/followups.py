"""Benchmark the daily planning job against a bare SQL query that finds the same due
customers, and time "My day" for a rep with 5,000 customers.

    createdb -h 127.0.0.1 -U postgres bench_followups
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_followups
    .venv/bin/python manage.py migrate
    flock /tmp/bench.lock .venv/bin/python bench/followups.py [--customers 1000000]

Data comes from bench/scale.py (1M customers, 5 bookings and 1 contact each by default).
It first plans the day before (the whole backlog, timed and printed as the first run),
then each round times the daily run `followups.services.planning_run(today=…)` (every
rule, the frequency cap, feedback deadlines, the claim row) and the bare query (one
SELECT COUNT over the same rules' UNION ALL: every customer due today, no writes) on the
same state, and deletes what that day's run made. Prints the medians and the ratio
job/bare, the early-warning step alone (part of the job), and the median server time of
GET /followups/ for the busiest rep (`ScaleData.big_rep_id`).
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
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.scale import load_scale_data  # noqa: E402
from customers.models import Customer  # noqa: E402
from followups.models import FollowupPolicy  # noqa: E402
from followups.services import planning_run  # noqa: E402
from followups.services.planning import (  # noqa: E402
    POST_TRIP_LOOKBACK_DAYS,
    anniversary_windows,
    festival_dates,
)
from followups.services.warnings import warnings_raise  # noqa: E402

BARE_SQL = """
WITH last AS (
    SELECT customer_id, MAX(contacted_at) AS last_at
    FROM customers_contactrecord GROUP BY customer_id
), live AS (
    SELECT * FROM customers_customer
    WHERE deleted_at IS NULL AND status IN ('active', 'dormant')
)
SELECT COUNT(*) FROM (
    SELECT b.customer_id FROM customers_booking b JOIN live c ON c.id = b.customer_id
    WHERE b.end_date BETWEEN %(lookback)s AND %(today)s AND b.status IN ('booked', 'paid')
  UNION ALL
    SELECT c.id FROM live c LEFT JOIN last ON last.customer_id = c.id
    WHERE c.kind IN ('individual', 'corporate')
      AND COALESCE(CAST(last.last_at AT TIME ZONE 'Asia/Shanghai' AS date),
                   CAST(c.created_at AT TIME ZONE 'Asia/Shanghai' AS date))
          + CASE c.grade WHEN 'A' THEN %(a)s WHEN 'B' THEN %(b)s ELSE %(c)s END <= %(ahead)s
  UNION ALL
    SELECT c.id FROM live c WHERE c.is_key_account
  UNION ALL
    SELECT c.id FROM live c
    WHERE to_char(c.birthday, 'MM-DD') = ANY(%(window)s)
  UNION ALL
    SELECT c.id FROM live c WHERE to_char(c.wedding_anniversary, 'MM-DD') = ANY(%(window)s)
  UNION ALL
    SELECT c.id FROM live c WHERE to_char(c.founding_date, 'MM-DD') = ANY(%(window)s)
  UNION ALL
    SELECT c.id FROM live c, unnest(%(festivals)s::text[]) AS f
    WHERE c.kind IN ('individual', 'corporate') AND (c.is_key_account OR c.grade IN ('A', 'B'))
) due
"""


def bare_params(today: datetime.date) -> dict:
    policy = FollowupPolicy.in_force(today=today)
    windows = anniversary_windows(today, policy.greeting_lead_days)
    horizon = today + datetime.timedelta(days=policy.greeting_lead_days)
    festivals = [
        name
        for year in {today.year, horizon.year}
        for name, (date, _channel) in festival_dates(year).items()
        if today <= date <= horizon
    ]
    return {
        "today": today,
        "lookback": today - datetime.timedelta(days=POST_TRIP_LOOKBACK_DAYS),
        "a": policy.cadence_a_days,
        "b": policy.cadence_b_days,
        "c": policy.cadence_c_days,
        "ahead": today + datetime.timedelta(days=policy.plan_ahead_days),
        "window": [f"{month:02d}-{day:02d}" for month, day, _date in windows],
        "festivals": festivals,
    }


def reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE followups_feedbackalert, followups_followup, followups_planningrun "
            "RESTART IDENTITY CASCADE"
        )
        cursor.execute("VACUUM ANALYZE followups_followup")


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


class _RollBack(Exception):
    pass


def warning_step(*, today: datetime.date, run, job_median: float, rounds: int) -> None:
    """The early-warning step alone (it is part of every round's job above): both spend
    windows for every live grade A or key-account customer in one statement, the episode
    UPDATE and the two INSERTs, each time rolled back so every round does the same work."""
    policy = FollowupPolicy.in_force(today=today)
    times, raised = [], {}
    for _round in range(rounds):
        try:
            with transaction.atomic():
                started = time.perf_counter()
                raised = warnings_raise(run=run, policy=policy, today=today, now=timezone.now())
                times.append(time.perf_counter() - started)
                raise _RollBack
        except _RollBack:
            pass
    eligible = Customer.objects.filter(Q(grade="A") | Q(is_key_account=True)).count()
    step = statistics.median(times)
    print(
        f"early-warning step median {step:.2f} s ({eligible:,} grade A or key-account "
        f"customers compared; {raised}), {step / job_median:.0%} of the planning job"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--today", default="2026-11-23")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the migrated PostgreSQL database bench_followups.")
    today = datetime.date.fromisoformat(args.today)
    started = time.perf_counter()
    reset()  # follow-ups point at bench bookings, which a new size replaces
    data = load_scale_data(customers=args.customers, today=today)
    print(f"scale data ready: {data.customers:,} customers ({time.perf_counter() - started:.1f} s)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    params = bare_params(today)
    reset()
    first_time, first = timed(lambda: planning_run(today=today - datetime.timedelta(days=1)))
    print(
        f"first run ({today - datetime.timedelta(days=1)}, the whole backlog): {first_time:.2f} s, "
        f"{first.created_total:,} follow-ups, {first.moved_by_cap:,} moved by the cap"
    )
    job_times, bare_times = [], []
    for round_number in range(1, args.rounds + 1):
        # The daily run: yesterday's plan exists; today's run finds every due customer
        # again and adds what became due.
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM followups_followup WHERE run_id IN "
                "(SELECT id FROM followups_planningrun WHERE run_date = %s)",
                [today],
            )
            cursor.execute("DELETE FROM followups_planningrun WHERE run_date = %s", [today])
        job_time, run = timed(lambda: planning_run(today=today))
        with connection.cursor() as cursor:
            bare_time, due = timed(lambda: (cursor.execute(BARE_SQL, params), cursor.fetchone()[0]))
        job_times.append(job_time)
        bare_times.append(bare_time)
        print(
            f"round {round_number}: job {job_time:.2f} s ({run.created_total:,} follow-ups, "
            f"{run.moved_by_cap:,} moved by the cap; {run.created_counts}), "
            f"bare {bare_time:.2f} s ({due[1]:,} customers due, open or new)"
        )
    job, bare = statistics.median(job_times), statistics.median(bare_times)
    print(f"planning job median {job:.2f} s, bare SQL median {bare:.2f} s, ratio {job / bare:.2f}x")
    warning_step(today=today, run=run, job_median=job, rounds=args.rounds)

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    rep = get_user_model().objects.get(pk=data.big_rep_id)
    client = Client()
    client.force_login(rep)
    client.get("/followups/")  # warm
    page_times = []
    for _ in range(20):
        elapsed, response = timed(lambda: client.get("/followups/"))
        if response.status_code != 200:
            sys.exit(f"GET /followups/ answered {response.status_code}")
        page_times.append(elapsed)
    open_count = rep.followups.filter(status="open").count()
    print(
        f"My day for {rep.username} ({open_count:,} open follow-ups): median "
        f"{statistics.median(page_times) * 1000:.0f} ms over {len(page_times)} requests"
    )


if __name__ == "__main__":
    main()
