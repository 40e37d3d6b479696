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


def _holds(condition, instance) -> bool | None:
    """True, False, or None where SQL would say NULL (a CHECK passes on NULL)."""
    return _compiled(condition, instance._meta)(instance.__dict__)


def _compiled(condition, meta):
    """`condition` as a function of an instance's __dict__ (True, False or None): the
    lookups and field names resolved once per model, not per row (a chunk of 1,000
    bookings evaluated 10,000 conditions, each asking _meta for its fields)."""
    if isinstance(condition, Q):
        parts = [_compiled(child, meta) for child in condition.children]
        conjunction = condition.connector == Q.AND
        negated = condition.negated

        # SQL's three-valued AND and OR, stopping at the first part that decides.
        decisive = not conjunction

        def combined(values):
            result = not decisive
            for part in parts:
                holds = part(values)
                if holds is None:
                    result = None
                elif holds == decisive:
                    result = decisive
                    break
            if negated and result is not None:
                result = not result
            return result

        return combined
    lookup, wanted = condition
    name, _sep, operator = lookup.partition("__")
    operator = operator or "exact"
    if operator not in _OPERATORS:
        raise NotImplementedError(f"lookup {operator!r} in a constraint")
    attname = meta.get_field(name).attname
    compare = _OPERATORS[operator]
    if isinstance(wanted, F):
        other = meta.get_field(wanted.name).attname

        def against_field(values):
            value, target = values[attname], values[other]
            if operator != "isnull" and (value is None or target is None):
                return None
            return compare(value, target)

        return against_field

    def against_constant(values):
        value = values[attname]
        if operator != "isnull" and (value is None or wanted is None):
            return None
        return compare(value, wanted)

    return against_constant


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


# model → (its constraints list, [(constraint, field names, compiled condition)], the
# attnames the conditions read)
_COMPILED: dict = {}


def _checks(meta) -> tuple[list[tuple], set[str]]:
    cached = _COMPILED.get(meta.label)
    if cached is None or cached[0] is not meta.constraints:
        checks = [
            (constraint, frozenset(_names(constraint.condition)),
             _compiled(constraint.condition, meta))
            for constraint in meta.constraints
            if isinstance(constraint, models.CheckConstraint)
        ]  # fmt: skip
        attnames = {meta.get_field(name).attname for _c, names, _h in checks for name in names}
        cached = _COMPILED[meta.label] = (meta.constraints, checks, attnames)
    return cached[1], cached[2]


def check_constraints(instance, *, exclude=()) -> None:
    """Raise the ValidationError `instance.validate_constraints(exclude)` would raise for
    the model's CheckConstraints (same messages, codes, non-field), without a query.
    A constraint naming an excluded field is skipped, as Django skips it."""
    exclude = set(exclude)
    errors = []
    checks, attnames = _checks(instance._meta)
    values = instance.__dict__
    if not attnames <= values.keys():
        # A deferred field: read those the conditions use as the instance would.
        values = {attname: getattr(instance, attname) for attname in attnames}
    for constraint, names, holds in checks:
        if names & exclude:
            continue
        if holds(values) is False:
            errors.append(
                ValidationError(
                    constraint.get_violation_error_message(),
                    code=constraint.violation_error_code,
                )
            )
    if errors:
        raise ValidationError({NON_FIELD_ERRORS: errors})
