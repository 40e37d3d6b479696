"""Benchmark the points ledger on PostgreSQL: earn and redeem throughput with concurrent
clients, and the reconciliation of a million ledger entries against a bare GROUP BY.

    createdb -h 127.0.0.1 -U postgres bench_loyalty
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_loyalty .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_loyalty \
        .venv/bin/python bench/loyalty.py [--entries 1000000] [--customers 20000] [--clients 8] \
        [--ops 4000]

Uses its own database (it empties the loyalty ledger tables first). Customers and
bookings come from `bench.scale.load_scale_data` (`--customers`, 5 bookings each; 20,000
by default, i.e. 50 ledger entries a card for a million entries; scale.py takes far more
customers since its dates are computed in 64 bits). Then:

1. ledger: a card per customer with `--entries` spread over them: per card, four fifths
   earned lots of 100 points and one fifth redemptions drawing 50 on the oldest lots,
   written with INSERT … SELECT generate_series; balances and lots' remaining points set
   to match;
2. earn: `--ops` paid bookings (paid since the programme began) earned through
   `booking_points_sync` by `--clients` threads, each with its own connection; then
   `--ops` others earned by bare psycopg2 transactions doing the same row changes (lock
   the card, insert the earn entry, move the balance and level) with the same clients,
   the ratio of throughputs (goal ≥ 1/3), and the statements per earn (counted on 50
   more);
3. redeem: `--ops` redemptions of a 100-point reward through `redemption_create`, the
   clients working on different cards; the same number by bare transactions (lock the
   card, read its lots, insert the redemption, its entry and an audit row, move the lot
   and the balance), the ratio, and the statements per redemption;
4. reconciliation: `ledger_reconcile()` (every card's balance = its entries' sum, every
   lot's remaining = its points + draws) against the bare
   `SELECT card_id, SUM(points) FROM loyalty_ledgerentry GROUP BY card_id`, median of
   `--runs`, and the ratio.
"""

import argparse
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
# As in production: DEBUG's query log would add its cost to every ORM statement.
os.environ.setdefault("DEBUG", "0")

LEDGER_TABLES = [
    "loyalty_expirynotice",
    "loyalty_ledgerentry",
    "loyalty_redemption",
    "loyalty_card",
    "loyalty_annualreward",
    "loyalty_annualrewardrun",
    "loyalty_expiryrun",
]

CARDS_SQL = """
INSERT INTO loyalty_card (customer_id, level, status, balance, created_at)
SELECT id, 'standard', 'active', 0, now() FROM customers_customer
WHERE name LIKE 'BENCH%%' ORDER BY id LIMIT %(cards)s
"""

LOTS_SQL = """
INSERT INTO loyalty_ledgerentry (card_id, kind, points, occurred_on, created_at, level,
                                 earn_rate, expires_on, remaining, reason, rulebook_id)
SELECT c.id, 'earn', 100, %(start)s::date + (n * 7), now(), 'standard', 1.000,
       (%(start)s::date + (n * 7) + interval '24 months')::date, 100, '', %(rulebook)s
FROM loyalty_card c CROSS JOIN generate_series(1, %(lots)s) AS n
"""

DRAWS_SQL = """
WITH oldest AS (
    SELECT id, card_id, occurred_on,
           row_number() OVER (PARTITION BY card_id ORDER BY expires_on, id) AS rank
    FROM loyalty_ledgerentry WHERE kind = 'earn'
)
INSERT INTO loyalty_ledgerentry (card_id, kind, points, occurred_on, created_at, level,
                                 lot_id, reason, rulebook_id)
SELECT card_id, 'redeem', -50, occurred_on + 1, now(), '', id, '', %(rulebook)s
FROM oldest WHERE rank <= %(draws)s
"""

