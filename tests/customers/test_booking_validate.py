"""The booking sync's lean validation is the model's own: its field checks refuse exactly
what `clean_fields` refuses (the booking form's full_clean), value by value, and its CHECK
constraints in Python say what the database would."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint

from customers.constraint_checks import check_constraints
from customers.models import Booking
from customers.services.booking_sync import validation

# Values another system (or a spreadsheet cell, parsed) may send for each booking field.
BATTERY = {
    "product": ["三亚五日游", "", "x" * 200, "x" * 201],
    "trip_type": ["domestic", "outbound", "space", ""],
    "start_date": [datetime.date(2026, 12, 10), None, "2026-12-10", "not a date"],
    "end_date": [datetime.date(2026, 12, 14), None, "2026-02-30"],
    "head_count": [1, 0, -1, "3", "three", None, 2**31, 2**63],
    "amount": [Decimal("8000.00"), Decimal("-1"), Decimal("1234567890.123"),
               Decimal("12345678901.00"), "12.5", "abc", None, 12.5],
    "cost": [Decimal("0"), Decimal("-0.01"), None],
    "payment_due_date": [None, datetime.date(2026, 12, 1), "soon"],
    "paid_date": [None, datetime.date(2026, 11, 20), "yesterday"],
    "status": ["paid", "booked", "lost", ""],
    "refunded_amount": [Decimal("0"), Decimal("-5"), None],
    "source": ["booking-system", "", "Bad Source!", "x" * 65],
    "created_at": [None, "garbage"],
}  # fmt: skip


def _errors(call) -> dict:
    try:
        call()
    except ValidationError as error:
        return {
            name: [(str(e.message), e.code, e.params) for e in errors]
            for name, errors in error.error_dict.items()
        }
    return {}


def test_every_booking_field_is_checked():
    cleaned = {f.name for f in Booking._meta.fields if not f.generated} - validation._EXCLUDED
    assert cleaned == validation._CLEANED and cleaned <= set(BATTERY) | {"id"}


@pytest.mark.parametrize("name", sorted(BATTERY))
def test_field_checks_refuse_exactly_what_clean_fields_refuses(name):
    for value in BATTERY[name]:
        ours, theirs = Booking(), Booking()
        setattr(ours, name, value)
        setattr(theirs, name, value)
        expected = _errors(lambda b=theirs: b.clean_fields(exclude=validation._EXCLUDED))
        got = _errors(lambda b=ours: validation._FIELD_CHECKS.clean(b, validation._CLEANED))
        assert got == expected, (name, value)
        if not expected:  # converted in place as clean_fields does
            assert getattr(ours, name) == getattr(theirs, name)


CONSTRAINT_CASES = [
    {},
    {"end_date": datetime.date(2026, 12, 1)},
    {"amount": Decimal("-1")},
    {"refunded_amount": Decimal("9000")},
    {"refunded_amount": None},
    {"head_count": 0},
    {"status": "paid", "paid_date": None},
    {"status": "paid", "paid_date": datetime.date(2026, 11, 20)},
    {"source": "ledger", "source_number": ""},
    {"source": "", "source_number": ""},
    {"start_date": None},
]


@pytest.mark.django_db
@pytest.mark.parametrize("changes", CONSTRAINT_CASES)
def test_constraints_in_python_say_what_the_database_says(changes):
    """Each case's CHECK constraints against Django's validate_constraints, which asks the
    database (NULL passes, as a CHECK does)."""
    booking = Booking(
        product="p", trip_type="domestic", start_date=datetime.date(2026, 12, 10),
        end_date=datetime.date(2026, 12, 14), head_count=2, amount=Decimal("8000"),
        cost=Decimal("6500"), refunded_amount=Decimal("0"), status="booked",
        source="ledger", source_number="BK-1",
    )  # fmt: skip
    for name, value in changes.items():
        setattr(booking, name, value)
    ours = _errors(lambda: check_constraints(booking))
    failing = []
    for constraint in Booking._meta.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        try:
            constraint.validate(Booking, booking)  # Django's own: the condition as SQL
        except ValidationError as error:
            failing.append(error.messages[0])
    assert sorted(m for m, _c, _p in ours.get("__all__", [])) == sorted(failing), changes


def test_booking_numbers_normalise_the_same_on_the_ascii_fast_path():
    """`ｂｋ－2024 001` and `BK-2024001` are one booking; ASCII numbers (nearly all) take a
    shortcut that must give what the character-by-character path gives."""
    import string
    import unicodedata

    from customers.validators import normalize_booking_number, normalize_booking_source

    def by_characters(value: str) -> str:
        text = "".join(value.split())
        return "".join(
            "-" if unicodedata.category(c) == "Pd" or c in "\u2212\u2043" else c for c in text
        ).upper()

    for value in ["bk-2024-001", "BK 2024 001", string.printable.strip(), "a_b.c-9", "x--y"]:
        assert normalize_booking_number(value) == by_characters(value), value
    assert normalize_booking_number("ｂｋ－2024 001") == "BK-2024001"
    assert normalize_booking_number("bk\u20142024ー001") == "BK-2024-001"
    assert normalize_booking_source(" Booking-System ") == "booking-system"
