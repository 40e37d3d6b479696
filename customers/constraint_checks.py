"""A model's CheckConstraints evaluated in Python, for writers that validate thousands of
rows: Django's `Model.validate_constraints` asks the database (one SELECT per constraint
per row), which for a chunk of 500 bookings is 3,000 round trips for what the values
already say. The conditions are the model's own (`Meta.constraints`), read here, so the
rule still lives in one place and the database still enforces it on write.

Supports what the archive's constraints use: AND/OR/NOT, exact, gt/gte/lt/lte, in,
isnull, and F() references to other fields. A condition using anything else raises
NotImplementedError (add the lookup here rather than guessing)."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import F, Q

_OPERATORS = {
    "exact": lambda a, b: a == b,
    "gt": lambda a, b: a is not None and b is not None and a > b,
    "gte": lambda a, b: a is not None and b is not None and a >= b,
    "lt": lambda a, b: a is not None and b is not None and a < b,
    "lte": lambda a, b: a is not None and b is not None and a <= b,
    "in": lambda a, b: a in b,
    "isnull": lambda a, b: (a is None) == bool(b),
}


def _value(instance, name: str):
    field = instance._meta.get_field(name)
    return getattr(instance, field.attname)


def _holds(condition, instance) -> bool | None:
    """True, False, or None where SQL would say NULL (a CHECK passes on NULL)."""
    if isinstance(condition, Q):
        results = [_holds(child, instance) for child in condition.children]
        if condition.connector == Q.AND:
            if any(result is False for result in results):
                result = False
            else:
                result = None if any(result is None for result in results) else True
        elif any(result is True for result in results):
            result = True
        else:
            result = None if any(result is None for result in results) else False
        if condition.negated and result is not None:
            result = not result
        return result
    lookup, wanted = condition
    name, _sep, operator = lookup.partition("__")
    operator = operator or "exact"
    if operator not in _OPERATORS:
        raise NotImplementedError(f"lookup {operator!r} in a constraint")
    value = _value(instance, name)
    if isinstance(wanted, F):
        wanted = _value(instance, wanted.name)
    if operator != "isnull" and (value is None or wanted is None):
        return None
    return _OPERATORS[operator](value, wanted)


def _names(condition) -> set[str]:
    if isinstance(condition, Q):
        found = set()
        for child in condition.children:
            found |= _names(child)
        return found
    lookup, wanted = condition
    names = {lookup.partition("__")[0]}
    if isinstance(wanted, F):
        names.add(wanted.name)
    return names


def check_constraints(instance, *, exclude=()) -> None:
    """Raise the ValidationError `instance.validate_constraints(exclude)` would raise for
    the model's CheckConstraints (same messages, codes, non-field), without a query.
    A constraint naming an excluded field is skipped, as Django skips it."""
    exclude = set(exclude)
    errors = []
    for constraint in instance._meta.constraints:
        if not isinstance(constraint, models.CheckConstraint):
            continue
        if _names(constraint.condition) & exclude:
            continue
        if _holds(constraint.condition, instance) is False:
            errors.append(
                ValidationError(
                    constraint.get_violation_error_message(),
                    code=constraint.violation_error_code,
                )
            )
    if errors:
        raise ValidationError({NON_FIELD_ERRORS: errors})
