"""Change-history rows for changes written set-based.

simple-history records a customer's change when the customer is saved one at a time.
A change made with one UPDATE for many customers (the tiering committee approving a
thousand grades) would not show in their change history; after such an UPDATE, the
service calls `customers_history_record`, which writes what save() would have written
(the customer as it now is, its destinations and tags, who and why) in one INSERT …
SELECT per table, whatever the number of customers."""

import datetime

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from customers.models import Customer

# Reasons stored in English and translated when shown (the history page passes the
# reason through the catalogue; reasons a person typed are shown as typed).
REASON_LIMIT = 100  # simple-history's history_change_reason column
REASONS = {
    "committee": gettext_noop("Approved by the tiering committee"),
}


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def customers_history_record(
    *, customers: QuerySet[Customer], actor_id: int, reason: str, now: datetime.datetime
) -> int:
    """One "changed" history row per customer of `customers`, as it is now, by
    `actor_id` at `now` with `reason`. Returns how many rows were written."""
    history = Customer.history.model
    copied = [f for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    rows = (
        Customer.all_objects.filter(pk__in=customers.order_by().values("pk"))
        .order_by()
        .values_list(*[f.attname for f in copied])
    )
    select_sql, select_params = rows.query.sql_with_params()
    stamp = connection.ops.adapt_datetimefield_value(now)
    reason = (reason or "")[:REASON_LIMIT]
    columns = ", ".join(_quote(f.column) for f in copied)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_quote(history._meta.db_table)} ({columns}, history_date, "  # noqa: S608
            "history_change_reason, history_type, history_user_id) "
            f"SELECT copied.*, %s, %s, '~', %s FROM ({select_sql}) copied",
            [stamp, reason, actor_id, *select_params],
        )
        written = cursor.rowcount
        for field in history._history_m2m_fields:
            _copy_m2m(cursor, field=field, history=history, stamp=stamp, actor_id=actor_id,
                      reason=reason, rows=rows)  # fmt: skip
    return written


def _copy_m2m(cursor, *, field, history, stamp, actor_id: int, reason: str, rows) -> None:
    """The customers' current destinations (or tags) on the rows just written, as
    simple-history copies them on save(), so the history shows them unchanged."""
    m2m_history = HistoricalRecords.m2m_models[field]
    through = field.remote_field.through
    columns = [f.column for f in through._meta.concrete_fields]
    own = next(
        f.column
        for f in through._meta.concrete_fields
        if f.is_relation and f.related_model is Customer
    )
    ids_sql, ids_params = rows.values_list("pk").query.sql_with_params()
    cursor.execute(
        f"INSERT INTO {_quote(m2m_history._meta.db_table)} "  # noqa: S608
        f"({', '.join(_quote(c) for c in columns)}, history_id) "
        f"SELECT {', '.join('t.' + _quote(c) for c in columns)}, h.history_id "
        f"FROM {_quote(through._meta.db_table)} t "
        f"JOIN {_quote(history._meta.db_table)} h ON h.id = t.{_quote(own)} "
        "WHERE h.history_date = %s AND h.history_user_id = %s AND h.history_type = '~' "
        f"AND h.history_change_reason = %s AND h.id IN ({ids_sql})",
        [stamp, actor_id, reason, *ids_params],
    )
