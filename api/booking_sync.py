"""Bookings from other systems through the API: one (PUT) or a batch of up to 500 (POST).

Every booking goes through `customers.services.booking_sync_many`, the one sync service
the importer uses too (a PUT is a chunk of one): the same booking sent again changes
nothing, a changed one is updated with history and audit, copies sent at once give one
booking, and points, grades, follow-ups and webhooks follow as for a booking typed on
the page.

What this module adds is finding what each booking names, for many at once: its customer
(by id, or by one identifier the caller may see) and its destination (by id or name), in
a handful of queries for a whole batch. A customer is looked for among those the caller
sees (`customer_list_visible`); the service then refuses one they may not record
bookings for (forbidden). A full ID number finds a customer only where the caller may
see full ID numbers (`customer_id_number_match`), so the API is no oracle for them.

Batch items are independent: each is checked on its own, and the result says for each
what happened; a refused item never holds back another, and sending the same batch again
is safe (every item is idempotent). The batch is one chunk of the service: its bookings
are written with a constant number of statements and commit together, and the points
they earn are earned set-based right after the commit (loyalty's receiver of
`bookings_saved_many`; a failure there is logged and left to the monthly sweep)."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework import serializers

from api.serializers.bookings import CUSTOMER_REFERENCES, BookingSyncItemSerializer
from customers.models import Customer, CustomerKind, Destination
from customers.selectors import customer_id_number_match, customer_list_visible
from customers.services.booking_sync import (
    FORBIDDEN,
    REFUSED,
    SYNCED_FIELDS,
    BookingSyncItem,
    booking_sync_many,
)
from customers.validators import (
    normalize_id_number,
    normalize_mobile,
    normalize_org_name,
)

# What an item may set: the sync's fields, less the destination (named, found by name).
VALUE_FIELDS = tuple(name for name in SYNCED_FIELDS if name != "destination")
# Which identifier each reference field is, and how it is normalised.
_LOOKUPS = {
    "customer_mobile": ("mobile", normalize_mobile),
    "customer_id_number": ("id_number", normalize_id_number),
    "customer_name": ("name_normalised", normalize_org_name),
}
INVALID = "invalid"


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


def _item_result(*, index: int, source: str, number: str, synced) -> ItemResult:
    result = ItemResult(index=index, status=INVALID, source=source, number=number)
    if synced.outcome == FORBIDDEN:
        result.status = FORBIDDEN
        result.errors = [
            {
                "field": "customer",
                "detail": _("You may not record bookings for this customer."),
                "code": "forbidden",
            }
        ]
    elif synced.outcome == REFUSED:
        result.errors = _errors(synced.error)
    else:
        result.status = synced.outcome
        result.booking = synced.booking
        result.id = synced.booking.pk
        result.source, result.number = synced.booking.source, synced.booking.source_number
    return result


def _sync_items(*, user, items: list[tuple[int, str, str, dict]], references) -> list[ItemResult]:
    """Find what each item names, then sync them all as one chunk."""
    results: dict[int, ItemResult] = {}
    chunk: list[tuple[int, str, str]] = []
    sync_items: list[BookingSyncItem] = []
    for index, source, number, item in items:
        try:
            customer = references.customer(item)
            values = _values(item, references)
        except DjangoValidationError as error:
            results[index] = ItemResult(
                index=index, status=INVALID, source=source, number=number, errors=_errors(error)
            )
            continue
        chunk.append((index, source, number))
        sync_items.append(
            BookingSyncItem(customer=customer, source=source, number=number, values=values)
        )
    for (index, source, number), synced in zip(
        chunk, booking_sync_many(actor=user, items=sync_items), strict=True
    ):
        results[index] = _item_result(index=index, source=source, number=number, synced=synced)
    return [results[index] for index, _s, _n, _i in items]


def sync_one(*, user, source: str, number: str, item: dict) -> ItemResult:
    """Sync one booking whose input passed its serializer (a chunk of one). Raises
    nothing for a refusal: the result says `invalid` (with field errors) or
    `forbidden`."""
    references = References(user=user, items=[item])
    return _sync_items(user=user, items=[(0, source, number, item)], references=references)[0]


def sync_batch(*, user, items: list) -> list[ItemResult]:
    """Check every item's shape, find what they name in one go, then sync the valid ones
    as one chunk (customers.services.booking_sync_many: one commit, a constant number
    of statements, the points earned set-based after the commit)."""
    checked: list[tuple[int, dict | None, list[dict]]] = []
    # One serializer checks every item, as a ListSerializer's child does: a serializer
    # per item would deep-copy its fields 500 times (a third of a batch's time).
    checker = BookingSyncItemSerializer()
    for index, raw in enumerate(items):
        if not isinstance(raw, dict):
            checked.append((index, None, [_error("", _("Each booking must be an object."))]))
            continue
        try:
            checked.append((index, dict(checker.run_validation(raw)), []))
        except serializers.ValidationError as error:
            checked.append((index, None, _errors(serializers.as_serializer_error(error))))
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
            live.append((index, item.pop("source"), item.pop("number"), item))
    for result in _sync_items(user=user, items=live, references=references):
        results[result.index] = result
    return [results[index] for index in range(len(items))]


def _error(name: str, message) -> dict:
    return {"field": name, "detail": str(message), "code": "invalid"}
