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
   `--ops` others earned by bare psycopg2 transactions doing the same work with the same
   clients: lock the booking (with the grade now) and the card; under the card's lock,
   in one read, whether the booking has earned, the lots due to expire, the 12-month
   net paid spend up to the paid date and up to today and the grade on the paid date;
   the rate and the card's level by the same rules; insert the entry, move the balance
   and level (5 statements). The ratio of throughputs (goal ≥ 1/3), the statements per
   earn (counted on 50 more), and a check: 50 other bookings (one in 20, so many
   customers and levels) earned by the service in a transaction rolled back and then
   by the bare one must give the same entry (points, level, rate, expiry) and card
   (balance, level);
3. redeem: `--ops` redemptions of a 100-point reward through `redemption_create`, the
   clients working on different cards; the same number by bare transactions doing the
   same work (lock the card and read the reward, read its open lots — due ones expire,
   the others are drawn on, oldest expiry first — insert the redemption, its entries,
   move the lots, the balance, insert the audit row with the customer and its detail:
   7 statements, as the service), the ratio, and the statements per redemption;
4. reconciliation: `ledger_reconcile()` (every card's balance = its entries' sum, every
   lot's remaining = its points + draws) against the bare
   `SELECT card_id, SUM(points) FROM loyalty_ledgerentry GROUP BY card_id`, median of
   `--runs`, and the ratio;
5. liability: `points_liability_refresh()` (the stored liability summed again and
   swapped in) against the bare SELECT doing the same aggregation in one pass
   (BARE_LIABILITY_SQL, GROUPING SETS) and against the live two-scan
   `points_liability` the page used to run, median of `--runs`; the refresh should
   cost little more than the bare query.
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

# The liability's rows (level or month, cards, points) by hand, one pass over the open lots.
BARE_LIABILITY_SQL = """
SELECT COALESCE(c.level, ''), g.month, COUNT(c.id), SUM(g.points)
FROM (SELECT card_id, date_trunc('month', expires_on::timestamp)::date AS month,
             SUM(remaining) AS points, GROUPING(card_id) AS of_month
      FROM loyalty_ledgerentry WHERE remaining > 0 AND expires_on > %(today)s
      GROUP BY GROUPING SETS ((card_id), (date_trunc('month', expires_on::timestamp)::date))) g
LEFT JOIN loyalty_card c ON g.of_month = 0 AND c.id = g.card_id
GROUP BY c.level, g.month
"""


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


CHECK_STRIDE = 20


class _Counting:
    """A psycopg2 cursor that counts the statements it runs."""

    def __init__(self, cursor):
        self.cursor, self.count = cursor, 0

    def execute(self, *args):
        self.count += 1
        return self.cursor.execute(*args)

    def __getattr__(self, name):
        return getattr(self.cursor, name)


def bare_statements_per(work: list, transaction_body) -> float:
    """Statements per bare transaction, counted over `work` on one connection."""
    import psycopg2
    from django.db import connection

    bare = psycopg2.connect(**connection.get_connection_params())
    count = 0
    try:
        for item in work:
            with bare, bare.cursor() as cursor:
                counting = _Counting(cursor)
                transaction_body(counting, item)
                count += counting.count
    finally:
        bare.close()
    return count / max(len(work), 1)


def earn_check(booking_ids: list, transaction_body, today):
    """Earn each booking through the service in a transaction that is rolled back, then
    by the bare transaction (committed); the entries (points, level, rate, expiry) and
    the card after (balance, level) must be equal. Returns the mismatches, the levels
    earned at, and the bare transaction's statements per earn."""
    from collections import Counter

    import psycopg2
    from django.db import connection, transaction

    from loyalty.models import Card, EntryKind, LedgerEntry
    from loyalty.services import booking_points_sync

    def outcome(pk):
        card_id, *entry = (
            LedgerEntry.objects.filter(booking_id=pk, kind=EntryKind.EARN)
            .values_list("card_id", "points", "level", "earn_rate", "expires_on")
            .get()
        )
        return (*entry, *Card.objects.values_list("balance", "level").get(pk=card_id))

    mismatches, levels, statements = [], Counter(), 0
    bare = psycopg2.connect(**connection.get_connection_params())
    try:
        for pk in booking_ids:
            with transaction.atomic():
                booking_points_sync(booking_id=pk, today=today)
                by_service = outcome(pk)
                transaction.set_rollback(True)
            with bare, bare.cursor() as cursor:
                counting = _Counting(cursor)
                transaction_body(counting, pk)
                statements += counting.count
            by_bare = outcome(pk)
            levels[by_service[1]] += 1
            if by_bare != by_service:
                mismatches.append((pk, by_service, by_bare))
    finally:
        bare.close()
    return mismatches, levels, statements / max(len(booking_ids), 1)


def _rules(rulebooks) -> list[tuple]:
    """The published rulebooks as plain tuples, latest effective first: (id,
    effective_from, validity_months, levels lowest first as (code, rate, grade_at_least,
    spend_at_least)). Read once per process, as the service caches them."""
    from loyalty.selectors import rulebook_levels

    return [
        (
            rulebook.pk,
            rulebook.effective_from,
            rulebook.validity_months,
            [
                (level.code, level.earn_rate, level.grade_at_least, level.spend_at_least)
                for level in rulebook_levels(rulebook)
            ],
        )
        for rulebook in rulebooks
    ]


def _level(levels: list[tuple], grade: str, spend) -> tuple:
    """The highest level whose rule the customer meets (`CardLevel.admits`)."""
    from loyalty.models import GRADE_RANK

    chosen = levels[0]
    for level in levels:
        _code, _rate, grade_at_least, spend_at_least = level
        if (
            (not grade_at_least and spend_at_least is None)
            or (grade_at_least and GRADE_RANK[grade or ""] >= GRADE_RANK[grade_at_least])
            or (spend_at_least is not None and spend >= spend_at_least)
        ):
            chosen = level
    return chosen


RULEBOOK_KEY = (
    "(SELECT MAX(version) FROM loyalty_rulebook), (SELECT MAX(published_at) FROM loyalty_rulebook)"
)

BARE_EARN_READ = """
SELECT EXISTS (SELECT 1 FROM loyalty_ledgerentry WHERE booking_id = %(booking)s AND kind = 'earn'),
       ARRAY(SELECT ARRAY[id, remaining::bigint, rulebook_id::bigint] FROM loyalty_ledgerentry
             WHERE card_id = %(card)s AND remaining > 0 AND expires_on <= %(today)s ORDER BY id),
       COALESCE(SUM(net) FILTER (WHERE paid_date >= %(then_from)s AND paid_date <= %(paid)s), 0),
       COALESCE(SUM(net) FILTER (WHERE paid_date >= %(now_from)s), 0),
       COALESCE(
           (SELECT grade FROM customers_historicalcustomer WHERE id = %(customer)s
            AND history_date < %(end)s ORDER BY history_date DESC, history_id DESC LIMIT 1),
           (SELECT grade FROM customers_historicalcustomer WHERE id = %(customer)s
            ORDER BY history_date, history_id LIMIT 1))
FROM (SELECT amount - refunded_amount AS net, paid_date FROM customers_booking
      WHERE customer_id = %(customer)s AND status IN %(paid_statuses)s
      AND paid_date >= %(from)s AND paid_date <= %(today)s) AS spend
"""  # fmt: skip

ENTRY_COLUMNS = (
    "card_id, kind, points, occurred_on, created_at, booking_id, lot_id, redemption_id, "
    "rulebook_id, level, earn_rate, expires_on, remaining, reason"
)
ENTRY_ROW = "(%s, %s, %s, %s, now(), %s, %s, %s, %s, %s, %s, %s, %s, '')"


def bare_earn(rulebooks, today, paid_statuses):
    """A booking's first earn as a hand-written transaction does it, the same work as
    `booking_points_sync`: lock the booking (with the customer's grade now and the
    rulebooks' key) and then the card; under the card's lock, in one statement, whether
    the booking has earned, the card's lots due to expire, the customer's net paid spend
    of the 12 months up to the paid date and up to today, and their grade on the paid
    date; the rate and the card's level by the same rules; insert the entry (and the
    expiries), move the lots, the balance and the level. Five statements, six when lots
    expire."""
    from loyalty.selectors import twelve_months_before
    from loyalty.services.earning import _end_of_day
    from loyalty.services.ledger import lot_expiry, points_for

    rules = _rules(rulebooks)
    key = None

    def body(cursor, booking_id):
        nonlocal key
        cursor.execute(
            f"SELECT b.customer_id, b.status, b.paid_date, b.amount - b.refunded_amount, "
            f"c.grade, {RULEBOOK_KEY} FROM customers_booking b "
            "JOIN customers_customer c ON c.id = b.customer_id WHERE b.id = %s FOR UPDATE OF b",
            [booking_id],
        )
        customer_id, status, paid, net, grade_now, *booking_key = cursor.fetchone()
        if key is None:
            key = booking_key
        if booking_key != key:  # a rulebook published meanwhile: not during the bench
            raise RuntimeError("rulebooks changed during the bench")
        if status not in paid_statuses or paid is None or paid > today:
            return None
        cursor.execute(
            "SELECT id, balance FROM loyalty_card WHERE customer_id = %s FOR UPDATE",
            [customer_id],
        )
        card_id, _balance = cursor.fetchone()  # every bench customer has a card
        cursor.execute(
            BARE_EARN_READ,
            {
                "booking": booking_id,
                "card": card_id,
                "customer": customer_id,
                "today": today,
                "paid": paid,
                "then_from": twelve_months_before(paid),
                "now_from": twelve_months_before(today),
                "from": twelve_months_before(min(paid, today)),
                "end": _end_of_day(paid),
                "paid_statuses": tuple(paid_statuses),
            },
        )
        earned, due, spend_then, spend_now, grade_then = cursor.fetchone()
        if earned:
            return None
        in_force = [rule for rule in rules if rule[1] <= today]
        rule = next((rule for rule in in_force if rule[1] <= paid), None)
        if rule is None:  # paid before the programme began
            return None
        rulebook_id, _effective, validity, levels = rule
        code, rate, *_ = _level(levels, grade_then or grade_now, spend_then)
        points = points_for(net, rate)
        expires = lot_expiry(paid, validity)
        level_now = _level(in_force[0][3], grade_now, spend_now)[0]
        late = expires <= today and points  # earned already expired: a rare catch-up
        rows = [
            (card_id, "earn", points, paid, booking_id, None, None, rulebook_id, code, rate,
             expires, 0 if late else points)
        ]  # fmt: skip
        rows += [
            (card_id, "expire", -left, today, None, lot, None, lot_rulebook, "", None, None, None)
            for lot, left, lot_rulebook in due
        ]
        cursor.execute(
            f"INSERT INTO loyalty_ledgerentry ({ENTRY_COLUMNS}) VALUES "
            f"{', '.join([ENTRY_ROW] * len(rows))} RETURNING id",
            [value for row in rows for value in row],
        )
        moved = points - sum(left for _lot, left, _rulebook in due)
        if late:
            earn_id = cursor.fetchone()[0]
            cursor.execute(
                f"INSERT INTO loyalty_ledgerentry ({ENTRY_COLUMNS}) VALUES {ENTRY_ROW}",
                [card_id, "expire", -points, today, None, earn_id, None, rulebook_id, "",
                 None, None, None],
            )  # fmt: skip
            moved -= points
        if due:
            cursor.execute(
                "UPDATE loyalty_ledgerentry SET remaining = 0 WHERE id = ANY(%s)",
                [[lot for lot, _left, _rulebook in due]],
            )
        cursor.execute(
            "UPDATE loyalty_card SET balance = balance + %s, level = %s WHERE id = %s",
            [moved, level_now, card_id],
        )

    return body


def bare_redeem(reward_id: int, rulebooks, today):
    """A redemption as a hand-written transaction does it, the same work as
    `redemption_create`: lock the card with the reward read in the same statement (and
    the rulebooks' key), check the card, the reward and the balance; read the card's
    open lots (those past their validity expire, the others are drawn on, oldest expiry
    first); insert the redemption, its entries in one statement, move the lots in one,
    the balance, and write the audit row (with the customer and the same detail). Seven
    statements (nine for a reward with limited stock), as the service."""
    import json

    rules = _rules(rulebooks)
    in_force = next((rule[0] for rule in rules if rule[1] <= today), None)

    def body(cursor, card_id):
        cursor.execute(
            f"SELECT c.customer_id, c.balance, c.status, r.name, r.points_price, r.stock, "
            f"r.active, {RULEBOOK_KEY} FROM loyalty_card c "
            "LEFT JOIN loyalty_reward r ON r.id = %s WHERE c.id = %s FOR UPDATE OF c",
            [reward_id, card_id],
        )
        customer_id, balance, status, name, price, stock, active, *_key = cursor.fetchone()
        if stock is not None:
            cursor.execute("SELECT stock FROM loyalty_reward WHERE id = %s FOR UPDATE", [reward_id])
            stock = cursor.fetchone()[0]
        if status != "active" or not active or (stock is not None and stock <= 0):
            raise RuntimeError("refused")
        cursor.execute(
            "SELECT id, remaining, expires_on, rulebook_id FROM loyalty_ledgerentry "
            "WHERE card_id = %s AND remaining > 0 ORDER BY expires_on, id",
            [card_id],
        )
        lots = cursor.fetchall()
        due = sorted((lot, left, rb) for lot, left, expires, rb in lots if expires <= today)
        balance -= sum(left for _lot, left, _rb in due)
        if balance < price:
            raise RuntimeError("not enough points")
        cursor.execute(
            "INSERT INTO loyalty_redemption (card_id, reward_id, points, status, redeemed_at, "
            "cancel_reason, idempotency_key) VALUES (%s, %s, %s, 'redeemed', now(), '', '') "
            "RETURNING id",
            [card_id, reward_id, price],
        )
        redemption_id = cursor.fetchone()[0]
        rows = [
            (card_id, "expire", -left, today, None, lot, None, rulebook, "", None, None, None)
            for lot, left, rulebook in due
        ]
        moved, left = dict.fromkeys((lot for lot, _left, _rb in due), 0), price
        for lot, remaining, expires, _rb in lots:  # oldest expiry first
            if not left:
                break
            if expires <= today:
                continue
            take = min(remaining, left)
            left -= take
            moved[lot] = remaining - take
            rows.append(
                (card_id, "redeem", -take, today, None, lot, redemption_id, in_force, "",
                 None, None, None)
            )  # fmt: skip
        cursor.execute(
            f"INSERT INTO loyalty_ledgerentry ({ENTRY_COLUMNS}) VALUES "
            f"{', '.join([ENTRY_ROW] * len(rows))}",
            [value for row in rows for value in row],
        )
        cursor.execute(
            "UPDATE loyalty_ledgerentry SET remaining = v.column2 FROM (VALUES "
            f"{', '.join(['(%s, %s)'] * len(moved))}) AS v "
            "WHERE loyalty_ledgerentry.id = v.column1",
            [value for pair in moved.items() for value in pair],
        )
        balance -= price
        cursor.execute("UPDATE loyalty_card SET balance = %s WHERE id = %s", [balance, card_id])
        if stock is not None:
            cursor.execute("UPDATE loyalty_reward SET stock = stock - 1 WHERE id = %s", [reward_id])
        cursor.execute(
            "INSERT INTO customers_auditentry (at, action, object_type, object_id, object_repr, "
            "customer_id, detail) VALUES (now(), 'create', 'loyalty_redemption', %s, %s, %s, %s)",
            [str(redemption_id), f"Redemption object ({redemption_id})", customer_id,
             json.dumps({"reward": name, "points": price, "balance": balance})],
        )  # fmt: skip

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

    pool = list(
        Booking.objects.filter(
            status__in=PAID_STATUSES,
            paid_date__gte=rulebook.effective_from,
            paid_date__lte=today,
            customer__name__startswith="BENCH",
        )
        .order_by("pk")
        .values_list("pk", flat=True)[: 2 * args.ops + SAMPLE + CHECK_STRIDE * SAMPLE]
    )
    # Four sets of paid bookings: earned through the service, by the bare transaction,
    # a few counted statement by statement, and a few (one in CHECK_STRIDE, so many
    # customers and grades) earned by both to check they give the same points.
    earn_ids, bare_ids, counted_ids, check_ids = (
        pool[: args.ops],
        pool[args.ops : 2 * args.ops],
        pool[2 * args.ops : 2 * args.ops + SAMPLE],
        pool[2 * args.ops + SAMPLE :: CHECK_STRIDE][:SAMPLE],
    )
    rulebooks = list(Rulebook.objects.order_by("-effective_from").prefetch_related("levels"))
    earn_body = bare_earn(rulebooks, today, PAID_STATUSES)
    earn_tps = run_clients(
        args.clients, earn_ids, lambda pk: booking_points_sync(booking_id=pk, today=today)
    )
    bare_earn_tps = run_bare(args.clients, bare_ids, earn_body)
    earn_queries = queries_per(
        counted_ids, lambda pk: booking_points_sync(booking_id=pk, today=today)
    )
    mismatches, levels, bare_earn_queries = earn_check(check_ids, earn_body, today)
    print(f"earn:   {len(earn_ids):,} bookings, {args.clients} clients: {earn_tps.tps:,.0f} tx/s "
          f"({earn_tps.cpu_ms:.1f} ms client CPU each), {earn_queries:.1f} statements per earn; "
          f"bare psycopg transaction (lock the booking and the card; under the card's lock "
          f"whether it has earned, the lots due, the 12-month spend and the grade on the "
          f"paid date in one read; insert the entry, move the balance and level: "
          f"{bare_earn_queries:.1f} statements) {bare_earn_tps.tps:,.0f} tx/s "
          f"({bare_earn_tps.cpu_ms:.1f} ms client CPU each); "
          f"ratio {earn_tps.tps / bare_earn_tps.tps:.2f} (goal ≥ 0.33)")  # fmt: skip
    seen = ", ".join(f"{code} {count}" for code, count in sorted(levels.items()))
    if mismatches:
        print(f"earn check FAILED: bare ≠ service on {len(mismatches)} of {len(check_ids)} "
              f"bookings, first (id, service, bare): {mismatches[:3]}")  # fmt: skip
        return 1
    print(f"earn check: bare = service on all {len(check_ids)} bookings earned by both (points, "
          f"level, rate, expiry; card balance and level after); levels earned: {seen}")  # fmt: skip

    reward = Reward.objects.create(name="bench voucher", kind=RewardKind.VOUCHER, points_price=100)
    per_side = max(args.ops // 5, args.clients)
    card_ids = list(
        LedgerEntry.objects.values_list("card_id", flat=True)
        .distinct()
        .order_by("card_id")[: 2 * per_side]
    )
    # The service and the bare transactions redeem on different cards, five times
    # each (and once more for the counts), so a small ledger (--entries 10 a card)
    # holds enough points for both.
    card_ids, bare_card_ids = card_ids[:per_side], card_ids[per_side:]
    work = [card_ids[index % len(card_ids)] for index in range(args.ops)]
    bare_work = [bare_card_ids[index % len(bare_card_ids)] for index in range(args.ops)]

    # Item i goes to client i % clients and card i % len(card_ids); with len(card_ids) a
    # multiple of the clients, each card's redemptions all go to one client.
    def redeem(card_id):
        redemption_create(actor=None, card_id=card_id, reward_id=reward.pk, today=today)

    redeem_body = bare_redeem(reward.pk, rulebooks, today)
    redeem_tps = run_clients(args.clients, work, redeem)
    bare_redeem_tps = run_bare(args.clients, bare_work, redeem_body)
    redeem_queries = queries_per(work[:SAMPLE], redeem)
    bare_redeem_queries = bare_statements_per(bare_work[:SAMPLE], redeem_body)
    print(f"redeem: {len(work):,} redemptions, {args.clients} clients: {redeem_tps.tps:,.0f} "
          f"tx/s ({redeem_tps.cpu_ms:.1f} ms client CPU each), {redeem_queries:.1f} statements "
          f"per redemption; bare psycopg transaction (lock the card and read the reward, read "
          f"its open lots, insert the redemption, its entries, move the lots and the balance, "
          f"insert the audit row: {bare_redeem_queries:.1f} statements) "
          f"{bare_redeem_tps.tps:,.0f} tx/s ({bare_redeem_tps.cpu_ms:.1f} ms client CPU each); "
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
    print(liability_vs_bare(runs=args.runs))
    return 0


def liability_vs_bare(*, runs: int) -> str:
    """Step 5 (callable on any bench database with cards and lots): the liability's
    refresh, the bare one-pass SELECT and the live two-scan sum, interleaved."""
    from django.db import connection
    from django.utils import timezone

    from loyalty.liability import points_liability, points_liability_stored
    from loyalty.services import points_liability_refresh

    today = timezone.localdate()
    refresh_times, bare_times, live_times = [], [], []
    for _ in range(runs):
        refresh_times.append(timed(points_liability_refresh))
        with connection.cursor() as cursor:
            bare_times.append(
                timed(
                    lambda c=cursor: (c.execute(BARE_LIABILITY_SQL, {"today": today}), c.fetchall())
                )
            )
        live_times.append(timed(lambda: points_liability(today=today)))
    stored, live = points_liability_stored(today=today), points_liability(today=today)
    same = (stored.by_level, stored.by_month) == (live.by_level, live.by_month)
    refresh, bare, live_s = (statistics.median(t) for t in (refresh_times, bare_times, live_times))
    return (
        f"liability ({stored.total_points:,} points outstanding, stored "
        f"{'=' if same else '≠ (FAILED)'} live): refresh {refresh:.2f} s; bare one-pass "
        f"SELECT {bare:.2f} s; ratio {refresh / bare:.2f}x; live two-scan sum (the page "
        f"before) {live_s:.2f} s (median of {runs})"
    )


if __name__ == "__main__":
    raise SystemExit(main())
