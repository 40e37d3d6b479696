"""What a year of work leaves on top of bench/scale.py's customers, for the page
benchmarks (bench/pages.py, bench/load.py): staff who sign in, tier statistics and a
half-yearly review, points cards with open lots, an audit log, and (on request) a day's
follow-up plan.

    from bench.scale import load_scale_data
    from bench.scale_activity import load_activity
    data = load_scale_data(customers=1_000_000, today=today)
    staff = load_activity(data, today=today)

Each part is made once and found again on the next call (idempotent): the tier jobs
and the planning job claim their period and do nothing the second time; the cards and
the audit entries are recognised by their marks. The jobs are the real services, so
the tables look as they do after the nightly runs (with the statistics those leave).
PostgreSQL only, in a scratch database.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from bench.scale import MARK, ScaleData, _insert_select
from customers.models import AuditEntry, CustodyPolicy
from loyalty.models import Card, LedgerEntry

CARD_EVERY = 5  # one customer in five has a points card: 200,000 cards at 1M customers
LOTS_PER_CARD = 5  # 1,000,000 ledger entries at 1M customers
AUDIT_ENTRIES = 1_000_000
AUDIT_IP = "10.99.0.1"  # marks the bench's audit entries
AUDIT_OBJECT_TYPES = [
    "customer", "customer", "customer", "booking", "contactrecord", "customer_list",
    "loyalty_card", "sign_in", "servicerecord", "businessarchive",
]  # fmt: skip
MANAGER = "bench-manager"
CUSTODIAN = "bench-custodian"


@dataclass(frozen=True)
class Staff:
    manager_id: int
    custodian_id: int
    big_rep_id: int
    rep_ids: list[int]


def _say(verbose: bool, text: str) -> None:
    if verbose:
        print(text, flush=True)


def bench_staff(data: ScaleData) -> Staff:
    """A manager and a custodian (staff, so they reach the admin). Two-factor sign-in
    is off for the bench's scratch database, as in the tests: the benchmarks sign in
    with sessions made by the test client and measure pages, not the authenticator."""
    User = get_user_model()
    policy = CustodyPolicy.current()
    if policy.two_factor_roles:
        policy.two_factor_roles = []
        policy.save()
    ids = []
    for username, group in ((MANAGER, "manager"), (CUSTODIAN, "custodian")):
        user, created = User.objects.get_or_create(
            username=username, defaults={"full_name": username, "is_staff": True}
        )
        if created:
            user.groups.add(Group.objects.get(name=group))
        ids.append(user.pk)
    return Staff(
        manager_id=ids[0],
        custodian_id=ids[1],
        big_rep_id=data.big_rep_id,
        rep_ids=data.rep_ids,
    )


def _tiers(today: datetime.date, verbose: bool) -> None:
    from tiers.models import Evaluation
    from tiers.services import half_yearly_review

    if Evaluation.objects.exists():
        return
    _say(verbose, "activity: tier statistics and the half-yearly review …")
    half_yearly_review(today=today)  # runs last month's statistics first


def _followups(today: datetime.date, verbose: bool) -> None:
    from followups.models import PlanningRun
    from followups.services import planning_run

    if PlanningRun.objects.filter(run_date=today).exists():
        return
    _say(verbose, "activity: today's follow-up plan …")
    planning_run(today=today)


def _points(today: datetime.date, verbose: bool) -> None:
    if Card.objects.filter(customer__name__startswith=MARK).exists():
        return
    from loyalty.selectors import rulebook_in_force

    rulebook = rulebook_in_force(on=today)
    _say(verbose, "activity: points cards and lots …")
    with transaction.atomic():
        _insert_select(
            Card,
            {
                "customer_id": "c.id",
                "level": "(ARRAY['standard','standard','standard','silver','gold'])[1 + c.id % 5]",
                "status": "'active'",
                "balance": "0",
                "created_at": "now()",
            },
            f"customers_customer c WHERE c.name LIKE '{MARK}%' AND c.id % {CARD_EVERY} = 0",
        )
        # Lot k was earned k × 5 months ago and is valid 24 months: the oldest has expired
        # (still open until the expiry job runs), the others are outstanding.
        earned = "(%(today)s::date - k * 150)"
        _insert_select(
            LedgerEntry,
            {
                "card_id": "card.id",
                "kind": "'earn'",
                "points": "100 + (card.id + k) % 400",
                "occurred_on": earned,
                "level": "card.level",
                "earn_rate": "1.000",
                "expires_on": f"({earned} + interval '24 months')::date",
                "remaining": "100 + (card.id + k) % 400",
                "rulebook_id": "%(rulebook)s",
                "created_at": "now()",
            },
            f"loyalty_card card JOIN customers_customer c ON c.id = card.customer_id"
            f" CROSS JOIN generate_series(1, {LOTS_PER_CARD}) AS k"
            f" WHERE c.name LIKE '{MARK}%'",
            {"today": today, "rulebook": rulebook.pk if rulebook else None},
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE loyalty_card c SET balance = s.total FROM (SELECT card_id,"
                " SUM(points) AS total FROM loyalty_ledgerentry GROUP BY card_id) s"
                " WHERE s.card_id = c.id"
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE loyalty_card, loyalty_ledgerentry")


def _audit(data: ScaleData, staff: Staff, verbose: bool) -> None:
    if AuditEntry.objects.filter(ip_address=AUDIT_IP).exists():
        return
    _say(verbose, f"activity: {AUDIT_ENTRIES:,} audit entries …")
    actors = [*data.rep_ids, data.big_rep_id, staff.manager_id, data.lead_id]
    with connection.cursor() as cursor:
        # The bench customers numbered 0..n-1 in id order (their ids need not be
        # contiguous: a sequence keeps the values an aborted load drew).
        cursor.execute(f"SELECT COUNT(*) FROM customers_customer WHERE name LIKE '{MARK}%%'")
        (total,) = cursor.fetchone()
        cursor.execute(
            f"""
            INSERT INTO customers_auditentry (at, actor_id, action, object_type, object_id,
                object_repr, customer_id, ip_address, detail)
            SELECT %(now)s - make_interval(secs => g * 31), actors[(1 + g %% %(actor_count)s)::int],
                (ARRAY['view','view','view','change','export','create'])[(1 + g %% 6)::int],
                types[(1 + g %% %(type_count)s)::int], c.id::text, %(mark)s || c.id, c.id,
                %(ip)s, '{{}}'
            FROM generate_series(1::bigint, %(rows)s) AS g
            CROSS JOIN (SELECT %(actors)s::bigint[] AS actors, %(types)s::text[] AS types) AS k
            JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n
                  FROM customers_customer WHERE name LIKE '{MARK}%%') AS c
              ON c.n = g * 7919 %% %(total)s
            """,
            {
                "now": timezone.now(),
                "actors": actors,
                "actor_count": len(actors),
                "types": AUDIT_OBJECT_TYPES,
                "type_count": len(AUDIT_OBJECT_TYPES),
                "mark": f"{MARK} customer ",
                "ip": AUDIT_IP,
                "rows": AUDIT_ENTRIES,
                "total": total,
            },
        )
        cursor.execute("ANALYZE customers_auditentry")


def load_activity(
    data: ScaleData, *, today: datetime.date, followups: bool = False, verbose: bool = True
) -> Staff:
    """Make (or find) the activity described above; returns the bench staff. The
    follow-up plan only with `followups=True`: its first run plans the whole backlog
    (84 s at 1M customers on a quiet machine; more than 10 minutes under load)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("bench/scale_activity.py needs PostgreSQL (set DATABASE_URL)")
    staff = bench_staff(data)
    _points(today, verbose)
    _audit(data, staff, verbose)
    _tiers(today, verbose)
    if followups:
        _followups(today, verbose)
    return staff
