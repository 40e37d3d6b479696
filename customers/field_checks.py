"""A model's own field validation (what `Model.clean_fields` does for the page and admin
forms through `full_clean`), at the cost an import of 100,000 rows can afford: the
importer's customers and the booking sync (API batch and imported ledgers) use it.

The rules are not restated here: `FieldChecks` reads them from the model's fields when
it is built — each field's `to_python`, its choices, `blank`/`null` and its `validators`
list (max_length, the ID number and mobile validators, e-mail …) — so a validator added to
a model field applies to the forms and to the import at once. What is left out is
Django's generic path per value: `clean_fields` walks every field of the model and calls
`Field.clean`, which builds a parameter dict for each validator before comparing (a
customer row spent more time there than in the checks themselves). Here only the fields
the row fills are visited, choices are a set look-up, a length limit is a `len`, and any
other validator is called as it is. Whenever a value fails any of that, the field's own
`Field.clean` runs on it again, so every refusal carries exactly the messages, codes and
params the form would show (tests/imports/test_import_validation.py compares the two on
every customer field, tests/customers/test_booking_validate.py on every booking field).
"""

import datetime
import decimal
import operator
from collections.abc import Callable, Container, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.expressions import DatabaseDefault

# Field classes whose to_python returns a value of these types as it is (CharField's
# returns any str unchanged, DateField's any date): for them the call is left out.
_UNCHANGED_BY_TO_PYTHON = {
    models.CharField.to_python: (str,),
    models.TextField.to_python: (str,),
    models.DateField.to_python: (datetime.date,),
    models.BooleanField.to_python: (bool,),
}
# Values of these classes are never equal to a str, list, tuple, dict or None, the kinds
# of value a field's empty_values hold: for them `value in empty_values` is known False
# without comparing (a Decimal compared with each asks isinstance(…, Rational) of it).
_NEVER_EMPTY = frozenset({int, float, decimal.Decimal, datetime.date, datetime.datetime})
_EMPTY_KINDS = (type(None), str, list, tuple, dict)
# Validators that only compare the value with a constant: compared here, as they compare
# (Django's BaseValidator.__call__ builds a dict of parameters for each call first).
_COMPARING = {MinValueValidator: operator.lt, MaxValueValidator: operator.gt}


def _plain(field: models.Field) -> bool:
    """True when the field validates as Field does (no clean/validate of its own, such as a
    foreign key's existence query): only then may a value skip Field.clean."""
    kind = type(field)
    return (
        kind.clean is models.Field.clean
        and kind.validate is models.Field.validate
        and kind.run_validators is models.Field.run_validators
    )


class _Check:
    """One field's validation, read from the field: what Field.clean would do."""

    __slots__ = (
        "attname",
        "blank",
        "choices",
        "compared",
        "empty",
        "field",
        "limits",
        "name",
        "never_empty",
        "others",
        "plain",
        "required",
        "same",
        "to_python",
        "validators",
    )

    def __init__(self, field: models.Field, skip: tuple[Callable, ...]):
        self.field = field
        self.name = field.name
        self.attname = field.attname
        self.plain = _plain(field)
        self.blank = field.blank
        self.empty = field.empty_values
        self.never_empty = (
            _NEVER_EMPTY
            if all(isinstance(value, _EMPTY_KINDS) for value in self.empty)
            else frozenset()
        )
        self.to_python = field.to_python
        self.same = _UNCHANGED_BY_TO_PYTHON.get(type(field).to_python, ())
        # Field.validate skips non-editable fields; a plain field's validate refuses an
        # empty value unless blank (and None unless null), and a value not among choices.
        self.required = field.editable and not field.blank
        self.choices = (
            frozenset(key for key, _label in field.flatchoices)
            if field.choices and field.editable
            else None
        )
        nullable = field.null or not field.editable
        if not nullable and not self.required:
            self.required = None  # only None is refused (null=False, blank=True)
        self.validators = [v for v in field.validators if not any(v is done for done in skip)]
        self.limits: list[int] = []
        self.compared: list[tuple[Callable, Any]] = []  # (fails, limit)
        self.others: list[Callable] = []
        for validator in self.validators:
            kind = type(validator)
            limit = getattr(validator, "limit_value", None)
            if kind is MaxLengthValidator and not callable(limit):
                self.limits.append(limit)
            elif kind in _COMPARING and not callable(limit):
                self.compared.append((_COMPARING[kind], limit))
            else:
                self.others.append(validator)


class FieldChecks:
    """`clean_fields` of `model` for the named fields. `skip`: validators (by field name)
    the caller has just run on the same value itself — the customer service parses the
    ID number with the very function the field validates it with — not run twice."""

    def __init__(self, model: type[models.Model], *, skip: dict | None = None):
        skip = skip or {}
        self.model = model
        self.checks = [
            _Check(field, tuple(skip.get(field.name, ())))
            for field in model._meta.fields
            if not getattr(field, "generated", False)
        ]
        self.by_name = {check.name: check for check in self.checks}

    def validators(self, name: str) -> list:
        """The validators run on field `name`: the field's own, less the skipped ones."""
        return list(self.by_name[name].validators)

    def only(self, names: Iterable[str]) -> "FieldChecks":
        """These checks restricted to `names` (in the model's order): built once per
        import from the mapped columns, so a row visits its own fields only."""
        wanted = set(names)
        subset = FieldChecks.__new__(FieldChecks)
        subset.model = self.model
        subset.checks = [check for check in self.checks if check.name in wanted]
        subset.by_name = {check.name: check for check in subset.checks}
        return subset

    def clean(self, obj: models.Model, names: Container[str], also: Container[str] = ()) -> None:
        """Raise what `obj.clean_fields(exclude=<every field not in names or also>)`
        raises, and convert the values with the fields' to_python in place, as
        clean_fields does (row.values and a constant set are passed as they are)."""
        errors: dict[str, list[ValidationError]] = {}
        values = obj.__dict__
        for check in self.checks:
            name = check.name
            if name not in names and name not in also:
                continue
            attname = check.attname
            raw: Any = values[attname] if attname in values else getattr(obj, attname)
            if raw is None or (raw.__class__ not in check.never_empty and raw in check.empty):
                if check.blank:
                    continue
            elif isinstance(raw, DatabaseDefault):
                continue
            if raw.__class__ in check.same:
                value = raw
            else:
                try:
                    value = check.to_python(raw)
                except ValidationError:
                    value = _FAILED
            if value is _FAILED or not _passes(check, value):
                try:
                    value = check.field.clean(raw, obj)
                except ValidationError as error:
                    errors[name] = error.error_list
                    continue
            if value is not raw:
                setattr(obj, attname, value)
        if errors:
            raise ValidationError(errors)


_FAILED = object()


def _passes(check: _Check, value) -> bool:
    """True when Field.validate and Field.run_validators would accept `value` (already
    through to_python); False: let the field itself say what is wrong."""
    if not check.plain:
        return False
    if value is None or (value.__class__ not in check.never_empty and value in check.empty):
        return not (check.required or (value is None and check.required is None))
    if check.choices is not None and value not in check.choices:
        return False
    for limit in check.limits:
        if len(value) > limit:
            return False
    for fails, limit in check.compared:
        if fails(value, limit):
            return False
    for validator in check.others:
        try:
            validator(value)
        except ValidationError:
            return False
    return True
