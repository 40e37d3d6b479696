"""Inserting a chunk of new rows, their change history and their audit entries.

On PostgreSQL one multi-row INSERT … RETURNING id per table through psycopg2's
execute_values, with the values read straight from the instances (psycopg2 adapts str,
int, Decimal, date, aware datetimes, bool and None itself): the ORM's bulk_create spends
most of an import's commit preparing each of a million values one by one. The rows are
the same as bulk_create and simple-history's bulk_history_create would write (every
concrete column but the generated ones, created_at filled as auto_now_add would; history
rows of type "+" with the user and the time), so the history pages and the audit log read
them like any other. Elsewhere (SQLite) the ORM does it.
"""

from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from customers.audit import audit_entries_build

BATCH = 1000


def _columns(model) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and not getattr(field, "generated", False)
    ]


def _value(field: models.Field, obj, now):
    value = getattr(obj, field.attname)
    if isinstance(field, models.JSONField) and value is not None:
        from psycopg2.extras import Json

        return Json(value)
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        setattr(obj, field.attname, now)
        return now
    return value


def _insert(model, rows: list[tuple], fields: list[models.Field]) -> list[int]:
    from psycopg2.extras import execute_values

    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    pk = connection.ops.quote_name(model._meta.pk.column)
    sql = f"INSERT INTO {table} ({columns}) VALUES %s RETURNING {pk}"  # noqa: S608
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            ids.extend(
                row[0]
                for row in execute_values(cursor.cursor, sql, batch, page_size=BATCH, fetch=True)
            )
    return ids


def insert_with_history(model, objs: list, *, actor) -> None:
    """Insert `objs` (setting their pk) and one history row each, made by `actor`."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        bulk_create_with_history(objs, model, batch_size=500, default_user=actor)
        return
    now = timezone.now()
    fields = _columns(model)
    ids = _insert(model, [tuple(_value(f, obj, now) for f in fields) for obj in objs], fields)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = "default"
    history = model.history.model
    special = {
        "history_date": lambda obj: now,
        "history_change_reason": lambda obj: None,
        "history_type": lambda obj: "+",
        "history_user_id": lambda obj: getattr(actor, "pk", None),
    }
    history_fields = [
        field for field in history._meta.concrete_fields if field.name != "history_id"
    ]
    readers = [
        special.get(field.attname, lambda obj, name=field.attname: getattr(obj, name))
        for field in history_fields
    ]
    rows = [tuple(read(obj) for read in readers) for obj in objs]
    _insert(history, rows, history_fields)


def insert_plain(model, objs: list) -> None:
    """Insert `objs` (no history kept for this model), setting their pk."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=500)
        return
    now = timezone.now()
    fields = _columns(model)
    ids = _insert(model, [tuple(_value(f, obj, now) for f in fields) for obj in objs], fields)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False


def audit_many(*, actor, action, items: list[tuple]) -> None:
    """One audit entry per (object, detail), the entries audit_record_many would write."""
    from customers.models import AuditEntry

    if items:
        insert_plain(AuditEntry, audit_entries_build(actor=actor, action=action, items=items))
