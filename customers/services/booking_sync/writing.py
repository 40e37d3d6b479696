"""The chunk's writes: its bookings on file, locked, and one INSERT … ON CONFLICT for the new."""

from django.db import connection, models
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.db.models.sql import Query

from customers.bulk_writing import db_params, unnest_rows
from customers.models import Booking
from customers.validators import normalize_booking_number


def _insert_columns() -> list[models.Field]:
    return [
        column
        for column in Booking._meta.concrete_fields
        if not column.primary_key and not getattr(column, "generated", False)
    ]


def _conflict_target() -> str:
    """The unique (source, number) index, as ON CONFLICT names it (with its predicate:
    the index is partial)."""
    constraint = next(
        c for c in Booking._meta.constraints if c.name == "booking_unique_source_number"
    )
    quote = connection.ops.quote_name
    columns = ", ".join(quote(Booking._meta.get_field(name).column) for name in constraint.fields)
    query = Query(model=Booking, alias_cols=False)
    sql, params = query.build_where(constraint.condition).as_sql(
        query.get_compiler(connection=connection), connection
    )
    # Literal values: SQLite matches a partial index only by its predicate's text.
    editor = connection.schema_editor()
    predicate = sql % tuple(editor.quote_value(param) for param in params)
    return f"({columns}) WHERE {predicate}"


def _insert_new(bookings: list[Booking], *, now) -> set[tuple[str, str]]:
    """INSERT … ON CONFLICT DO NOTHING; set the pk of each inserted booking and return
    the (source, number) of those another transaction inserted first."""
    columns = _insert_columns()
    quote = connection.ops.quote_name
    table = quote(Booking._meta.db_table)
    names = ", ".join(quote(column.column) for column in columns)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, min(1000, 30000 // len(columns)))  # SQLite's parameter limit
    by_key = {(booking.source, booking.source_number): booking for booking in bookings}
    for booking in bookings:
        booking.created_at = now
    target = _conflict_target()
    returning = f"RETURNING {quote('id')}, {quote('source')}, {quote('source_number')}"
    values_of = db_params(Booking, columns)
    # PostgreSQL: the rows as one array per column (customers.bulk_writing.unnest_rows).
    as_arrays = unnest_rows(columns)
    with connection.cursor() as cursor:
        for start in range(0, len(bookings), per_statement):
            batch = bookings[start : start + per_statement]
            if as_arrays is not None:
                rows, params = as_arrays[0], as_arrays[1](batch)
            else:
                rows = f"VALUES {', '.join([row] * len(batch))}"
                params = [value for booking in batch for value in values_of(booking)]
            cursor.execute(
                f"INSERT INTO {table} ({names}) {rows} ON CONFLICT {target} DO NOTHING {returning}",
                params,
            )
            for pk, source, number in cursor.fetchall():
                booking = by_key.pop((source, number))
                booking.pk = pk
                booking._state.adding = False
                booking._state.db = connection.alias
    return set(by_key)


def _number_in(numbers: list[str]) -> Q:
    """`source_number IN numbers`; on PostgreSQL as `= ANY(%s)` with one array parameter
    (Django prepares each value of an IN list one by one: for a chunk of 1,000 numbers
    that cost more than the query). Same index, same rows: normalised as the field
    prepares a value."""
    if connection.vendor != "postgresql":
        return Q(source_number__in=numbers)
    numbers = [normalize_booking_number(number) for number in numbers]
    quote = connection.ops.quote_name
    column = f"{quote(Booking._meta.db_table)}.{quote('source_number')}"
    return Q(RawSQL(f"{column} = ANY(%s)", (numbers,), output_field=BooleanField()))  # noqa: S611 - names quoted, values a parameter


def _on_file(keys: set[tuple[str, str]], *, lock: bool) -> dict[tuple[str, str], Booking]:
    if not keys:
        return {}
    numbers: dict[str, list[str]] = {}
    for source, number in keys:
        numbers.setdefault(source, []).append(number)
    condition = Q()
    for source, wanted in numbers.items():
        condition |= Q(source=source) & _number_in(wanted)
    found = Booking.objects.filter(condition).order_by("pk")
    if lock:
        found = found.select_for_update()
    return {(booking.source, booking.source_number): booking for booking in found}