SETTLE_SQL = [
    """UPDATE loyalty_ledgerentry l SET remaining = l.points + d.total
       FROM (SELECT lot_id, SUM(points) AS total FROM loyalty_ledgerentry
             WHERE lot_id IS NOT NULL GROUP BY lot_id) d
       WHERE d.lot_id = l.id""",
    """UPDATE loyalty_card c SET balance = s.total
       FROM (SELECT card_id, SUM(points) AS total FROM loyalty_ledgerentry GROUP BY card_id) s
       WHERE s.card_id = c.id""",
]

BARE_SQL = "SELECT card_id, SUM(points) FROM loyalty_ledgerentry GROUP BY card_id"


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


@dataclass
class Rate:
    """Transactions per second, and this process's CPU time per transaction (all its
    threads: what a loaded machine changes least)."""

    tps: float
    cpu_ms: float


def _in_threads(clients: int, work: list, client, what: str) -> Rate:
    """`client(chunk, ready)` for `work` split across `clients` threads, each calling
    `ready()` once set up; the clock runs from when all are ready."""
    chunks = [work[index::clients] for index in range(clients)]
    errors = []
    barrier = threading.Barrier(clients + 1)

    def run(chunk):
        try:
            client(chunk, barrier.wait)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    barrier.wait()
    started, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if errors:
        raise SystemExit(f"{len(errors)} {what} error(s), first: {errors[0]!r}")
    return Rate(tps=len(work) / elapsed, cpu_ms=1000 * cpu / len(work))


def run_clients(clients: int, work: list, action) -> Rate:
    """Run `action(item)` over `work` split across `clients` threads, each with its own
    database connection; return transactions per second."""
    from django.db import connection

    def client(chunk, ready):
        try:
            ready()
            for item in chunk:
                action(item)
        finally:
            connection.close()

    return _in_threads(clients, work, client, "client")


SAMPLE = 50


def queries_per(work: list, action) -> float:
    """Statements per call of `action`, counted over `work` in this thread."""
    from django.db import connection

    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        for item in work:
            action(item)
    return count[0] / max(len(work), 1)


def run_bare(clients: int, work: list, transaction_body) -> Rate:
    """The same row changes as the service, by bare psycopg2 transactions (one
    connection per client, as `run_clients`): the floor for a points transaction."""
    import psycopg2
    from django.db import connection

    params = connection.get_connection_params()

    def client(chunk, ready):
        bare = psycopg2.connect(**params)
        try:
            ready()
            for item in chunk:
                with bare, bare.cursor() as cursor:  # one transaction, committed
                    transaction_body(cursor, item)
        finally:
            bare.close()

    return _in_threads(clients, work, client, "bare client")


def bare_earn(rulebook_id: int, today):
    def body(cursor, booking_id):
        cursor.execute(
            "SELECT customer_id, amount - refunded_amount, paid_date FROM customers_booking "
            "WHERE id = %s",
            [booking_id],
        )
        customer_id, net, paid = cursor.fetchone()
        cursor.execute(
            "SELECT id FROM loyalty_card WHERE customer_id = %s FOR UPDATE", [customer_id]
        )
        card_id = cursor.fetchone()[0]
        points = int(net)
        cursor.execute(
            "INSERT INTO loyalty_ledgerentry (card_id, kind, points, occurred_on, created_at, "
            "booking_id, rulebook_id, level, earn_rate, expires_on, remaining, reason) VALUES "
            "(%s, 'earn', %s, %s, now(), %s, %s, 'standard', 1.000, "
            "(%s::date + interval '25 months')::date, %s, '')",
            [card_id, points, paid, booking_id, rulebook_id, paid, points],
        )
        cursor.execute(
            "UPDATE loyalty_card SET balance = balance + %s, level = 'standard' WHERE id = %s",
            [points, card_id],
        )

    return body


