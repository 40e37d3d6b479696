"""The statements of the two busiest points transactions — a booking's first earn and a
redemption — as plain SQL of a few columns.

Why not the ORM here: measured with bench/loyalty.py, building and compiling one ORM
SELECT cost about 1-2 ms of CPU on this machine, more than PostgreSQL spent running it,
and a process's threads share one interpreter lock: with ten ORM statements an earn
spent ~25 ms of CPU in Python against 0.6 ms for a bare psycopg transaction doing the
same row changes. Inserts stay with the ORM (one `bulk_create` each); everything rare
(corrections, refunds, idempotent replays) stays with the ORM too.

Each read returns exactly what the service needs; the row locks are taken as the ORM's
`select_for_update` takes them (nothing on SQLite, whose writers are serialised)."""

import datetime
import functools
from decimal import Decimal

from django.db import connection

from customers.models import Booking, Customer
from loyalty.models import Card, EntryKind, LedgerEntry, Reward, Rulebook
from loyalty.selectors import PAID_STATUSES


def _for_update(of: str) -> str:
    features = connection.features
    if not features.has_select_for_update:
        return ""
    return f" FOR UPDATE OF {of}" if features.has_select_for_update_of else " FOR UPDATE"


def _decimal(value) -> Decimal | None:
    """SQLite hands decimal columns back as floats; their shortest repr is the stored
    two-decimal figure."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def _loaded(model, **values):
    """An instance as the ORM loads it with `.only(*values)`: the other fields are
    deferred (read on access; a save writes only the loaded ones)."""
    names = [field.attname for field in model._meta.concrete_fields]
    ordered = [values[name] for name in names if name in values]
    return model.from_db(connection.alias, [name for name in names if name in values], ordered)


@functools.cache
def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "booking": quote(Booking._meta.db_table),
        "customer": quote(Customer._meta.db_table),
        # simple_history's manager descriptor inspects the model on every access.
        "history": quote(Customer.history.model._meta.db_table),
        "card": quote(Card._meta.db_table),
        "entry": quote(LedgerEntry._meta.db_table),
        "reward": quote(Reward._meta.db_table),
        "rulebook": quote(Rulebook._meta.db_table),
    }


def _rulebook_key_columns() -> str:
    """Two scalar subqueries naming the published rulebooks (see
    `loyalty.selectors.rulebooks_published`), read in the caller's statement."""
    rulebook = _tables()["rulebook"]
    return f"(SELECT MAX(version) FROM {rulebook}), (SELECT MAX(published_at) FROM {rulebook})"  # noqa: S608


