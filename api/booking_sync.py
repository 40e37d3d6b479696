"""Bookings from other systems through the API: one (PUT) or a batch of up to 500 (POST).

Each booking goes through `customers.services.booking_sync_from_source`, the one sync
service the importer uses too: the same booking sent again changes nothing, a changed
one is updated with history and audit, copies sent at once give one booking, and points,
grades, follow-ups and webhooks follow as for a booking typed on the page.

What this module adds is finding what each booking names, for many at once: its customer
(by id, or by one identifier the caller may see) and its destination (by id or name), in
a handful of queries for a whole batch. A customer is looked for among those the caller
sees (`customer_list_visible`); the service then refuses one they may not record
bookings for (PermissionDenied). A full ID number finds a customer only where the caller
may see full ID numbers (`customer_id_number_match`), so the API is no oracle for them.

Batch items are independent: each is checked on its own and saved in its own savepoint,
and the result says for each what happened; a refused item never undoes another, and
sending the same batch again is safe (every item is idempotent). What is not per item
is the commit: the batch's bookings commit together, then what follows a saved booking
(the points it earns: `booking_saved`'s receivers, which run after the commit) runs for
all of them in one more transaction. A commit waits for the disk (measured here: 7 ms;
a statement takes 0.1 ms), so one commit per item would cost more than all the rest of
the work. Items are saved in (customer, source, number) order, so two batches that
share bookings or customers take their row locks in the same order and never deadlock.
A receiver that fails is logged and left to the monthly points sweep, as the page's
booking form leaves it (loyalty.services.ledger.on_booking_saved)."""

import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from api.serializers.bookings import CUSTOMER_REFERENCES, BookingSyncItemSerializer
from customers.models import Customer, CustomerKind, Destination
from customers.selectors import customer_id_number_match, customer_list_visible
from customers.services import booking_sync_from_source
from customers.services.booking_sync import SYNCED_FIELDS
from customers.validators import (
    normalize_booking_number,
    normalize_booking_source,
    normalize_id_number,
    normalize_mobile,
    normalize_org_name,
)

log = logging.getLogger(__name__)

# What an item may set: the sync's fields, less the destination (named, found by name).
VALUE_FIELDS = tuple(name for name in SYNCED_FIELDS if name != "destination")
# Which identifier each reference field is, and how it is normalised.
_LOOKUPS = {
    "customer_mobile": ("mobile", normalize_mobile),
    "customer_id_number": ("id_number", normalize_id_number),
    "customer_name": ("name_normalised", normalize_org_name),
}
INVALID, FORBIDDEN = "invalid", "forbidden"


@dataclass
class ItemResult:
    index: int
    status: str
    source: str = ""
    number: str = ""
    id: int | None = None
    booking: Any = None
    errors: list[dict] = field(default_factory=list)


def _field_name(name: str) -> str:
    name = "" if name in ("non_field_errors", "__all__") else name
    return "number" if name == "source_number" else name


def _errors(detail, prefix: str = "") -> list[dict]:
    """Field errors, from a serializer ({field: [ErrorDetail]}) or a service (Django's
    ValidationError), as a flat list of {field, detail, code}."""
    if isinstance(detail, DjangoValidationError):
        groups = detail.error_dict.items() if hasattr(detail, "error_dict") else [("", [detail])]
        return [
            {"field": _field_name(name), "detail": message, "code": error.code or "invalid"}
            for name, errors in groups
            for error in errors
            for message in error.messages
        ]
    out = []
    for name, messages in detail.items():
        name = _field_name(name)
        for message in messages if isinstance(messages, list) else [messages]:
            if isinstance(message, dict):  # a nested serializer's errors
                out += _errors(message, prefix=f"{prefix}{name}.")
                continue
            out.append(
                {
                    "field": f"{prefix}{name}",
                    "detail": str(message),
                    "code": getattr(message, "code", None) or "invalid",
                }
            )
    return out