def bare_redeem(reward_id: int, today):
    def body(cursor, card_id):
        cursor.execute("SELECT balance FROM loyalty_card WHERE id = %s FOR UPDATE", [card_id])
        cursor.execute(
            "SELECT id, remaining FROM loyalty_ledgerentry WHERE card_id = %s AND remaining > 0 "
            "ORDER BY expires_on, id",
            [card_id],
        )
        lots = cursor.fetchall()
        cursor.execute(
            "INSERT INTO loyalty_redemption (card_id, reward_id, points, status, redeemed_at, "
            "cancel_reason, idempotency_key) VALUES (%s, %s, 100, 'redeemed', now(), '', '') "
            "RETURNING id",
            [card_id, reward_id],
        )
        redemption_id = cursor.fetchone()[0]
        left = 100
        for lot_id, remaining in lots:  # oldest first, one entry per lot drawn on
            if not left:
                break
            take = min(remaining, left)
            left -= take
            cursor.execute(
                "INSERT INTO loyalty_ledgerentry (card_id, kind, points, occurred_on, "
                "created_at, redemption_id, lot_id, level, reason) VALUES "
                "(%s, 'redeem', %s, %s, now(), %s, %s, '', '')",
                [card_id, -take, today, redemption_id, lot_id],
            )
            cursor.execute(
                "UPDATE loyalty_ledgerentry SET remaining = remaining - %s WHERE id = %s",
                [take, lot_id],
            )
        cursor.execute("UPDATE loyalty_card SET balance = balance - 100 WHERE id = %s", [card_id])
        cursor.execute(
            "INSERT INTO customers_auditentry (at, action, object_type, object_id, "
            "object_repr, detail) VALUES (now(), 'create', 'loyalty_redemption', %s, '', '{}')",
            [str(redemption_id)],
        )

    return body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--ops", type=int, default=4000, help="earns and redemptions each")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from bench.scale import load_scale_data
    from customers.models import Booking
    from loyalty.models import LedgerEntry, Reward, RewardKind, Rulebook
    from loyalty.selectors import PAID_STATUSES, ledger_reconcile
    from loyalty.services import booking_points_sync, redemption_create

    if connection.vendor != "postgresql":
        print("bench/loyalty.py needs PostgreSQL (set DATABASE_URL)", file=sys.stderr)
        return 2
    today = timezone.localdate()
    cards = max(min(args.customers, args.entries // 2), args.clients)
    per_card = max(args.entries // cards, 2)
    draws = max(per_card // 5, 1)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(LEDGER_TABLES)} RESTART IDENTITY CASCADE")
        # The audit entries of earlier runs' redemptions point at the bench customers.
        cursor.execute("DELETE FROM customers_auditentry WHERE object_type LIKE 'loyalty%%'")
    load_scale_data(customers=cards, bookings_per_customer=5, contacts_per_customer=0, today=today)
    rulebook = Rulebook.objects.order_by("effective_from").first()

    params = {
        "cards": cards,
        "start": rulebook.effective_from,
        "rulebook": rulebook.pk,
        "lots": per_card - draws,
        "draws": draws,
    }
    with connection.cursor() as cursor:
        build = time.perf_counter()
        cursor.execute(CARDS_SQL, params)
        cursor.execute(LOTS_SQL, params)
        cursor.execute(DRAWS_SQL, params)
        for sql in SETTLE_SQL:
            cursor.execute(sql)
        cursor.execute("ANALYZE loyalty_card, loyalty_ledgerentry")
        build = time.perf_counter() - build
    total = LedgerEntry.objects.count()
    print(f"ledger: {cards:,} cards, {total:,} entries built set-based in {build:.1f} s")

    earn_ids = list(
        Booking.objects.filter(
            status__in=PAID_STATUSES,
            paid_date__gte=rulebook.effective_from,
            paid_date__lte=today,
            customer__name__startswith="BENCH",
        )
        .order_by("pk")
        .values_list("pk", flat=True)[: 2 * args.ops + SAMPLE]
    )
    # Three sets of paid bookings: earned through the service, by the bare transaction,
    # and a few counted statement by statement.
    earn_ids, bare_ids, counted_ids = (
        earn_ids[: args.ops],
        earn_ids[args.ops : 2 * args.ops],
        earn_ids[2 * args.ops : 2 * args.ops + SAMPLE],
    )
    earn_tps = run_clients(
        args.clients, earn_ids, lambda pk: booking_points_sync(booking_id=pk, today=today)
    )
    bare_earn_tps = run_bare(args.clients, bare_ids, bare_earn(rulebook.pk, today))
    earn_queries = queries_per(
        counted_ids, lambda pk: booking_points_sync(booking_id=pk, today=today)
    )
    print(f"earn:   {len(earn_ids):,} bookings, {args.clients} clients: {earn_tps.tps:,.0f} tx/s "
          f"({earn_tps.cpu_ms:.1f} ms client CPU each), {earn_queries:.1f} queries per earn; "
          f"bare psycopg transaction (read the booking, lock the card, insert the entry, move "
          f"the balance: 4 statements) {bare_earn_tps.tps:,.0f} tx/s "
          f"({bare_earn_tps.cpu_ms:.1f} ms client CPU each); "
          f"ratio {earn_tps.tps / bare_earn_tps.tps:.2f} (goal ≥ 0.33)")  # fmt: skip

    reward = Reward.objects.create(name="bench voucher", kind=RewardKind.VOUCHER, points_price=100)
    per_side = max(args.ops // 5, args.clients)
    card_ids = list(
        LedgerEntry.objects.values_list("card_id", flat=True)
        .distinct()
        .order_by("card_id")[: 2 * per_side]
    )
    # The service and the bare transactions redeem on different cards, five times
    # each, so a small ledger (--entries 10 a card) holds enough points for both.
    card_ids, bare_card_ids = card_ids[:per_side], card_ids[per_side:]
    work = [card_ids[index % len(card_ids)] for index in range(args.ops)]
    bare_work = [bare_card_ids[index % len(bare_card_ids)] for index in range(args.ops)]

    # Item i goes to client i % clients and card i % len(card_ids); with len(card_ids) a
    # multiple of the clients, each card's redemptions all go to one client.
    def redeem(card_id):
        redemption_create(actor=None, card_id=card_id, reward_id=reward.pk, today=today)

    redeem_tps = run_clients(args.clients, work, redeem)
    bare_redeem_tps = run_bare(args.clients, bare_work, bare_redeem(reward.pk, today))
    redeem_queries = queries_per(work[:SAMPLE], redeem)
    print(f"redeem: {len(work):,} redemptions, {args.clients} clients: {redeem_tps.tps:,.0f} "
          f"tx/s ({redeem_tps.cpu_ms:.1f} ms client CPU each), {redeem_queries:.1f} queries per "
          f"redemption; bare psycopg transaction (lock the card, read its lots, insert the "
          f"redemption, its entry and the audit row, move the lot and the balance: 7 "
          f"statements for one lot) {bare_redeem_tps.tps:,.0f} tx/s "
          f"({bare_redeem_tps.cpu_ms:.1f} ms client CPU each); "
          f"ratio {redeem_tps.tps / bare_redeem_tps.tps:.2f} (goal ≥ 0.33)")  # fmt: skip

    total = LedgerEntry.objects.count()
    reconcile_times, bare_times = [], []
    for _ in range(args.runs):
        result = None

        def reconcile():
            nonlocal result
            result = ledger_reconcile()

        reconcile_times.append(timed(reconcile))
        with connection.cursor() as cursor:
            bare_times.append(timed(lambda c=cursor: (c.execute(BARE_SQL), c.fetchall())))
        if not result.ok:
            print(
                f"reconciliation FAILED: {result.card_mismatches[:5]} {result.lot_mismatches[:5]}"
            )
            return 1
    job, bare = statistics.median(reconcile_times), statistics.median(bare_times)
    print(
        f"reconcile {total:,} entries ({result.cards_checked:,} cards, all balanced): "
        f"{job:.2f} s; bare GROUP BY {bare:.2f} s; ratio {job / bare:.1f}x (median of {args.runs})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
