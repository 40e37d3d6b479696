"""Bookings sent by another system (the booking system, the website, a finance ledger
imported from a spreadsheet), addressed by that system's name and its booking number.

One mechanism for every door that syncs bookings: the API's PUT (a chunk of one), the
API's batch and the importer (a chunk of up to a thousand) all go through
`booking_sync_many`. Sending the same booking again changes nothing, sending a changed
one updates it (its change history and the audit log say so), and twenty copies
arriving at once give one booking.

Set-based, so the cost of a chunk is a constant number of statements whatever its size:
one SELECT … FOR UPDATE of the chunk's bookings already on file, one query for the
destinations named by id (when any), one INSERT … ON CONFLICT (source, number) DO
NOTHING for the new ones, one UPDATE for the changed ones, one INSERT each for their
history and audit rows. Each item is validated with the model's own rules (field
validators, `Booking.clean`, the CHECK constraints), evaluated in Python
(customers.constraint_checks) and with the chunk's customers and destinations in hand,
so no row costs a query of its own.

Concurrency: the database's unique (source, number) index decides. A new booking whose
INSERT meets a row another transaction committed meanwhile (the INSERT waits for it) is
not inserted; it is read again, locked, and compared like any booking on file. Rows are
locked and inserted in (source, number) order, so two chunks that share bookings never
wait on each other in a circle.

What follows a saved booking is announced as for a typed one, per chunk: inside the
transaction `bookings_paid_many` (the webhooks outbox), after the commit
`bookings_saved_many` (points, earned set-based by loyalty)."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.sql import Query
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.audit import audit_entries_build
from customers.constraint_checks import check_constraints
from customers.models import AuditAction, AuditEntry, Booking, BookingStatus, Customer, Destination
from customers.selectors import booking_can_edit
from customers.signals import bookings_paid_many, bookings_saved_many
from customers.validators import (
    normalize_booking_number,
    normalize_booking_source,
    validate_booking_source,
)

# What a source system may set on a booking; the customer, source and number address it.
SYNCED_FIELDS = (
    "product",
    "destination",
    "trip_type",
    "start_date",
    "end_date",
    "head_count",
    "amount",
    "cost",
    "payment_due_date",
    "paid_date",
    "refunded_amount",
    "status",
)
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
REFUSED, FORBIDDEN = "refused", "forbidden"
NUMBER_MAX_LENGTH = Booking._meta.get_field("source_number").max_length
# Checked by hand against the chunk's lookups (Django's ForeignKey.validate asks the
# database for every row).
_RELATIONS = ("customer", "destination", "created_by")


@dataclass(frozen=True)
class SyncedBooking:
    booking: Booking
    outcome: str  # CREATED, UPDATED or UNCHANGED


@dataclass
class BookingSyncItem:
    """One booking of a chunk: its customer (found by the caller), its address, and the
    values to set (`destination` as a Destination or its id)."""

    customer: Customer
    source: str
    number: str
    values: dict[str, Any]


@dataclass
class BookingSyncResult:
    outcome: str  # CREATED, UPDATED, UNCHANGED, REFUSED or FORBIDDEN
    booking: Booking | None = None
    error: ValidationError | None = None  # REFUSED: field errors in the active language
    changed: list[str] = field(default_factory=list)
    source: str = ""
    number: str = ""


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(current, Decimal) or isinstance(wanted, Decimal):
        try:
            return Decimal(str(current)) == Decimal(str(wanted))
        except ArithmeticError:
            return False
    if isinstance(current, datetime.date) and isinstance(wanted, str):
        return current.isoformat() == wanted
    return current == wanted


def _apply(booking: Booking, values: dict[str, Any]) -> list[str]:
    """Set `values` on `booking`; return the names of the fields that changed."""
    changed = []
    for name, wanted in values.items():
        if name not in SYNCED_FIELDS:
            raise ValueError(f"{name} is not a synced booking field")
        model_field = Booking._meta.get_field(name)
        if model_field.is_relation:
            wanted_id = getattr(wanted, "pk", wanted)
            if isinstance(wanted, models.Model) and wanted_id is None:
                setattr(booking, name, wanted)  # not on file yet: the caller adds it
                changed.append(name)
            elif getattr(booking, model_field.attname) != wanted_id:
                setattr(booking, model_field.attname, wanted_id)
                if isinstance(wanted, models.Model):
                    setattr(booking, name, wanted)
                changed.append(name)
        elif not _same(getattr(booking, model_field.attname), wanted):
            setattr(booking, name, wanted)
            changed.append(name)
    return changed


def _snapshot(booking: Booking) -> dict[str, Any]:
    return {name: getattr(booking, Booking._meta.get_field(name).attname) for name in SYNCED_FIELDS}


def _address_errors(source: str, number: str) -> dict[str, list[ValidationError]]:
    # Messages keep their parameters apart, so a report can render them in any language.
    errors: dict[str, list[ValidationError]] = {}
    try:
        validate_booking_source(source)
    except ValidationError as error:
        errors["source"] = error.error_list
    if not source:
        errors.setdefault("source", []).append(
            ValidationError(_("Name the system the booking came from."), code="required")
        )
    if not number:
        errors["source_number"] = [
            ValidationError(_("The booking number at the source is required."), code="required")
        ]
    elif len(number) > NUMBER_MAX_LENGTH:
        # Checked here: the unique index decides on source_number, where an overlong
        # number would fail as a database error, not a field error.
        errors["source_number"] = [
            ValidationError(
                _("A booking number has at most %(max)d characters."),
                code="max_length",
                params={"max": NUMBER_MAX_LENGTH},
            )
        ]
    return errors


def _other_customer(booking: Booking) -> ValidationError:
    return ValidationError(
        {
            "source_number": [
                ValidationError(
                    _(
                        "Booking %(number)s from %(source)s is on file for another customer; "
                        "it cannot be moved by a sync."
                    ),
                    code="other_customer",
                    params={"number": booking.source_number, "source": booking.source},
                )
            ]
        }
    )


def booking_validate(booking: Booking, *, destination_ids: set[int]) -> None:
    """`booking.full_clean(exclude=["source_number"])` without a query: the fields'
    validators, `Booking.clean`, the relations against what the caller looked up (the
    customer and creator are instances in hand; `destination_ids` the destinations on
    file), the CHECK constraints in Python. Raises the same ValidationError."""
    errors: dict = {}
    exclude = {"source_number", *_RELATIONS}
    try:
        booking.clean_fields(exclude=exclude)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for name in _RELATIONS:
        relation = Booking._meta.get_field(name)
        value = getattr(booking, relation.attname)
        pending = booking._state.fields_cache.get(name)
        if value is None and isinstance(pending, Destination) and pending.name:
            continue  # a new place, added by the caller before the booking is written
        try:
            # The plain field checks (null, blank) of ForeignKey.validate, not its query.
            models.Field.validate(relation, value, booking)
        except ValidationError as error:
            errors.setdefault(name, []).extend(error.error_list)
            continue
        if name == "destination" and value not in destination_ids:
            errors.setdefault(name, []).append(
                ValidationError(
                    relation.error_messages["invalid"],
                    code="invalid",
                    params={
                        "model": Destination._meta.verbose_name,
                        "pk": value,
                        "field": "id",
                        "value": value,
                    },
                )
            )
    try:
        booking.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        check_constraints(
            booking, exclude=exclude | {name for name in errors if name != NON_FIELD_ERRORS}
        )
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


# --- Writing a chunk ---------------------------------------------------------------------


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
    with connection.cursor() as cursor:
        for start in range(0, len(bookings), per_statement):
            batch = bookings[start : start + per_statement]
            params = [
                column.get_db_prep_save(getattr(booking, column.attname), connection)
                for booking in batch
                for column in columns
            ]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([row] * len(batch))} "  # noqa: S608
                f"ON CONFLICT {target} DO NOTHING RETURNING {quote('id')}, "
                f"{quote('source')}, {quote('source_number')}",
                params,
            )
            for pk, source, number in cursor.fetchall():
                booking = by_key.pop((source, number))
                booking.pk = pk
                booking._state.adding = False
                booking._state.db = connection.alias
    return set(by_key)


def _on_file(keys: set[tuple[str, str]], *, lock: bool) -> dict[tuple[str, str], Booking]:
    if not keys:
        return {}
    numbers: dict[str, list[str]] = {}
    for source, number in keys:
        numbers.setdefault(source, []).append(number)
    condition = Q()
    for source, wanted in numbers.items():
        condition |= Q(source=source, source_number__in=wanted)
    found = Booking.objects.filter(condition).order_by("pk")
    if lock:
        found = found.select_for_update()
    return {(booking.source, booking.source_number): booking for booking in found}


class BookingSyncPlan:
    """A chunk of items with distinct (source, number), looked up and validated: each
    result says what writing it will do (CREATED, UPDATED, UNCHANGED) or why not
    (REFUSED, FORBIDDEN). `booking_sync_apply` writes it. Made with `lock=True` inside
    the transaction that applies it, the bookings on file stay locked until then."""

    def __init__(
        self, *, actor, items: dict, results: dict, audit_detail: dict | None, announce=True
    ):
        self.actor = actor
        self.announce = announce
        self.saved_ids: list[int] = []
        self.items = items  # index → (item, source, number)
        self.results = results  # index → BookingSyncResult
        self.audit_detail = audit_detail or {}
        self.destination_ids = _destination_ids([item for item, _s, _n in items.values()])
        self.fresh: dict[tuple[str, str], tuple[int, Booking]] = {}
        self.updated: list[tuple[int, Booking, str]] = []  # index, booking, status before

    def make(self, *, lock: bool) -> None:
        keys = {index: (source, number) for index, (_i, source, number) in self.items.items()}
        on_file = _on_file(set(keys.values()), lock=lock)
        for index in sorted(keys, key=lambda i: keys[i]):
            booking = on_file.get(keys[index])
            if booking is None:
                self.new(index)
            else:
                self.compare(index, booking)

    def compare(self, index: int, booking: Booking) -> None:
        """An item whose booking is on file: unchanged, updated or refused."""
        item = self.items[index][0]
        result = self.results[index]
        if booking.customer_id != item.customer.pk:
            result.outcome, result.error = REFUSED, _other_customer(booking)
            return
        booking.customer = item.customer  # in hand: the audit entry names it
        before = _snapshot(booking)
        if not _apply(booking, item.values):
            result.outcome, result.booking = UNCHANGED, booking
            return
        try:
            # The destination it has is on file (the database keeps it so).
            known = self.destination_ids | {before["destination"]}
            booking_validate(booking, destination_ids=known)
        except ValidationError as error:
            result.outcome, result.error = REFUSED, error
            return
        after = _snapshot(booking)
        changed = [name for name in SYNCED_FIELDS if not _same(before[name], after[name])]
        result.booking = booking
        if not changed:
            result.outcome = UNCHANGED
            return
        result.outcome, result.changed = UPDATED, changed
        booking._history_user = self.actor
        self.updated.append((index, booking, before["status"]))

    def new(self, index: int) -> None:
        item, source, number = self.items[index]
        result = self.results[index]
        booking = Booking(
            customer=item.customer, source=source, source_number=number, created_by=self.actor
        )
        _apply(booking, item.values)
        try:
            booking_validate(booking, destination_ids=self.destination_ids)
        except ValidationError as error:
            result.outcome, result.error = REFUSED, error
            return
        booking._history_user = self.actor
        result.outcome, result.booking = CREATED, booking
        self.fresh[(source, number)] = (index, booking)

    def apply(self, only: set[int] | None = None) -> None:
        """Write the planned creations and changes (of the items `only` names)."""
        fresh = {
            key: (index, booking)
            for key, (index, booking) in self.fresh.items()
            if only is None or index in only
        }
        updated = [entry for entry in self.updated if only is None or entry[0] in only]
        self.fresh, self.updated = {}, []
        for _index, booking in [*fresh.values(), *[(i, b) for i, b, _s in updated]]:
            # A destination the caller created after the plan (the importer's new
            # places) now has its id.
            booking._prepare_related_fields_for_save(operation_name="sync")
        now = timezone.now()
        bookings = [
            booking
            for _i, booking in sorted(
                fresh.values(), key=lambda e: (e[1].source, e[1].source_number)
            )
        ]
        lost = _insert_new(bookings, now=now) if fresh else set()
        created = [booking for key, (_i, booking) in fresh.items() if key not in lost]
        # Inserted by another transaction since the plan: compared with its row instead.
        for key, booking in _on_file(lost, lock=True).items():
            self.compare(fresh[key][0], booking)
        updated += self.updated
        self.write(created=created, updated=updated, now=now)

    def write(self, *, created: list[Booking], updated: list[tuple], now) -> None:
        actor = self.actor
        changed_bookings = [booking for _i, booking, _s in updated]
        if updated:
            fields = sorted({name for i, _b, _s in updated for name in self.results[i].changed})
            Booking.objects.bulk_update(changed_bookings, fields)
        if not created and not updated:
            return
        history = Booking.history
        if created:
            history.bulk_history_create(created, default_user=actor, default_date=now)
        if updated:
            history.bulk_history_create(
                changed_bookings, update=True, default_user=actor, default_date=now
            )
        detail = self.audit_detail
        entries = audit_entries_build(
            actor=actor, action=AuditAction.CREATE, items=[(b, dict(detail)) for b in created]
        ) + audit_entries_build(
            actor=actor,
            action=AuditAction.CHANGE,
            items=[(b, {**detail, "fields": self.results[i].changed}) for i, b, _s in updated],
        )
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
        paid = [b.pk for b in created if b.status == BookingStatus.PAID] + [
            b.pk
            for _i, b, status in updated
            if b.status == BookingStatus.PAID and status != BookingStatus.PAID
        ]
        if paid:
            bookings_paid_many.send(sender=Booking, booking_ids=paid, actor=actor)
        ids = sorted(booking.pk for booking in [*created, *changed_bookings])
        self.saved_ids += ids
        if not self.announce:
            return  # the caller sends bookings_saved_many itself, after its commit
        transaction.on_commit(
            lambda: bookings_saved_many.send(sender=Booking, booking_ids=ids, actor=actor)
        )


def _destination_ids(items: list[BookingSyncItem]) -> set[int]:
    """The destinations the items name that are on file: those given as instances, and
    those given by id that one query finds."""
    known, wanted = set(), set()
    for item in items:
        destination = item.values.get("destination")
        if isinstance(destination, Destination) and destination.pk is not None:
            known.add(destination.pk)
        elif isinstance(destination, int):
            wanted.add(destination)
    if wanted - known:
        known |= set(Destination.objects.filter(pk__in=wanted - known).values_list("pk", flat=True))
    return known


def _passes(*, actor, items: list[BookingSyncItem], results: dict) -> list[dict]:
    """Check each item's address and the actor's right to its customer; group the rest
    in passes of distinct (source, number): the k-th copy of a number in the k-th."""
    may_edit: dict[int, bool] = {}
    passes: list[dict[int, tuple]] = []
    seen: Counter = Counter()
    for index, item in enumerate(items):
        source = normalize_booking_source(item.source or "")
        number = normalize_booking_number(item.number or "")
        result = results[index] = BookingSyncResult(outcome=REFUSED, source=source, number=number)
        errors = _address_errors(source, number)
        if errors:
            result.error = ValidationError(errors)
            continue
        customer = item.customer
        if customer.pk not in may_edit:
            may_edit[customer.pk] = booking_can_edit(user=actor, customer=customer)
        if not may_edit[customer.pk]:
            result.outcome = FORBIDDEN
            continue
        key = (source, number)
        if seen[key] == len(passes):
            passes.append({})
        passes[seen[key]][index] = (item, source, number)
        seen[key] += 1
    return passes


def booking_sync_plan(
    *,
    actor,
    items: list[BookingSyncItem],
    lock: bool,
    audit_detail: dict | None = None,
    announce: bool = True,
) -> tuple[BookingSyncPlan, list[BookingSyncResult]]:
    """Look up and validate a chunk whose (source, number) are distinct, writing
    nothing: the importer's check (lock=False), or the first half of its commit
    (lock=True, in its transaction; `booking_sync_apply` then writes). A value of
    `destination` may be an unsaved Destination the caller creates before applying.
    With `announce=False` the caller sends `bookings_saved_many` for `plan.saved_ids`
    itself once its transaction committed (the importer, after the whole file)."""
    results: dict[int, BookingSyncResult] = {}
    passes = _passes(actor=actor, items=items, results=results)
    if len(passes) > 1:
        raise ValueError("a plan takes each (source, number) once")
    plan = BookingSyncPlan(
        actor=actor,
        items=passes[0] if passes else {},
        results=results,
        audit_detail=audit_detail,
        announce=announce,
    )
    plan.make(lock=lock)
    return plan, [results[index] for index in range(len(items))]


def booking_sync_apply(plan: BookingSyncPlan, *, only: set[int] | None = None) -> None:
    """Write what `plan` found to create or change (the items at the indexes `only`
    names, or all); their results are updated where a concurrent writer got there
    first."""
    plan.apply(only)


def booking_sync_many(
    *, actor, items: list[BookingSyncItem], audit_detail: dict | None = None
) -> list[BookingSyncResult]:
    """Create or update a chunk of bookings from source systems, each independently:
    the result for each item (in order) says created, updated, unchanged, refused (with
    field errors) or forbidden (`actor` may not record bookings for its customer). A
    refused item never holds back the others. The chunk commits together (inside the
    caller's transaction, if any). The same (source, number) twice in a chunk: the later
    item applies on top of the earlier."""
    results: dict[int, BookingSyncResult] = {}
    passes = _passes(actor=actor, items=items, results=results)
    if passes:
        with transaction.atomic():
            for chunk_items in passes:
                plan = BookingSyncPlan(
                    actor=actor, items=chunk_items, results=results, audit_detail=audit_detail
                )
                plan.make(lock=True)
                plan.apply()
    return [results[index] for index in range(len(items))]


def booking_sync_from_source(
    *, actor, customer: Customer, source: str, number: str, values: dict[str, Any]
) -> SyncedBooking:
    """Create or update the booking `number` of `source` for `customer`: a chunk of one.

    Raises PermissionDenied when `actor` may not record bookings for `customer`, and
    ValidationError (field errors, in the active language) when the values are not a
    valid booking or the number belongs to another customer's booking."""
    (result,) = booking_sync_many(
        actor=actor,
        items=[BookingSyncItem(customer=customer, source=source, number=number, values=values)],
    )
    if result.outcome == FORBIDDEN:
        raise PermissionDenied(_("You may not record bookings for this customer."))
    if result.outcome == REFUSED:
        raise result.error
    return SyncedBooking(result.booking, result.outcome)
