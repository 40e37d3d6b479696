"""Scale data for the benchmarks: a million customers in about a minute, on PostgreSQL.

    from bench.scale import load_scale_data
    data = load_scale_data(customers=1_000_000, bookings_per_customer=5, today=today)

Everything is written with INSERT … SELECT generate_series (no Python loop over rows, no
model signals, no history rows) into a migrated PostgreSQL database that the benchmark
owns. Rows are marked (`BENCH` names, `bench-` usernames), so a second call with the same
sizes finds them and returns at once; other sizes replace them. Use a scratch database
and drop it afterwards: `drop_scale_data` only removes what this module wrote, and fails
if other apps' rows still point at those customers.

What is made, deterministically (the same ids give the same values):
- 50 reps `bench-rep-00`…`49` in team "Bench" led by `bench-lead`, and `bench-rep-big`,
  who owns the first 5,000 customers (a busy rep's "My day"); the rest are spread evenly;
- customers: 95% individuals (birthdays spread over the year, one in five married with an
  anniversary), 5% corporate (founding dates); 1% key accounts; grades A 10% / B 20% /
  C 60% / not graded 10%; 1% lost (with a reason), 1% retired; 10% without a complete
  postal address; unique mobiles;
- bookings: `bookings_per_customer` each over the last three years (some in the future):
  mostly paid (paid 5 days before to 14 days after the due date), 5% cancelled, 2% fully
  refunded, 2% partly refunded; amounts ¥1,000–¥31,000, grade-A customers' ×3;
- contact records: `contacts_per_customer` each, in the last 400 days.
"""

import datetime
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Model

from accounts.models import Team
from customers.models import Booking, ContactRecord, Customer, Destination
from customers.services import customers_last_contact_refresh_all

MARK = "BENCH"
REPS = 50
BIG_REP_CUSTOMERS = 5000
DESTINATIONS = [
    ("三亚", False),
    ("丽江", False),
    ("桂林", False),
    ("西安", False),
    ("成都", False),
    ("哈尔滨", False),
    ("日本", True),
    ("泰国", True),
    ("新加坡", True),
    ("欧洲", True),
]


@dataclass(frozen=True)
class ScaleData:
    customers: int
    bookings: int
    contacts: int
    rep_ids: list[int]
    big_rep_id: int
    lead_id: int
    team_id: int
    destination_ids: list[int]


