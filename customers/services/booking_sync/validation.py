"""Each synced booking checked with the model's own rules, with no query of its own."""

import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from customers.constraint_checks import check_constraints
from customers.field_checks import FieldChecks
from customers.models import Booking, Destination
from customers.services.archive import customer_refuse_if_anonymised
from customers.services.booking_sync.items import _RELATIONS, NUMBER_MAX_LENGTH, SYNCED_FIELDS
from customers.validators import (
    validate_booking_source,
)


def _same(current: Any, wanted: Any) -> bool:
    if current is None or wanted is None:
        # What the comparisons below say of None (Decimal("None") raises, and a raised
        # exception per value cost a new booking's amounts more than the rest).
        return current is wanted
    if isinstance(current, Decimal) or isinstance(wanted, Decimal):
        try:
            return Decimal(str(current)) == Decimal(str(wanted))
        except ArithmeticError:
            return False
    if isinstance(current, datetime.date) and isinstance(wanted, str):
        return current.isoformat() == wanted
    return current == wanted


@cache
def _synced_columns() -> dict[str, tuple[str, bool]]:
    """Each synced field's (attname, is_relation): looked up once, not per value."""
    columns = {}
    for name in SYNCED_FIELDS:
        model_field = Booking._meta.get_field(name)
        columns[name] = (model_field.attname, model_field.is_relation)
    return columns


def _apply(booking: Booking, values: dict[str, Any]) -> list[str]:
    """Set `values` on `booking`; return the names of the fields that changed."""
    changed = []
    columns = _synced_columns()
    held = booking.__dict__
    for name, wanted in values.items():
        column = columns.get(name)
        if column is None:
            raise ValueError(f"{name} is not a synced booking field")
        attname, is_relation = column
        if is_relation:
            wanted_id = getattr(wanted, "pk", wanted)
            if isinstance(wanted, models.Model) and wanted_id is None:
                setattr(booking, name, wanted)  # not on file yet: the caller adds it
                changed.append(name)
            elif getattr(booking, attname) != wanted_id:
                setattr(booking, attname, wanted_id)
                if isinstance(wanted, models.Model):
                    setattr(booking, name, wanted)
                changed.append(name)
        else:
            current = held[attname] if attname in held else getattr(booking, attname)
            if _same(current, wanted):
                continue
            setattr(booking, name, wanted)
            changed.append(name)
    return changed


def _snapshot(booking: Booking) -> dict[str, Any]:
    return {name: getattr(booking, attname) for name, (attname, _r) in _synced_columns().items()}


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


# The fields `booking_validate` cleans: all but the address's number (the unique index
# decides on it) and the relations (checked against what the caller looked up).
_EXCLUDED = frozenset({"source_number", *_RELATIONS})
_CLEANED = frozenset(f.name for f in Booking._meta.fields if not f.generated) - _EXCLUDED
_FIELD_CHECKS = FieldChecks(Booking).only(_CLEANED)


def booking_validate(booking: Booking, *, destination_ids: set[int]) -> None:
    """`booking.full_clean(exclude=["source_number"])` without a query: the fields'
    validators, `Booking.clean`, the relations against what the caller looked up (the
    customer and creator are instances in hand; `destination_ids` the destinations on
    file), the CHECK constraints in Python. Raises the same ValidationError."""
    errors: dict = {}
    exclude = set(_EXCLUDED)
    try:
        # booking.clean_fields(exclude=exclude), the same checks without Django's
        # generic path per value (customers.field_checks).
        _FIELD_CHECKS.clean(booking, _CLEANED)
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
    customer = booking._state.fields_cache.get("customer")
    if booking._state.adding and customer is not None:
        # As booking_save: a kept booking may still be settled, a new one is refused.
        try:
            customer_refuse_if_anonymised(customer=customer, as_loaded=True)
        except ValidationError as error:
            errors.setdefault("customer", []).extend(error.error_list)
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
