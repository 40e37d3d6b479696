"""A chunk planned (looked up and validated, nothing written) and applied."""

from collections import Counter
from functools import cache
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.audit import audit_entries_build
from customers.bulk_writing import insert_audit_entries, insert_history, new_instances
from customers.models import AuditAction, Booking, BookingStatus, Customer, Destination
from customers.selectors import booking_can_edit
from customers.services.booking_sync.items import (
    CREATED,
    FORBIDDEN,
    REFUSED,
    SYNCED_FIELDS,
    UNCHANGED,
    UPDATED,
    BookingSyncItem,
    BookingSyncResult,
    SyncedBooking,
)
from customers.services.booking_sync.validation import (
    _address_errors,
    _apply,
    _other_customer,
    _same,
    _snapshot,
    booking_validate,
)
from customers.services.booking_sync.writing import _insert_new, _on_file
from customers.signals import bookings_paid_many, bookings_saved_many
from customers.validators import (
    normalize_booking_number,
    normalize_booking_source,
)


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
        booking = _new_booking()(
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
        relations = _relations()
        for _index, booking in [*fresh.values(), *[(i, b) for i, b, _s in updated]]:
            # A destination the caller created after the plan (the importer's new
            # places) now has its id. Django's own preparation, only for a booking
            # whose related objects in hand do not already match its ids (it walked
            # every relation of every booking: a tenth of the chunk's writing).
            if not _related_ready(booking, relations):
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
        # (Each booking's _history_user is the actor.)
        insert_history(Booking, created, actor=actor, now=now)
        insert_history(Booking, changed_bookings, actor=actor, now=now, history_type="~")
        detail = self.audit_detail
        entries = audit_entries_build(
            actor=actor, action=AuditAction.CREATE, items=[(b, dict(detail)) for b in created]
        ) + audit_entries_build(
            actor=actor,
            action=AuditAction.CHANGE,
            items=[(b, {**detail, "fields": self.results[i].changed}) for i, b, _s in updated],
        )
        insert_audit_entries(entries)
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


@cache
def _relations() -> list[tuple[str, str, str]]:
    """(name, attname, target attname) of each of Booking's foreign keys."""
    return [
        (field.name, field.attname, field.target_field.attname)
        for field in Booking._meta.concrete_fields
        if field.is_relation
    ]


def _related_ready(booking: Booking, relations) -> bool:
    """True when `_prepare_related_fields_for_save` has nothing to do: every related
    object held is saved and its id is the booking's."""
    held = booking._state.fields_cache
    values = booking.__dict__
    for name, attname, target in relations:
        obj = held.get(name)
        if obj is not None and (obj.pk is None or values.get(attname) != getattr(obj, target)):
            return False
    return True


@cache
def _new_booking():
    """Booking(…) without the constructor's walk over every field per booking (a copy of
    one it made: customers.bulk_writing.new_instances)."""
    return new_instances(Booking)


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
