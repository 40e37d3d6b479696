"""Benchmark the home pages at scale: each role's page (server time, queries) and the
heaviest aggregates behind them against bare SQL doing the same sums, with the
PostgreSQL plans they rely on.

    createdb -h 127.0.0.1 -U postgres bench_home
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_home
    .venv/bin/python manage.py migrate
    flock /tmp/bench.lock .venv/bin/python bench/home.py [--customers 1000000] [--rounds 15]

The home pages read the month's figures, customers by grade and finance's receivables
(totals, by owner, customers owing the most) from the stored per-owner figures: the
script refreshes them first and times it.
Data comes from bench/scale.py (customers, 5 bookings and 1 contact each). "Today" is
the scale data's today, so this month's and last year's payments and the unpaid
bookings are those the loader spread over three years.
"""

import argparse
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
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.scale import load_scale_data  # noqa: E402
from customers.models import CustodyPolicy  # noqa: E402
from customers.services.figures import owner_figures_refresh  # noqa: E402
from customers.summaries import (  # noqa: E402
    home_figures,
    receivables_overdue_by_customer,
    receivables_summary,
    sales_month_figures_live,
    same_days_last_year,
)

BARE_MONTH = """
SELECT SUM(CASE WHEN b.paid_date BETWEEN %(s)s AND %(e)s THEN b.amount - b.refunded_amount END),
       SUM(CASE WHEN b.paid_date BETWEEN %(ls)s AND %(le)s THEN b.amount - b.refunded_amount END)
FROM customers_booking b JOIN customers_customer c ON c.id = b.customer_id
WHERE b.status IN ('paid', 'refunded') AND c.deleted_at IS NULL
  AND (b.paid_date BETWEEN %(s)s AND %(e)s OR b.paid_date BETWEEN %(ls)s AND %(le)s)
"""
BARE_RECEIVABLES = """
SELECT COUNT(*), SUM(b.amount), COUNT(*) FILTER (WHERE b.payment_due_date < %(t)s),
       SUM(b.amount) FILTER (WHERE b.payment_due_date < %(t)s)
FROM customers_booking b JOIN customers_customer c ON c.id = b.customer_id
WHERE b.status = 'booked' AND c.deleted_at IS NULL
"""


def timed(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def user_with_role(username: str, role: str):
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username, defaults={"full_name": username})
    user.groups.add(Group.objects.get(name=role))
    return user


def explain(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    today = timezone.localdate()
    data = load_scale_data(customers=args.customers, today=today)
    policy = CustodyPolicy.current()
    policy.two_factor_roles = []
    policy.save()
    User = get_user_model()
    users = {
        "manager": user_with_role("bench-manager", "manager"),
        "finance": user_with_role("bench-finance", "finance"),
        "custodian": user_with_role("bench-custodian", "custodian"),
        "busiest rep": User.objects.get(pk=data.big_rep_id),
        "team lead": User.objects.get(pk=data.lead_id),
    }
    settings.ALLOWED_HOSTS = ["*"]
    print(f"{args.customers:,} customers, {data.bookings:,} bookings; today {today}")
    start = time.perf_counter()
    owners = owner_figures_refresh()
    print(f"stored home figures refresh ({owners} owners): {time.perf_counter() - start:.2f} s")
    for label, user in users.items():
        client = Client()
        client.force_login(user)
        client.get("/")  # warm
        with CaptureQueriesContext(connection) as queries:
            status = client.get("/").status_code
            count = len(queries.captured_queries)
        if status != 200:
            raise SystemExit(f"home page for {label} answered {status}")
        median = timed(lambda c=client: c.get("/"), args.rounds)
        print(f"home page, {label}: median {median * 1000:.0f} ms, {count} queries")

    manager = users["manager"]
    last = same_days_last_year(today)
    params = {"s": today.replace(day=1), "e": today, "ls": last.start, "le": last.end}
    stored = timed(lambda: home_figures(user=manager, today=today), args.rounds)
    live = timed(lambda: sales_month_figures_live(user=manager, today=today), args.rounds)
    bare = timed(lambda: connection.cursor().execute(BARE_MONTH, params), args.rounds)
    print(
        f"month figures (all customers): stored {stored * 1000:.1f} ms, live selector "
        f"{live * 1000:.0f} ms, bare SQL {bare * 1000:.0f} ms; ratios stored/bare "
        f"{stored / bare:.3f}x, live/bare {live / bare:.2f}x"
    )
    finance = users["finance"]
    selector = timed(lambda: receivables_summary(user=finance, today=today), args.rounds)
    bare = timed(lambda: connection.cursor().execute(BARE_RECEIVABLES, {"t": today}), args.rounds)
    print(
        f"receivables summary: selector {selector * 1000:.1f} ms (stored totals, the month's "
        "payments live), "
        f"bare SQL {bare * 1000:.0f} ms (unpaid only), ratio {selector / bare:.2f}x"
    )
    top = timed(lambda: receivables_overdue_by_customer(user=finance, limit=10), args.rounds)
    print(f"customers owing the most (stored per owner): {top * 1000:.1f} ms")
    print("plan, month figures:\n" + explain(BARE_MONTH, params))
    print("plan, receivables:\n" + explain(BARE_RECEIVABLES, {"t": today}))


if __name__ == "__main__":
    main()
