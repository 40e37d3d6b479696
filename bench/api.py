"""Benchmark the API's booking sync against a bare INSERT, and the customer list and
detail at a million customers.

    createdb -h 127.0.0.1 -U postgres crm_bench_api
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_api
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/api.py [--bookings 10000] [--batch 500] [--customers 1000000]

Loads (or finds) `bench/scale.py`'s customers (one booking each), makes a manager with a
personal token (the custody policy's export limit and the token rate are raised in this
scratch database, so the guard is measured, not met), then prints, in the same run:

1. the sync: `--bookings` new bookings (70% paid, so points are earned per booking)
   sent through `POST /api/v1/bookings/batch` in requests of `--batch`, with the Django
   test client (the whole server side: token, scope, throttle, every item validated and
   the batch saved as one chunk by `booking_sync_many` with history, audit, the webhook
   outbox, and the points earned set-based after the commit), as bookings/s; then the same rows
   inserted by a bare `cursor.executemany("INSERT INTO customers_booking …")` into the
   same table (same indexes and constraints) in one transaction, as bookings/s; the
   ratio (goal ≤ 5×); and where the sync's time goes (queries per booking, the share of
   the points sync), measured on one more batch;
2. the customer list (first page and a page 20 pages deep, by cursor) and a customer's
   detail through the API at `--customers` customers, for the manager (every customer)
   and for the busiest rep (5,000): median server time of `--rounds` requests (goal <
   100 ms), with the query count; and a page of bookings for the same two.

The bare rows and the synced bookings are deleted afterwards (with their ledger entries,
history, audit and outbox rows); use a scratch database all the same.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
os.environ["DEBUG"] = "0"
os.environ["API_RATE_PER_TOKEN"] = "1000000/minute"  # noqa: S105 - not what we measure

SOURCE = "bench-api"
BARE_SOURCE = "bench-bare"


def _median_ms(values) -> float:
    return statistics.median(values) * 1000


class QueryCounter:
    """Counts the statements the connection runs (DEBUG is off: no query log)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _items(*, count, offset, customer_ids, destinations, today: datetime.date):
    items = []
    for i in range(offset, offset + count):
        start = today + datetime.timedelta(days=10 + i % 200)
        paid = i % 10 < 7
        items.append(
            {
                "source": SOURCE,
                "number": f"BA-{i:07d}",
                "customer": customer_ids[i % len(customer_ids)],
                "product": f"{destinations[i % len(destinations)]}五日游",
                "destination_name": destinations[i % len(destinations)],
                "trip_type": "domestic",
                "start_date": start.isoformat(),
                "end_date": (start + datetime.timedelta(days=4)).isoformat(),
                "head_count": 1 + i % 4,
                "amount": f"{1000 + (i * 37) % 30000}.00",
                "cost": f"{800 + (i * 29) % 20000}.00",
                "payment_due_date": (today - datetime.timedelta(days=3)).isoformat(),
                "paid_date": (today - datetime.timedelta(days=1)).isoformat() if paid else None,
                "status": "paid" if paid else "booked",
            }
        )
    return [{k: v for k, v in item.items() if v is not None} for item in items]


def _bare_rows(items, *, destination_ids: dict[str, int], created_by: int):
    now = datetime.datetime.now(datetime.UTC)
    rows = []
    for item in items:
        rows.append(
            (
                item["customer"],
                item["product"],
                destination_ids[item["destination_name"]],
                item["trip_type"],
                item["start_date"],
                item["end_date"],
                item["head_count"],
                Decimal(item["amount"]),
                Decimal(item["cost"]),
                item.get("payment_due_date"),
                item.get("paid_date"),
                Decimal("0"),
                item["status"],
                BARE_SOURCE,
                item["number"],
                created_by,
                now,
            )
        )
    return rows


BARE_INSERT = """INSERT INTO customers_booking (customer_id, product, destination_id,
    trip_type, start_date, end_date, head_count, amount, cost, payment_due_date, paid_date,
    refunded_amount, status, source, source_number, created_by_id, created_at)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"""


