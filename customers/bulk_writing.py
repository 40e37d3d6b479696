"""Writing a chunk of rows, their change history and their audit entries, set-based.

On PostgreSQL each table of a chunk is one `COPY … FROM STDIN` (the customers, their
history rows, their audit entries), with the new rows' ids drawn beforehand from the
table's sequence in one statement, and links (destinations, tags) one
`INSERT … SELECT unnest(…) ON CONFLICT DO NOTHING`. COPY is the bulk-load path of
PostgreSQL: the text of a row is built here in a few microseconds, where psycopg2's
execute_values spent ~100 µs quoting each row of 40 columns, and the server parses it
faster than a 1,000-row VALUES list. The rows are the ones bulk_create and simple-history's
bulk_history_create would write (every concrete column but the generated ones, created_at
and updated_at filled as auto_now(_add) would; history rows of type "+" with the user and
the time; the audit entries customers.audit builds), so the history pages and the audit
log read them like any other. A field that turns its value into something else for the
database (an encrypted column, an IP address) is written through its own
get_db_prep_save. Elsewhere (SQLite) the ORM does the same writes.
"""

import datetime
import io
import json
import operator
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from uuid import UUID

from django.db import connection, models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from customers.audit import audit_entries_build

# Field classes whose values go to PostgreSQL as they are held (str, int, bool, date,
# datetime, Decimal, None); any other field, or a subclass that prepares its values
# itself, is written through its get_db_prep_save.
_AS_HELD = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.DateField,
    models.DateTimeField,
    models.DecimalField,
    models.ForeignKey,
)
_PREPARING = ("get_prep_value", "get_db_prep_value", "get_db_prep_save")


def _as_held(field: models.Field) -> bool:
    if not isinstance(field, _AS_HELD):
        return False
    for klass in type(field).__mro__:
        if klass.__module__.startswith("django."):
            return True
        if any(name in vars(klass) for name in _PREPARING):
            return False
    return True


def _escape(text: str) -> str:
    """A value in COPY's text format: backslash, tab, newline and return escaped."""
    if text.isprintable() and "\\" not in text:
        return text
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _text(value) -> str:
    if value is None:
        return "\\N"
    kind = value.__class__
    if kind is str:
        return _escape(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is int or kind is Decimal or kind is float or kind is UUID:
        return str(value)
    if kind is datetime.date or kind is datetime.datetime:
        return value.isoformat()
    return _escape(str(value))


def _special(field: models.Field, now) -> Callable | None:
    """How to get the COPY text of a field whose value is not written as it is held:
    timestamps filled now (auto_now, auto_now_add), JSON, fields that prepare values."""
    attname = field.attname
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        text = _text(now)

        def stamp(obj):
            setattr(obj, attname, now)
            return text

        return stamp
    if isinstance(field, models.JSONField):
        encoder = field.encoder

        def as_json(obj):
            value = getattr(obj, attname)
            return "\\N" if value is None else _escape(json.dumps(value, cls=encoder))

        return as_json
    if not _as_held(field):

        def prepared(obj):
            return _text(field.get_db_prep_save(getattr(obj, attname), connection))

        return prepared
    return None


class _Lines:
    """The COPY lines of a table's rows: the columns held as they are fetched in one
    attrgetter call per row, the others by their own readers; `fixed` columns (the
    history's type, user and time) are the same text on every line."""

    def __init__(self, fields: list[models.Field], now, fixed: dict[str, str] | None = None):
        fixed = fixed or {}
        held, special, constant = [], [], []
        for field in fields:
            if field.attname in fixed:
                constant.append(field)
            elif (read := _special(field, now)) is not None:
                special.append((field, read))
            else:
                held.append(field)
        self.columns = [f.column for f in held] + [f.column for f, _r in special]
        self.columns += [f.column for f in constant]
        self.get = operator.attrgetter(*[f.attname for f in held]) if held else None
        self.single = len(held) == 1
        self.readers = [read for _f, read in special]
        self.tail = "".join("\t" + fixed[f.attname] for f in constant)

    def line(self, obj) -> str:
        parts = []
        if self.get is not None:
            values = self.get(obj)
            parts = [_text(values)] if self.single else list(map(_text, values))
        if self.readers:
            parts.extend([read(obj) for read in self.readers])
        return "\t".join(parts) + self.tail


def _copy(table: str, columns: list[str], lines: Iterable[str]) -> None:
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    buffer = io.StringIO()
    for line in lines:
        buffer.write(line)
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, buffer, size=1 << 20)


def _new_ids(model, count: int) -> list[int]:
    """`count` ids from the table's own sequence (identity or serial), in one statement."""
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(model._meta.db_table), pk, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _written(objs: list, ids: list[int] | None = None) -> None:
    for index, obj in enumerate(objs):
        if ids is not None:
            obj.pk = ids[index]
        obj._state.adding = False
        obj._state.db = "default"