class References:
    """The customers and destinations a set of bookings names, found in one query per
    kind of reference."""

    def __init__(self, *, user, items: list[dict]):
        self.user = user
        wanted: dict[str, set] = {name: set() for name in CUSTOMER_REFERENCES}
        for item in items:
            for name in CUSTOMER_REFERENCES:
                if name in item:
                    wanted[name].add(self._key(name, item[name]))
        visible = customer_list_visible(user=user).select_related("owner__team")
        self.customers: dict[tuple[str, Any], list[Customer]] = {}
        found: list[tuple[str, Q]] = []
        if wanted["customer"]:
            found.append(("customer", Q(pk__in=wanted["customer"])))
        if wanted["customer_mobile"]:
            found.append(("customer_mobile", Q(mobile__in=wanted["customer_mobile"] - {""})))
        if wanted["customer_id_number"]:
            numbers = wanted["customer_id_number"] - {""}
            if numbers:
                found.append(
                    ("customer_id_number", customer_id_number_match(user=user, id_number=numbers))
                )
        if wanted["customer_name"]:
            found.append(
                (
                    "customer_name",
                    Q(name_normalised__in=wanted["customer_name"] - {""})
                    & ~Q(kind=CustomerKind.INDIVIDUAL),
                )
            )
        for name, condition in found:
            attribute = "pk" if name == "customer" else _LOOKUPS[name][0]
            for customer in visible.filter(condition):
                key = (name, getattr(customer, attribute))
                self.customers.setdefault(key, []).append(customer)
        ids = {item["destination"] for item in items if "destination" in item}
        names = {item["destination_name"].strip() for item in items if "destination_name" in item}
        self.destinations: dict[Any, Destination] = {}
        if ids or names:
            for destination in Destination.objects.filter(Q(pk__in=ids) | Q(name__in=names)):
                self.destinations[destination.pk] = destination
                self.destinations[destination.name] = destination

    @staticmethod
    def _key(name: str, value):
        if name == "customer":
            return value
        return _LOOKUPS[name][1](value)

    def customer(self, item: dict) -> Customer:
        name = next(name for name in CUSTOMER_REFERENCES if name in item)
        matches = self.customers.get((name, self._key(name, item[name])), [])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            message = {
                "customer": _("No customer you can see has this id."),
                "customer_mobile": _("No customer you can see has this mobile number."),
                "customer_id_number": _(
                    "No customer whose full ID number you may see has this ID number."
                ),
                "customer_name": _("No organisation you can see has this name."),
            }[name]
        else:  # pragma: no cover - the identifiers are unique in the database
            message = _("More than one customer has this identifier; give the customer's id.")
        raise DjangoValidationError({name: [message]})

    def destination(self, item: dict) -> Destination | None:
        if "destination" in item:
            found = self.destinations.get(item["destination"])
            if found is None:
                raise DjangoValidationError({"destination": [_("No destination has this id.")]})
            return found
        if "destination_name" in item:
            found = self.destinations.get(item["destination_name"].strip())
            if found is None:
                raise DjangoValidationError(
                    {"destination_name": [_("No destination has this name.")]}
                )
            return found
        return None


def _values(item: dict, references: References) -> dict:
    values = {name: item[name] for name in VALUE_FIELDS if name in item}
    destination = references.destination(item)
    if destination is not None:
        values["destination"] = destination
    return values


def sync_one(*, user, source: str, number: str, item: dict, references=None) -> ItemResult:
    """Sync one booking whose input passed its serializer. Raises nothing for a refusal:
    the result says `invalid` (with field errors) or `forbidden`."""
    references = references or References(user=user, items=[item])
    result = ItemResult(index=0, status=INVALID, source=source, number=number)
    try:
        customer = references.customer(item)
        synced = booking_sync_from_source(
            actor=user,
            customer=customer,
            source=source,
            number=number,
            values=_values(item, references),
        )
    except PermissionDenied:
        result.status = FORBIDDEN
        result.errors = [
            {
                "field": "customer",
                "detail": _("You may not record bookings for this customer."),
                "code": "forbidden",
            }
        ]
    except DjangoValidationError as error:
        result.errors = _errors(error)
    else:
        result.status = synced.outcome
        result.booking = synced.booking
        result.id = synced.booking.pk
        result.source, result.number = synced.booking.source, synced.booking.source_number
    return result


def sync_batch(*, user, items: list) -> list[ItemResult]:
    """Check every item, find what they name in one go, then sync each in its savepoint
    (one commit for the batch), then run what follows the saved bookings (points) in
    one more transaction."""
    checked: list[tuple[int, dict | None, list[dict]]] = []
    for index, raw in enumerate(items):
        if not isinstance(raw, dict):
            checked.append((index, None, [_error("", _("Each booking must be an object."))]))
            continue
        serializer = BookingSyncItemSerializer(data=raw)
        if serializer.is_valid():
            checked.append((index, dict(serializer.validated_data), []))
        else:
            checked.append((index, None, _errors(serializer.errors)))
    references = References(user=user, items=[item for _i, item, _e in checked if item])
    results: dict[int, ItemResult] = {}
    live = []
    for index, item, errors in checked:
        if item is None:
            raw = items[index] if isinstance(items[index], dict) else {}
            results[index] = ItemResult(
                index=index,
                status=INVALID,
                source=str(raw.get("source", ""))[:40],
                number=str(raw.get("number", ""))[:64],
                errors=errors,
            )
        else:
            live.append((_lock_order(item, references, index), index, item))
    connection = transaction.get_connection()
    with transaction.atomic():
        hooks_before = len(connection.run_on_commit)
        for _order, index, item in sorted(live, key=lambda entry: entry[0]):
            result = sync_one(
                user=user,
                source=item.pop("source"),
                number=item.pop("number"),
                item=item,
                references=references,
            )
            result.index = index
            results[index] = result
        follow_ups = [func for _sids, func, _robust in connection.run_on_commit[hooks_before:]]
        del connection.run_on_commit[hooks_before:]
    _run_together(follow_ups)
    return [results[index] for index in range(len(items))]


def _lock_order(item: dict, references: References, index: int) -> tuple:
    try:
        customer_id = references.customer(item).pk
    except DjangoValidationError:
        customer_id = 0  # refused before any lock is taken
    return (
        customer_id,
        normalize_booking_source(item["source"]),
        normalize_booking_number(item["number"]),
        index,
    )


def _run_together(follow_ups) -> None:
    """Run the saved bookings' after-commit work in one transaction, each in its own
    savepoint: one failing (logged) leaves the others, as separate commits would."""
    if not follow_ups:
        return
    with transaction.atomic():
        for func in follow_ups:
            try:
                with transaction.atomic():
                    func()
            except Exception:
                log.exception("After-commit work of a synced booking failed; the sweep retries")


def _error(name: str, message) -> dict:
    return {"field": name, "detail": str(message), "code": "invalid"}