def _cleanup(connection) -> None:
    """Remove what the sync and the baseline wrote (bulk SQL; the ledger is append-only
    through the ORM, not for a benchmark's scratch rows)."""
    with connection.cursor() as cursor:
        ids = f"SELECT id FROM customers_booking WHERE source IN ('{SOURCE}', '{BARE_SOURCE}')"
        cursor.execute(f"SELECT id FROM customers_booking WHERE source = '{SOURCE}'")
        synced = [row[0] for row in cursor.fetchall()]
        if synced:
            cursor.execute(
                "UPDATE loyalty_card c SET balance = c.balance - e.total FROM ("
                "  SELECT card_id, SUM(points) AS total FROM loyalty_ledgerentry"
                f"  WHERE booking_id IN ({ids}) GROUP BY card_id) e WHERE e.card_id = c.id"
            )
            cursor.execute(f"DELETE FROM loyalty_ledgerentry WHERE booking_id IN ({ids})")
            cursor.execute(
                "DELETE FROM customers_auditentry WHERE object_type = 'booking' AND object_id "
                f"IN (SELECT id::text FROM customers_booking WHERE source = '{SOURCE}')"
            )
            cursor.execute(f"DELETE FROM customers_historicalbooking WHERE source = '{SOURCE}'")
        cursor.execute(
            f"DELETE FROM customers_booking WHERE source IN ('{SOURCE}', '{BARE_SOURCE}')"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bookings", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--skip-sync", action="store_true")
    parser.add_argument("--skip-reads", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from api.services import token_create
    from bench.scale import MARK, load_scale_data
    from customers.models import CustodyPolicy, Customer, Destination

    if connection.vendor != "postgresql":
        sys.exit("bench/api.py needs PostgreSQL: set DATABASE_URL")
    data = load_scale_data(
        customers=args.customers,
        bookings_per_customer=1,
        contacts_per_customer=0,
        today=timezone.localdate(),
    )
    policy = CustodyPolicy.current()
    policy.export_row_limit = 10**9  # the guard runs on every request; it never refuses here
    policy.save()
    User = get_user_model()
    manager, _ = User.objects.get_or_create(
        username="bench-api-manager", defaults={"full_name": "Bench API manager"}
    )
    manager.groups.add(Group.objects.get(name="manager"))
    rep = User.objects.get(pk=data.big_rep_id)

    def client_for(user) -> Client:
        token = token_create(
            actor=user, user=user, name="bench", scopes=["customers:read", "bookings:read",
                                                          "bookings:write"], days=1
        ).plaintext  # fmt: skip
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")

    _cleanup(connection)
    if not args.skip_sync:
        customer_ids = list(
            Customer.objects.filter(owner_id=data.big_rep_id, name__startswith=MARK)
            .order_by("pk")
            .values_list("pk", flat=True)[:2000]
        )
        destinations = list(Destination.objects.values_list("name", "pk"))
        names = [name for name, _pk in destinations]
        api = client_for(manager)
        today = timezone.localdate()
        items = _items(
            count=args.bookings,
            offset=0,
            customer_ids=customer_ids,
            destinations=names,
            today=today,
        )
        print(f"sync: {args.bookings:,} new bookings (70% paid) through POST "
              f"/api/v1/bookings/batch, {args.batch} a request …", flush=True)  # fmt: skip
        started = time.perf_counter()
        created = 0
        for first in range(0, len(items), args.batch):
            response = api.post(
                "/api/v1/bookings/batch",
                {"bookings": items[first : first + args.batch]},
                content_type="application/json",
            )
            if response.status_code != 200:
                sys.exit(f"batch answered {response.status_code}: {response.content[:500]!r}")
            created += response.json()["summary"]["created"]
        api_seconds = time.perf_counter() - started
        if created != args.bookings:
            sys.exit(f"only {created} of {args.bookings} bookings were created")

        rows = _bare_rows(items, destination_ids=dict(destinations), created_by=manager.pk)
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(BARE_INSERT, rows)
        bare_seconds = time.perf_counter() - started

        # Where the time goes: one more batch, counting statements, and the points earn
        # (the bookings_saved_many receiver, run on commit) timed on its own.
        import loyalty.services.earning as ledger

        points_time = [0.0]
        original = ledger.points_earn_many

        def timed_points(**kwargs):
            began = time.perf_counter()
            try:
                return original(**kwargs)
            finally:
                points_time[0] += time.perf_counter() - began

        ledger.points_earn_many = timed_points
        counter = QueryCounter()
        extra = _items(
            count=args.batch,
            offset=args.bookings,
            customer_ids=customer_ids,
            destinations=names,
            today=today,
        )
        with connection.execute_wrapper(counter):
            began = time.perf_counter()
            api.post("/api/v1/bookings/batch", {"bookings": extra}, content_type="application/json")
            batch_seconds = time.perf_counter() - began
        ledger.points_earn_many = original

        api_rate, bare_rate = args.bookings / api_seconds, args.bookings / bare_seconds
        print(f"  API batch sync:         {api_seconds:7.2f} s  {api_rate:9,.0f} bookings/s")
        print(f"  bare executemany INSERT:{bare_seconds:7.2f} s  {bare_rate:9,.0f} bookings/s")
        print(f"  ratio: {api_seconds / bare_seconds:.1f}× the bare INSERT (goal ≤ 5×)")
        print(f"  one more batch of {args.batch}: {batch_seconds:.2f} s, "
              f"{counter.count} statements for the batch ({counter.count / args.batch:.2f} per "
              f"booking; the bare INSERT: 1 per row); the points earned after the commit "
              f"{points_time[0] / batch_seconds:.0%} of the time")  # fmt: skip
        _cleanup(connection)

    if not args.skip_reads:
        customer = Customer.objects.filter(owner_id=data.big_rep_id).order_by("pk").first()
        print(f"reads at {Customer.objects.count():,} customers, median of {args.rounds} "
              "(server time, Django test client in process):", flush=True)  # fmt: skip
        for who, user in (("manager (all customers)", manager), ("busiest rep (5,000)", rep)):
            api = client_for(user)
            deep = "/api/v1/customers?page_size=50"
            for _ in range(20):  # a cursor 20 pages in
                deep = api.get(deep).json()["next"].replace("http://testserver", "")
            for label, url in (
                ("customer list, first page of 50", "/api/v1/customers?page_size=50"),
                ("customer list, 21st page (cursor)", deep),
                ("customer detail", f"/api/v1/customers/{customer.pk}"),
                ("bookings list, first page of 50", "/api/v1/bookings?page_size=50"),
            ):
                times, counter = [], QueryCounter()
                api.get(url)  # warm
                for _ in range(args.rounds):
                    with connection.execute_wrapper(counter):
                        began = time.perf_counter()
                        response = api.get(url)
                        times.append(time.perf_counter() - began)
                    if response.status_code != 200:
                        sys.exit(f"{url} answered {response.status_code}")
                print(f"  {who:24} {label:36} {_median_ms(times):7.1f} ms  "
                      f"{counter.count // args.rounds} queries")  # fmt: skip


if __name__ == "__main__":
    main()