def booking_lock(booking_id: int) -> tuple[Booking, str, bool, tuple]:
    """Lock the booking's row; return it (the fields the points need), its customer's
    current grade, whether it has earned, and the published rulebooks' key."""
    t = _tables()
    sql = (
        f"SELECT b.id, b.customer_id, b.status, b.paid_date, b.amount, b.refunded_amount, "  # noqa: S608
        f"c.grade, EXISTS (SELECT 1 FROM {t['entry']} e WHERE e.booking_id = b.id "
        f"AND e.kind = %s), {_rulebook_key_columns()} "
        f"FROM {t['booking']} b INNER JOIN {t['customer']} c ON c.id = b.customer_id "
        f"WHERE b.id = %s{_for_update('b')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [EntryKind.EARN, booking_id])
        row = cursor.fetchone()
    if row is None:
        raise Booking.DoesNotExist(f"Booking {booking_id} does not exist.")
    pk, customer_id, status, paid_date, amount, refunded, grade, has_earn, *key = row
    booking = _loaded(
        Booking,
        id=pk,
        customer_id=customer_id,
        status=status,
        paid_date=paid_date,
        amount=_decimal(amount),
        refunded_amount=_decimal(refunded),
    )
    return booking, grade, bool(has_earn), tuple(key)


def card_lock(*, customer_id: int) -> Card | None:
    """Lock the customer's card row and return it (None if they have none)."""
    sql = (
        f"SELECT id, balance, level, status FROM {_tables()['card']} "  # noqa: S608
        f"WHERE customer_id = %s{_for_update(_tables()['card'])}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [customer_id])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, balance, level, status = row
    return _loaded(
        Card, id=pk, customer_id=customer_id, balance=balance, level=level, status=status
    )


def earn_or_due_lots(
    *, booking_id: int, card_id: int, today: datetime.date
) -> tuple[bool, list[LedgerEntry]]:
    """Read under the card's lock, in one statement: whether the booking has earned
    meanwhile (the set-based earn locks cards, not bookings), and the card's lots whose
    validity has ended by `today`, in id order."""
    sql = (
        "SELECT id, kind, booking_id, remaining, expires_on, rulebook_id "  # noqa: S608
        f"FROM {_tables()['entry']} WHERE (booking_id = %s AND kind = %s) "
        "OR (card_id = %s AND remaining > 0 AND expires_on <= %s) ORDER BY id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [booking_id, EntryKind.EARN, card_id, today])
        rows = cursor.fetchall()
    earned = any(kind == EntryKind.EARN and booking == booking_id for _, kind, booking, *_ in rows)
    due = [
        _loaded(
            LedgerEntry,
            id=pk,
            card_id=card_id,
            remaining=remaining,
            expires_on=expires,
            rulebook_id=rulebook,
        )
        for pk, kind, booking, remaining, expires, rulebook in rows
        if remaining and expires is not None and expires <= today
    ]
    return earned, due


def spend_rows_and_grade(
    *, customer_id: int, start: datetime.date, end: datetime.date, grade_end, current: str
) -> tuple[list[tuple[datetime.date, Decimal]], str]:
    """In one statement: (paid date, net amount) of the customer's paid bookings paid in
    [start, end], and `loyalty.selectors.grade_on` — the grade of their last history
    row before `grade_end`, else of their first one, else `current`. The grade is one
    row joined to the bookings (a row of NULLs when there are none); every date is
    computed here, so the SQL is the same on PostgreSQL and SQLite."""
    t = _tables()
    sql = (
        "SELECT g.grade, b.paid_date, b.amount, b.refunded_amount FROM (SELECT COALESCE("  # noqa: S608
        f"(SELECT h.grade FROM {t['history']} h WHERE h.id = %s AND h.history_date < %s "
        "ORDER BY h.history_date DESC, h.history_id DESC LIMIT 1), "
        f"(SELECT h.grade FROM {t['history']} h WHERE h.id = %s "
        "ORDER BY h.history_date, h.history_id LIMIT 1)) AS grade) g "
        f"LEFT OUTER JOIN {t['booking']} b ON b.customer_id = %s AND b.status IN (%s, %s) "
        "AND b.paid_date >= %s AND b.paid_date <= %s"
    )
    params = [
        customer_id,
        connection.ops.adapt_datetimefield_value(grade_end),
        customer_id,
        customer_id,
        *PAID_STATUSES,
        start,
        end,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    grade = rows[0][0] if rows and rows[0][0] is not None else current
    spend = [
        (paid, _decimal(amount) - _decimal(refunded))
        for _grade, paid, amount, refunded in rows
        if paid is not None
    ]
    return spend, grade


def card_and_reward_lock(*, card_id: int, reward_id: int) -> tuple[Card, Reward | None, tuple]:
    """Lock the card's row; return it, the reward (read in the same statement; a reward
    with limited stock is then locked by the caller) and the published rulebooks' key."""
    t = _tables()
    sql = (
        f"SELECT c.id, c.customer_id, c.balance, c.level, c.status, r.id, r.name, "  # noqa: S608
        f"r.points_price, r.stock, r.active, {_rulebook_key_columns()} "
        f"FROM {t['card']} c LEFT OUTER JOIN {t['reward']} r ON r.id = %s "
        f"WHERE c.id = %s{_for_update('c')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [reward_id, card_id])
        row = cursor.fetchone()
    if row is None:
        raise Card.DoesNotExist(f"Card {card_id} does not exist.")
    pk, customer_id, balance, level, status, reward_pk, name, price, stock, active, *key = row
    card = _loaded(
        Card, id=pk, customer_id=customer_id, balance=balance, level=level, status=status
    )
    reward = None
    if reward_pk is not None:
        reward = _loaded(
            Reward, id=reward_pk, name=name, points_price=price, stock=stock, active=bool(active)
        )
    return card, reward, tuple(key)


def open_lots(*, card_id: int) -> list[tuple[int, int, datetime.date, int | None]]:
    """(id, remaining, expires_on, rulebook_id) of the card's lots with points left,
    oldest expiry first. `lot_from_row` makes one a LedgerEntry when it is used."""
    sql = (
        f"SELECT id, remaining, expires_on, rulebook_id FROM {_tables()['entry']} "  # noqa: S608
        "WHERE card_id = %s AND remaining > 0 ORDER BY expires_on, id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [card_id])
        return cursor.fetchall()


def lots_write(lots: list[LedgerEntry]) -> None:
    """Set the lots' remaining points: one UPDATE … FROM (VALUES …) per thousand lots
    (bulk_update compiles a CASE per row)."""
    table = _tables()["entry"]
    for start in range(0, len(lots), 1000):
        batch = lots[start : start + 1000]
        rows = ", ".join(["(%s, %s)"] * len(batch))
        params = [value for lot in batch for value in (lot.pk, lot.remaining)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET remaining = v.column2 "  # noqa: S608
                f"FROM (VALUES {rows}) AS v WHERE {table}.id = v.column1",
                params,
            )


def card_write(card: Card, fields: list[str]) -> None:
    """Write the locked card's `fields` (balance, level) as they stand on `card`."""
    columns = ", ".join(f"{Card._meta.get_field(name).column} = %s" for name in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_tables()['card']} SET {columns} WHERE id = %s",  # noqa: S608
            [*(getattr(card, name) for name in fields), card.pk],
        )


def lot_from_row(card: Card, row: tuple) -> LedgerEntry:
    pk, remaining, expires_on, rulebook_id = row
    return _loaded(
        LedgerEntry,
        id=pk,
        card_id=card.pk,
        remaining=remaining,
        expires_on=expires_on,
        rulebook_id=rulebook_id,
    )


@functools.cache
def _entry_insert_fields() -> list:
    return [field for field in LedgerEntry._meta.concrete_fields if not field.primary_key]


def entries_insert(entries: list[LedgerEntry]) -> None:
    """Insert the entries with one statement and set their ids: what `bulk_create` does
    for them, without compiling an InsertQuery (about a millisecond of CPU for one row)."""
    if not connection.features.can_return_rows_from_bulk_insert:
        LedgerEntry.objects.bulk_create(entries)
        return
    fields = _entry_insert_fields()
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    for start in range(0, len(entries), 500):
        batch = entries[start : start + 500]
        params = [
            field.get_db_prep_save(field.pre_save(entry, True), connection)
            for entry in batch
            for field in fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {_tables()['entry']} "  # noqa: S608
                f"({', '.join(quote(field.column) for field in fields)}) "
                f"VALUES {', '.join([row] * len(batch))} RETURNING {quote('id')}",
                params,
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        for entry, pk in zip(batch, ids, strict=True):
            entry.pk = pk
            entry._state.adding = False
            entry._state.db = connection.alias
