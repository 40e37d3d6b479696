"""Saving many demo rows fast.

On PostgreSQL the rows go in with COPY (primary keys, where later rows refer to them, are
taken from the table's sequence first); elsewhere with bulk_create. Either way no model
signals run and no history rows are written: this is bulk demo data.
"""

import datetime
import io

from django.db import connection
from django.db.models import Model
from django.utils import timezone

INSERT_BATCH = 5000  # rows per INSERT statement where COPY is not available
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, datetime.date):  # and datetime: ISO 8601, with the UTC offset
        return value.isoformat()
    return str(value)  # int, Decimal


class RowSaver:
    def __init__(self):
        self.use_copy = connection.vendor == "postgresql"
        self.now = timezone.now()

    def save(self, model: type[Model], objects: list, *, need_ids: bool = False) -> None:
        """Insert the unsaved instances; with need_ids, each gets its primary key."""
        if not objects:
            return
        if not self.use_copy:
            model._default_manager.bulk_create(objects, batch_size=INSERT_BATCH)
            return
        meta = model._meta
        if need_ids:
            for obj, pk in zip(objects, self._allocate_ids(model, len(objects)), strict=True):
                obj.pk = pk
        fields = [
            field
            for field in meta.concrete_fields
            if not field.generated and (need_ids or not field.primary_key)
        ]
        stamped = {
            field.attname
            for field in fields
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        }
        now = _copy_text(self.now)
        attnames = [field.attname for field in fields]
        # Values the database holds in another form than Python's (an ID number's token
        # and blind index, customers/id_numbers.py) go through their field.
        encoded = [field for field in fields if getattr(field, "encodes_for_database", False)]
        buffer = io.StringIO()
        write = buffer.write
        for obj in objects:
            values = vars(obj)
            if encoded:
                values = values | {
                    field.attname: field.get_db_prep_save(getattr(obj, field.attname), connection)
                    for field in encoded
                }
            write(
                "\t".join(now if name in stamped else _copy_text(values[name]) for name in attnames)
            )
            write("\n")
        buffer.seek(0)
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor:
            cursor.copy_expert(sql, buffer)
        for obj in objects:
            obj._state.adding = False
            obj._state.db = connection.alias

    def analyze(self, models: list[type[Model]]) -> None:
        """Fresh planner statistics (PostgreSQL), so that queries later in the same
        transaction, and the first pages after it, know the tables are no longer empty."""
        if not self.use_copy:
            return
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")

    def _allocate_ids(self, model: type[Model], count: int) -> list[int]:
        meta = model._meta
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
