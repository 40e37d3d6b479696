"""Benchmark what auditing costs a customer page: the detail page with its audit write
against the same page with the write switched off, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch \
        .venv/bin/python bench/audit.py [--audit-rows 1000000] [--requests 400]

Needs a migrated PostgreSQL scratch database. It creates a rep with 5,000 customers (the
measured one with 30 bookings and 30 contacts), fills the audit log with --audit-rows
entries so the insert pays for realistic indexes, then requests the page alternately with
and without the audit write (in-process test client, so only server time counts), prints
the median of each and the ratio, and removes everything it created. Goal: ratio <= 1.2.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BENCH_USER = "bench-audit-rep"

AUDIT_FILL_SQL = """
INSERT INTO customers_auditentry (at, actor_id, action, object_type, object_id, object_repr,
                                  customer_id, ip_address, detail)
SELECT now() - (g || ' seconds')::interval, %(user)s, 'view', 'customer',
       (%(first)s + g %% %(span)s)::text, 'bench', %(first)s + g %% %(span)s, '10.0.0.1', '{}'
FROM generate_series(1, %(rows)s) AS g
"""


def build(*, audit_rows: int):
    import datetime
    from decimal import Decimal

    from django.contrib.auth.models import Group
    from django.db import connection

    from accounts.models import User
    from customers.models import Booking, ContactRecord, Customer, Destination
    from customers.validators import normalize_org_name

    rep = User.objects.create_user(BENCH_USER)  # never logs in: the client forces it
    rep.groups.add(Group.objects.get(name="sales"))
    customers = [
        Customer(
            kind="individual",
            name=f"基准客户{n}",
            name_normalised=normalize_org_name(f"基准客户{n}"),
            owner=rep,
            mobile=f"199{n:08d}",
        )
        for n in range(5000)
    ]
    Customer.objects.bulk_create(customers, batch_size=1000)
    measured = Customer.objects.filter(owner=rep).order_by("pk").first()
    destination, _ = Destination.objects.get_or_create(name="基准目的地")
    today = datetime.date(2026, 6, 1)
    Booking.objects.bulk_create(
        Booking(
            customer=measured,
            product=f"基准线路{n}",
            destination=destination,
            trip_type="domestic",
            start_date=today - datetime.timedelta(days=30 * n),
            end_date=today - datetime.timedelta(days=30 * n - 3),
            amount=Decimal("5000"),
            cost=Decimal("4000"),
            status="paid",
            paid_date=today - datetime.timedelta(days=30 * n + 10),
            created_by=rep,
        )
        for n in range(30)
    )
    ContactRecord.objects.bulk_create(
        ContactRecord(
            customer=measured,
            channel="phone",
            outcome="reached",
            by=rep,
            contacted_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
            + datetime.timedelta(days=n),
            notes="基准",
        )
        for n in range(30)
    )
    first = customers[0].pk
    with connection.cursor() as cursor:
        cursor.execute(
            AUDIT_FILL_SQL, {"user": rep.pk, "first": first, "span": 5000, "rows": audit_rows}
        )
        cursor.execute("ANALYZE customers_auditentry")
    return rep, measured


def cleanup() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM accounts_user WHERE username = %s", [BENCH_USER])
        row = cursor.fetchone()
        if row is None:
            return
        user_id = row[0]
        # The application refuses to delete audit entries; a scratch benchmark cleans up in SQL.
        cursor.execute("DELETE FROM customers_auditentry WHERE actor_id = %s", [user_id])
        cursor.execute("DELETE FROM customers_contactrecord WHERE by_id = %s", [user_id])
        cursor.execute("DELETE FROM customers_booking WHERE created_by_id = %s", [user_id])
        cursor.execute("DELETE FROM customers_customer WHERE owner_id = %s", [user_id])
        cursor.execute("DELETE FROM accounts_user_groups WHERE user_id = %s", [user_id])
        cursor.execute("DELETE FROM accounts_user WHERE id = %s", [user_id])


def measure(*, rep, customer, requests: int) -> tuple[float, float]:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(rep)
    url = reverse("customers:detail", args=[customer.pk])
    for _ in range(20):  # warm caches and connections
        client.get(url)
    on, off = [], []
    noop = mock.patch("customers.views.archive.audit_record", lambda **kwargs: None)
    for _ in range(requests):
        for samples, patched in ((on, False), (off, True)):
            if patched:
                noop.start()
            started = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - started)
            if patched:
                noop.stop()
            if response.status_code != 200:
                raise RuntimeError(f"the page answered {response.status_code}")
    return statistics.median(on), statistics.median(off)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audit-rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/audit.py measures on PostgreSQL: set DATABASE_URL to a scratch database.")
    cleanup()
    started = time.perf_counter()
    rep, customer = build(audit_rows=args.audit_rows)
    print(
        f"built 5,000 customers and {args.audit_rows:,} audit entries "
        f"in {time.perf_counter() - started:.1f} s"
    )
    try:
        with_audit, without_audit = measure(rep=rep, customer=customer, requests=args.requests)
    finally:
        cleanup()
    print(f"customer page, audit on : median {with_audit * 1000:.2f} ms ({args.requests} requests)")
    print(f"customer page, audit off: median {without_audit * 1000:.2f} ms")
    print(f"ratio on/off: {with_audit / without_audit:.3f} (goal <= 1.2)")


if __name__ == "__main__":
    main()
