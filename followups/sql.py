"""The few SQL spellings that differ between PostgreSQL and SQLite, for the set-based
planning statements. Each returns a SQL fragment; values still go in as parameters."""

import datetime
import json

from django.conf import settings
from django.db import connection


def adapt_params(params) -> list:
    """Raw SQL gets no field adaptation: pass timestamps the way the ORM stores them."""
    return [
        connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, datetime.datetime)
        else value
        for value in params
    ]


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def date_param() -> str:
    """A date parameter usable inside VALUES and arithmetic."""
    return "CAST(%s AS date)" if is_postgres() else "%s"


def add_days(date_sql: str, days_sql: str) -> str:
    if is_postgres():
        return f"(({date_sql}) + CAST({days_sql} AS integer))"
    return f"date(julianday({date_sql}) + ({days_sql}))"


def local_date(timestamp_sql: str) -> str:
    """The Asia/Shanghai calendar date of a stored (UTC) timestamp."""
    if is_postgres():
        return f"CAST(({timestamp_sql}) AT TIME ZONE '{settings.TIME_ZONE}' AS date)"
    # SQLite stores UTC text; Shanghai has kept UTC+8 without daylight saving since 1991.
    return f"date({timestamp_sql}, '+8 hours')"


def local_timestamp(date_sql: str, time_sql: str) -> str:
    """The stored timestamp of a Shanghai wall-clock date and time."""
    if is_postgres():
        return f"(({date_sql}) + ({time_sql})) AT TIME ZONE '{settings.TIME_ZONE}'"
    return f"datetime(({date_sql}) || ' ' || ({time_sql}), '-8 hours')"


def add_hours(timestamp_sql: str, hours_sql: str) -> str:
    if is_postgres():
        return f"(({timestamp_sql}) + make_interval(hours => CAST({hours_sql} AS integer)))"
    return f"datetime({timestamp_sql}, '+' || ({hours_sql}) || ' hours')"


def month_of(date_sql: str) -> str:
    if is_postgres():
        return f"CAST(EXTRACT(MONTH FROM {date_sql}) AS integer)"
    return f"CAST(strftime('%%m', {date_sql}) AS integer)"


def day_of(date_sql: str) -> str:
    if is_postgres():
        return f"CAST(EXTRACT(DAY FROM {date_sql}) AS integer)"
    return f"CAST(strftime('%%d', {date_sql}) AS integer)"


def year_of(date_sql: str) -> str:
    if is_postgres():
        return f"CAST(EXTRACT(YEAR FROM {date_sql}) AS integer)"
    return f"CAST(strftime('%%Y', {date_sql}) AS integer)"


def greatest(*sql: str) -> str:
    return f"{'GREATEST' if is_postgres() else 'MAX'}({', '.join(sql)})"


def as_text(sql: str) -> str:
    return f"CAST({sql} AS {'text' if is_postgres() else 'TEXT'})"


def values_table(name: str, columns: list[str], rows: list[tuple], casts: list[str]) -> tuple:
    """`name(columns) AS (VALUES …)` for a WITH clause, and its parameters. `casts` gives
    per column "date", "int" or "" (text)."""
    placeholders = []
    for cast in casts:
        if cast == "date":
            placeholders.append(date_param())
        elif cast == "int":
            placeholders.append("CAST(%s AS integer)")
        else:
            placeholders.append("CAST(%s AS text)" if is_postgres() else "%s")
    row_sql = "(" + ", ".join(placeholders) + ")"
    sql = f"{name}({', '.join(columns)}) AS (VALUES {', '.join([row_sql] * len(rows))})"
    params = [value for row in rows for value in row]
    return sql, params


def text_param() -> str:
    """A text parameter where PostgreSQL cannot infer the type (inside JSON builders)."""
    return "CAST(%s AS text)" if is_postgres() else "%s"


def json_object(pairs: list[tuple[str, str]]) -> str:
    """A JSON object built in SQL from fixed keys and SQL values (dates become
    "YYYY-MM-DD" strings on both databases)."""
    function = "jsonb_build_object" if is_postgres() else "json_object"
    arguments = ", ".join(f"'{key}', {value}" for key, value in pairs)
    return f"{function}({arguments})"


def in_ids(column_sql: str, ids) -> tuple[str, list]:
    """`column IN (ids)` as one parameter however many ids: an array on PostgreSQL, a
    JSON list on SQLite (no limit on host parameters)."""
    ids = [int(pk) for pk in ids]
    if is_postgres():
        return f"{column_sql} = ANY(CAST(%s AS bigint[]))", [ids]
    return f"{column_sql} IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]  # noqa: S608
