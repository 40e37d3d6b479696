"""Benchmark what webhooks add to the changes that cause them, and how fast they go out.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch \
        .venv/bin/python bench/webhooks.py [--customers 300] [--grades 2000] [--send 500]

Needs a migrated PostgreSQL database (a scratch copy). Everything runs in one transaction
that is rolled back at the end, so nothing is left behind. Prints, each with and without
an endpoint listening:
- `customer_create` (the form's service), per customer;
- the committee approving `--grades` grade changes at once (`proposals_decide`);
- the outbox write of `--grades` events against a bare multi-row INSERT (psycopg2
  `execute_values`, 500 rows a statement, the bodies serialised the same way) of the
  same rows into the same table (ratio);
and the sweep sending `--send` deliveries one by one to a receiver on 127.0.0.1
(deliveries/s; the HTTP round trip, signing and the two UPDATEs per delivery).
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
os.environ["WEBHOOKS_ALLOW_HTTP_LOOPBACK"] = "1"
os.environ["WEBHOOKS_SEND_ON_COMMIT"] = "0"


class Rollback(Exception):
    pass


RECEIVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def receiver() -> tuple[subprocess.Popen, int]:
    """A receiver in its own process (in this one it would share our GIL)."""
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE, text=True
    )
    return process, int(process.stdout.readline())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--grades", type=int, default=2000)
    parser.add_argument("--send", type=int, default=500)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from psycopg2.extras import execute_values

    from accounts.models import User
    from customers.models import Booking, Customer, CustomerKind, Destination
    from customers.services import customer_create
    from customers.validators import id_number_check_char
    from tiers.services import half_yearly_review, proposals_decide
    from webhooks.models import Delivery, Endpoint, WebhookEvent
    from webhooks.services import deliveries_send_due, listeners_forget, outbox_write
    from webhooks.services.outbox import body_dumps

    if connection.vendor != "postgresql":
        print("bench/webhooks.py measures PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2

    def id_number(n: int) -> str:
        born = datetime.date(1980, 1, 1) + datetime.timedelta(days=n % 9000)
        first17 = f"110105{born:%Y%m%d}{n % 1000:03d}"
        return first17 + id_number_check_char(first17)

    server, port = receiver()
    url = f"http://127.0.0.1:{port}/hook"
    try:
        with transaction.atomic():
            manager = User.objects.create(username=f"bench-wh-{uuid.uuid4().hex[:8]}")
            manager.groups.add(Group.objects.get(name="manager"))
            manager.is_superuser = True

            # 1. customer_create, per customer, without and with a listener.
            def create_many(offset: int) -> float:
                started = time.perf_counter()
                for n in range(offset, offset + args.customers):
                    customer_create(
                        actor=manager,
                        customer=Customer(
                            kind=CustomerKind.INDIVIDUAL,
                            name=f"bench-wh-{n}",
                            id_number=id_number(n),
                            mobile=f"13{n:09d}"[:11],
                        ),
                    )
                return (time.perf_counter() - started) / args.customers * 1000

            listeners_forget()
            quiet = create_many(0)
            endpoint = Endpoint.objects.create(
                name="bench",
                url=url,
                events=[e.value for e in WebhookEvent if e != WebhookEvent.PING],
                secret="whsec_bench",  # noqa: S106 (a throwaway receiver's)
                created_by=manager,
                secret_created_at=datetime.datetime.now(tz=datetime.UTC),
            )
            listeners_forget()
            heard = create_many(args.customers)
            print(
                f"customer_create: {quiet:.2f} ms each with no endpoint, {heard:.2f} ms with "
                f"one listening ({heard / quiet:.2f}×), {args.customers} customers each"
            )

            # 2. The committee approving --grades grade changes at once.
            destination, _ = Destination.objects.get_or_create(name="bench-三亚")
            paid = datetime.date(2026, 6, 1)

            def graded_batch(tag: str):
                customers = Customer.objects.bulk_create(
                    [
                        Customer(
                            kind=CustomerKind.INDIVIDUAL,
                            name=f"bench-wh-{tag}-{n}",
                            name_normalised=f"bench-wh-{tag}-{n}",
                            owner=manager,
                        )
                        for n in range(args.grades)
                    ],
                    batch_size=1000,
                )
                Booking.objects.bulk_create(
                    [
                        Booking(
                            customer=c,
                            product="bench",
                            destination=destination,
                            trip_type="domestic",
                            start_date=paid,
                            end_date=paid,
                            amount=Decimal("60000"),
                            cost=Decimal("50000"),
                            paid_date=paid,
                            status="paid",
                            created_by=manager,
                        )
                        for c in customers
                    ],
                    batch_size=1000,
                )

            graded_batch("a")
            evaluation = half_yearly_review(today=datetime.date(2027, 1, 1))

            def decide(listening: bool) -> tuple[float, int, int]:
                Endpoint.objects.filter(pk=endpoint.pk).update(is_active=listening)
                listeners_forget()
                before = Delivery.objects.count()
                with transaction.atomic():
                    started = time.perf_counter()
                    count = proposals_decide(
                        actor=manager,
                        evaluation=evaluation,
                        proposals=evaluation.proposals.all(),
                        send_email=False,
                    )
                    took = time.perf_counter() - started
                    written = Delivery.objects.count() - before
                    transaction.set_rollback(True)  # the same proposals, decided again
                return took, count, written

            quiet, decided, none = decide(False)
            heard, _decided, written = decide(True)
            if none:
                raise SystemExit("deliveries written with no endpoint listening")
            print(
                f"proposals_decide of {decided} grade changes: {quiet:.2f} s with no endpoint, "
                f"{heard:.2f} s with one listening ({written} grade.changed deliveries written, "
                f"{heard / quiet:.2f}×)"
            )

            # 3. The outbox write against a bare executemany INSERT of the same rows.
            items = [{"customer": {"id": n, "name": f"c{n}"}} for n in range(args.grades)]
            ours, bare = [], []
            now = datetime.datetime.now(tz=datetime.UTC)
            columns = (
                "id, endpoint_id, event, event_id, body, status, attempts, next_attempt_at, "
                "last_error, created_at"
            )
            for _run in range(3):
                with transaction.atomic():
                    started = time.perf_counter()
                    outbox_write(event="customer.created", items=items, endpoints=[endpoint])
                    ours.append(time.perf_counter() - started)
                    transaction.set_rollback(True)
                with transaction.atomic():
                    started = time.perf_counter()
                    rows = []
                    for data in items:
                        event_id = uuid.uuid4()
                        body = body_dumps(
                            event="customer.created", event_id=event_id, occurred_at=now, data=data
                        )
                        rows.append(
                            (uuid.uuid4(), endpoint.pk, "customer.created", event_id, body,
                             "pending", 0, now, "", now)
                        )  # fmt: skip
                    with connection.cursor() as cursor:
                        execute_values(
                            cursor.cursor,
                            f"INSERT INTO webhooks_delivery ({columns}) VALUES %s",
                            rows,
                            page_size=500,
                        )
                    bare.append(time.perf_counter() - started)
                    transaction.set_rollback(True)
            ours_m, bare_m = statistics.median(ours), statistics.median(bare)
            print(
                f"outbox_write of {args.grades} events: {ours_m * 1000:.0f} ms, bare multi-row "
                f"INSERT of the same rows {bare_m * 1000:.0f} ms ({ours_m / bare_m:.2f}×)"
            )

            # 4. Sending: the sweep to a receiver on 127.0.0.1.
            Delivery.objects.all().delete()
            outbox_write(
                event="ping", items=[{"n": n} for n in range(args.send)], endpoints=[endpoint]
            )
            started = time.perf_counter()
            sent = 0
            while sent < args.send:
                result = deliveries_send_due(limit=args.send, time_budget_seconds=600)
                if not result.attempted:
                    break
                sent += result.delivered
            took = time.perf_counter() - started
            print(f"sweep: {sent} deliveries in {took:.2f} s ({sent / took:.0f}/s, one worker)")
            raise Rollback
    except Rollback:
        pass
    finally:
        server.terminate()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