def _copy_objects(model, objs: list, fields: list[models.Field], now, fixed=None) -> None:
    lines = _Lines(fields, now, fixed)
    _copy(model._meta.db_table, lines.columns, (lines.line(obj) for obj in objs))


def _insert(model, objs: list, now) -> None:
    """COPY `objs` into their table with ids from the sequence, setting their pk."""
    ids = _new_ids(model, len(objs))
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
    _copy_objects(model, objs, _columns(model, with_pk=True), now)
    _written(objs)


def _columns(model, *, with_pk: bool = False) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if (with_pk or not field.primary_key) and not getattr(field, "generated", False)
    ]


def insert_with_history(model, objs: list, *, actor) -> None:
    """Insert `objs` (setting their pk) and one history row each, made by `actor`."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        bulk_create_with_history(objs, model, batch_size=500, default_user=actor)
        return
    now = timezone.now()
    _insert(model, objs, now)
    insert_history(model, objs, actor=actor, now=now)


def insert_history(model, objs: list, *, actor, now, history_type: str = "+") -> None:
    """One history row for each of `objs` as they are now (written already): "+" for
    created, "~" for changed, by `actor` at `now`; the rows simple-history's
    bulk_history_create writes."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.history.bulk_history_create(
            objs, update=history_type == "~", default_user=actor, default_date=now
        )
        return
    history = model.history.model
    fixed = {
        "history_date": _text(now),
        "history_change_reason": "\\N",
        "history_type": history_type,
        "history_user_id": _text(getattr(actor, "pk", None)),
    }
    # Every column but history_id, which the table numbers.
    _copy_objects(history, objs, _columns(history), now, fixed)


def insert_plain(model, objs: list) -> None:
    """Insert `objs` (no history kept for this model), setting their pk."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=500)
        return
    _insert(model, objs, timezone.now())


def insert_links(through, left: str, right: str, pairs: list[tuple[int, int]]) -> None:
    """Many-to-many links (`left`_id, `right`_id), those on file already left alone."""
    if not pairs:
        return
    if connection.vendor != "postgresql":
        links = [through(**{left: a, right: b}) for a, b in pairs]
        through.objects.bulk_create(links, ignore_conflicts=True, batch_size=1000)
        return
    quote = connection.ops.quote_name
    table = quote(through._meta.db_table)
    columns = [through._meta.get_field(name).column for name in (left, right)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quote(columns[0])}, {quote(columns[1])}) "  # noqa: S608
            "SELECT * FROM unnest(%s::bigint[], %s::bigint[]) ON CONFLICT DO NOTHING",
            [[a for a, _b in pairs], [b for _a, b in pairs]],
        )


def audit_many(*, actor, action, items: list[tuple]) -> None:
    """One audit entry per (object, detail), the entries audit_record_many would write."""
    if items:
        insert_audit_entries(audit_entries_build(actor=actor, action=action, items=items))


def insert_audit_entries(entries: list) -> None:
    """Audit entries built by customers.audit.audit_entries_build, written."""
    from customers.models import AuditEntry

    if not entries:
        return
    if connection.vendor != "postgresql":
        AuditEntry.objects.bulk_create(entries, batch_size=500)
        return
    _copy_objects(AuditEntry, entries, _columns(AuditEntry), timezone.now())
    _written(entries)


def db_params(model, fields: list[models.Field]) -> Callable[[models.Model], list]:
    """A function giving an object's values for `fields` as query parameters: what each
    field's get_db_prep_save gives, without its per-value call for the fields whose
    values PostgreSQL takes as they are held (as the COPY lines above)."""
    if connection.vendor != "postgresql":
        return lambda obj: [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
    held = [_as_held(f) for f in fields]
    if all(held):
        get = operator.attrgetter(*[f.attname for f in fields])
        return (lambda obj: [get(obj)]) if len(fields) == 1 else (lambda obj: list(get(obj)))

    def params(obj) -> list:
        return [
            getattr(obj, f.attname)
            if as_held
            else f.get_db_prep_save(getattr(obj, f.attname), connection)
            for f, as_held in zip(fields, held, strict=True)
        ]

    return params


def _element(value) -> str:
    """A value as an element of an array literal (`{…}`): NULL, or quoted, with the
    backslashes and double quotes inside escaped; the text is each type's input form,
    the text COPY gives it."""
    if value is None:
        return "NULL"
    kind = value.__class__
    if kind is bool:
        return '"t"' if value else '"f"'
    if kind is datetime.date or kind is datetime.datetime:
        return f'"{value.isoformat()}"'
    text = value if kind is str else str(value)
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def unnest_rows(fields: list[models.Field]) -> tuple[str, Callable[[list], list[str]]] | None:
    """On PostgreSQL, rows for `INSERT … SELECT`: `SELECT * FROM unnest(%s::type[], …)`
    and a function giving a batch of objects' values for `fields` as its parameters,
    one array literal per column. For a statement that COPY cannot be (INSERT … ON
    CONFLICT … RETURNING): a VALUES list of 1,000 rows of 17 columns is 17,000
    literals the server parses and coerces one by one (48 ms a chunk of bookings,
    against 22 ms for the same rows as 17 arrays, and the client's quoting of each
    value 20 ms against 7). The arrays are of each column's type without its length
    or precision, so the INSERT's assignment to the column refuses what it would
    refuse (an over-long text) rather than the cast cutting it. None (use VALUES)
    elsewhere, or when a field's values are not written as they are held."""
    if connection.vendor != "postgresql" or not all(_as_held(field) for field in fields):
        return None
    types = [re.sub(r"\(.*?\)", "", field.db_type(connection)).strip() for field in fields]
    arrays = ", ".join(f"%s::{kind}[]" for kind in types)  # the fields' own types
    select = f"SELECT * FROM unnest({arrays})"  # noqa: S608 - types from the fields
    get = operator.attrgetter(*[field.attname for field in fields])
    single = len(fields) == 1

    def params(objs: list) -> list[str]:
        rows = [(get(obj),) if single else get(obj) for obj in objs]
        return (
            ["{" + ",".join(map(_element, column)) + "}" for column in zip(*rows, strict=True)]
            if rows
            else ["{}"] * len(fields)
        )

    return select, params