def _default_sql(field) -> str:
    """The SQL for a column the generator does not set: what an empty form would save."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return "now()"
    if field.null:
        return "NULL"
    if field.has_default() and not callable(field.default):
        value = field.default
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int | float) or type(value).__name__ == "Decimal":
            return str(value)
        return "'" + str(value).replace("'", "''") + "'"
    if field.get_internal_type() in {"CharField", "TextField", "EmailField", "SlugField"}:
        return "''"
    raise ValueError(f"bench/scale.py: no value for {field.model.__name__}.{field.name}")


def _insert_select(model: type[Model], values: dict[str, str], source: str, params=()) -> int:
    """INSERT INTO model's table SELECT the given column expressions FROM `source`; every
    other column gets its empty-form value."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]
    unknown = set(values) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"unknown columns for {model.__name__}: {sorted(unknown)}")
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    exprs = ",\n       ".join(values.get(f.attname) or _default_sql(f) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns})\nSELECT {exprs}\nFROM {source}"
    # The expressions use % for modulo and LIKE: escape all but the %(name)s parameters.
    sql = re.sub(r"%(?!\(\w+\)s)", "%%", sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _staff() -> tuple[list[int], int, int, int]:
    User = get_user_model()
    sales = Group.objects.get(name="sales")
    team, _ = Team.objects.get_or_create(name=f"{MARK} team")
    lead, _ = User.objects.get_or_create(
        username="bench-lead", defaults={"full_name": "Bench lead", "team": team}
    )
    lead.groups.add(sales, Group.objects.get(name="team_lead"))
    team.lead = lead
    team.save(update_fields=["lead"])
    reps = []
    for name in [f"bench-rep-{i:02d}" for i in range(REPS)] + ["bench-rep-big"]:
        user, created = User.objects.get_or_create(
            username=name, defaults={"full_name": name, "team": team}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(sales)
        reps.append(user.pk)
    return reps[:-1], reps[-1], lead.pk, team.pk


def _destinations() -> list[int]:
    return [
        Destination.objects.get_or_create(name=name, defaults={"is_outbound": outbound})[0].pk
        for name, outbound in DESTINATIONS
    ]


def _existing(customers: int, bookings_per_customer: int, contacts_per_customer: int) -> bool:
    marked = Customer.all_objects.filter(name__startswith=MARK)
    count = marked.count()
    if count == 0:
        return False
    bookings = Booking.objects.filter(customer__name__startswith=MARK).count()
    contacts = ContactRecord.objects.filter(customer__name__startswith=MARK).count()
    return (
        count == customers
        and bookings == customers * bookings_per_customer
        and contacts == customers * contacts_per_customer
    )


def drop_scale_data() -> None:
    """Remove the bench customers, their bookings and contact records (bulk SQL)."""
    with transaction.atomic(), connection.cursor() as cursor:
        ids = f"SELECT id FROM customers_customer WHERE name LIKE '{MARK}%'"
        cursor.execute(f"DELETE FROM customers_contactrecord WHERE customer_id IN ({ids})")
        cursor.execute(f"DELETE FROM customers_booking WHERE customer_id IN ({ids})")
        cursor.execute(f"DELETE FROM customers_customer WHERE name LIKE '{MARK}%'")


def load_scale_data(
    *,
    customers: int = 1_000_000,
    bookings_per_customer: int = 5,
    contacts_per_customer: int = 1,
    today: datetime.date,
    verbose: bool = True,
) -> ScaleData:
    """Make (or find) the bench data at this size. PostgreSQL only."""
    if connection.vendor != "postgresql":
        raise RuntimeError("bench/scale.py needs PostgreSQL (set DATABASE_URL)")
    reps, big_rep, lead, team = _staff()
    destinations = _destinations()
    data = ScaleData(
        customers=customers,
        bookings=customers * bookings_per_customer,
        contacts=customers * contacts_per_customer,
        rep_ids=reps,
        big_rep_id=big_rep,
        lead_id=lead,
        team_id=team,
        destination_ids=destinations,
    )
    if _existing(customers, bookings_per_customer, contacts_per_customer):
        return data
    say = print if verbose else (lambda *a, **k: None)
    drop_scale_data()
    with transaction.atomic():
        say(f"scale: {customers:,} customers …", flush=True)
        _customers(customers=customers, reps=reps, big_rep=big_rep)
        say(f"scale: {data.bookings:,} bookings …", flush=True)
        _bookings(per_customer=bookings_per_customer, destinations=destinations, today=today)
        if contacts_per_customer:
            say(f"scale: {data.contacts:,} contact records …", flush=True)
            _contacts(per_customer=contacts_per_customer, today=today)
        customers_last_contact_refresh_all()  # the list's "never contacted" reads it
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer, customers_booking, customers_contactrecord")
    return data


def _customers(*, customers: int, reps: list[int], big_rep: int) -> None:
    org = "n % 20 = 0"

    def spread(days: int, prime: int = 7919) -> str:  # 64-bit: n * prime passes 2^31
        return f"(n::bigint * {prime} % {days})::int"

    churn = "(ARRAY['deceased','moved_away','not_target','price','product_defect','poor_service'])"
    _insert_select(
        Customer,
        {
            "kind": f"CASE WHEN {org} THEN 'corporate' ELSE 'individual' END",
            "name": f"'{MARK}' || CASE WHEN {org} THEN '公司' ELSE '客户' END || n",
            "name_normalised": f"CASE WHEN {org} THEN 'bench-org-' || n ELSE '' END",
            "owner_id": f"CASE WHEN n <= {BIG_REP_CUSTOMERS} THEN {big_rep}"
            f" ELSE (%(reps)s::bigint[])[1 + n % {len(reps)}] END",
            "status": "CASE WHEN n % 100 = 7 THEN 'lost' WHEN n % 100 = 13 THEN 'retired'"
            " ELSE 'active' END",
            "churn_reason": f"CASE WHEN n % 100 = 7 THEN {churn}[1 + n % 6] ELSE '' END",
            "is_key_account": "n % 100 = 0",
            "grade": "CASE n % 10 WHEN 0 THEN 'A' WHEN 1 THEN 'B' WHEN 2 THEN 'B'"
            " WHEN 9 THEN '' ELSE 'C' END",
            "organisation_type": f"CASE WHEN {org} THEN 'private' ELSE '' END",
            "founding_date": f"CASE WHEN {org} THEN DATE '1990-01-01' + {spread(12000)} END",
            "sex": f"CASE WHEN {org} THEN '' WHEN n % 2 = 0 THEN 'F' ELSE 'M' END",
            "birthday": f"CASE WHEN NOT ({org}) THEN DATE '1955-01-01' + {spread(18000)} END",
            "wedding_anniversary": f"CASE WHEN NOT ({org}) AND n % 5 = 0"
            f" THEN DATE '1985-01-01' + {spread(12000, 104729)} END",
            "mobile": "'19' || lpad(n::text, 9, '0')",
            "email": "CASE WHEN n % 3 = 0 THEN 'c' || n || '@bench.example' ELSE '' END",
            "province": "'广东省'",
            "city": "'广州市'",
            "district": "'天河区'",
            "street_address": "CASE WHEN n % 10 = 5 THEN '' ELSE '体育西路' || n || '号' END",
            "postal_code": "'510620'",
            "source_channel": "(ARRAY['walk_in','referral','website','call_centre'])[1 + n % 4]",
        },
        "generate_series(1, %(count)s) AS n",
        {"reps": reps, "count": customers},
    )


def _bookings(*, per_customer: int, destinations: list[int], today: datetime.date) -> None:
    n_dest = len(destinations)
    outbound = [i + 1 for i, (_name, out) in enumerate(DESTINATIONS) if out]
    start = "(%(today)s::date - ((c.id * 37 + k * 211) % 1095)::int + 30)"
    case = "((c.id + k * 7) % 100)"  # 0-4 cancelled, 5-6 refunded, 7-8 part refunded
    amount = (
        "((1000 + (c.id * 13 + k * 97) % 30000)"
        " * CASE WHEN c.grade = 'A' THEN 3 ELSE 1 END)::numeric(12,2)"
    )
    status = (
        f"CASE WHEN {start} > %(today)s::date THEN 'booked' WHEN {case} < 5 THEN 'cancelled'"
        f" WHEN {case} < 7 THEN 'refunded' ELSE 'paid' END"
    )
    _insert_select(
        Booking,
        {
            "customer_id": "c.id",
            "product": "'bench tour ' || k",
            "destination_id": f"(%(dest)s::bigint[])[1 + (c.id + k) % {n_dest}]",
            "trip_type": f"CASE WHEN 1 + (c.id + k) % {n_dest} = ANY(%(outbound)s::int[])"
            " THEN 'outbound' ELSE 'domestic' END",
            "start_date": start,
            "end_date": f"{start} + 2 + (k % 6)",
            "head_count": "1 + k % 4",
            "amount": amount,
            "cost": f"round({amount} * 0.82, 2)",
            "payment_due_date": f"{start} - 14",
            "paid_date": f"CASE WHEN {status} IN ('paid', 'refunded')"
            f" THEN {start} - 14 + ((c.id + k) % 20)::int - 5 END",
            "status": status,
            "refunded_amount": f"CASE WHEN {status} = 'refunded' THEN {amount}"
            f" WHEN {status} = 'paid' AND {case} < 9 THEN round({amount} * 0.3, 2)"
            " ELSE 0 END",
            "created_by_id": "c.owner_id",
        },
        f"customers_customer c CROSS JOIN generate_series(1, {int(per_customer)}) AS k"
        f" WHERE c.name LIKE '{MARK}%'",
        {"today": today, "dest": destinations, "outbound": outbound},
    )


def _contacts(*, per_customer: int, today: datetime.date) -> None:
    _insert_select(
        ContactRecord,
        {
            "customer_id": "c.id",
            "channel": "(ARRAY['phone','wechat','visit','sms'])[1 + (c.id + j) % 4]",
            "contacted_at": "(%(today)s::date - ((c.id * 17 + j * 101) % 400)::int)::timestamptz"
            " + interval '10 hours'",
            "by_id": "c.owner_id",
            "outcome": "'reached'",
        },
        f"customers_customer c CROSS JOIN generate_series(1, {int(per_customer)}) AS j"
        f" WHERE c.name LIKE '{MARK}%'",
        {"today": today},
    )