def new_instances(model, **fixed) -> Callable[..., models.Model]:
    """A maker of new, unsaved instances of `model`: each a copy of one the model's own
    constructor made (its defaults and `fixed`), then `values` set as attributes. The
    constructor walks every field per call (~50 µs for a customer, the cost of a whole
    row's checks); the copy takes ~2 µs. Callable defaults are called for each one."""
    template = model(**fixed)
    state = {name: value for name, value in template.__dict__.items() if name != "_state"}
    fresh = [
        (field.attname, field)
        for field in model._meta.concrete_fields
        if field.has_default() and callable(field.default)
    ]
    # A related object is set as its descriptor would (the id and the cached object),
    # without the descriptor's database-router consultation per row.
    relations = {
        field.name: (field.attname, field.cache_name, field.target_field.attname)
        for field in model._meta.concrete_fields
        if field.is_relation
    }

    # A field whose class attribute has no setter (a plain column's DeferredAttribute)
    # is set in the instance's dict, as setattr would set it.
    plain = frozenset(
        field.attname
        for field in model._meta.concrete_fields
        if not hasattr(type(getattr(model, field.attname, None)), "__set__")
    )

    def make(**values) -> models.Model:
        obj = model.__new__(model)
        held = obj.__dict__
        held.update(state)
        obj._state = ModelState()
        for attname, field in fresh:
            held[attname] = field.get_default()
        for name, value in values.items():
            if name in plain:
                held[name] = value
            elif name in relations:
                attname, cache_name, target = relations[name]
                held[attname] = None if value is None else getattr(value, target)
                obj._state.fields_cache[cache_name] = value
            else:
                setattr(obj, name, value)
        return obj

    return make


def loaded_instances(model, attnames: list[str], *, db: str = "default"):
    """A maker of instances of `model` as `Model.from_db` builds them from a row of
    `attnames` (the model's other fields deferred): for a query of thousands of rows
    that leaves a field out. Django's from_db then pairs each concrete field with the
    loaded names by a list scan (quadratic in the fields: for a chunk's 1,000
    customers it cost more than the query) and its constructor walks every field;
    here each value is set as the constructor sets it (through the field's descriptor
    where it has a setter, into the instance's dict where not). With a model that has
    pre_init or post_init receivers (an ImageField's), Django's own from_db."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return lambda row: model.from_db(db, attnames, row)
    direct = [not hasattr(type(getattr(model, name, None)), "__set__") for name in attnames]
    if all(direct):

        def make(row) -> models.Model:
            obj = model.__new__(model)
            obj.__dict__.update(zip(attnames, row, strict=True))
            state = obj._state = ModelState()
            state.adding = False
            state.db = db
            return obj

        return make
    plain = [name for name, ok in zip(attnames, direct, strict=True) if ok]
    indexes = [index for index, ok in enumerate(direct) if ok]
    get = operator.itemgetter(*indexes) if indexes else (lambda row: ())
    pick = (lambda row: (get(row),)) if len(indexes) == 1 else get
    setters = [(index, attnames[index]) for index, ok in enumerate(direct) if not ok]

    def make_with_setters(row) -> models.Model:
        obj = model.__new__(model)
        obj._state = ModelState()
        obj.__dict__.update(zip(plain, pick(row), strict=True))
        for index, name in setters:
            setattr(obj, name, row[index])
        obj._state.adding = False
        obj._state.db = db
        return obj

    return make_with_setters
