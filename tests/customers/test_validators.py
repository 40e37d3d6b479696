import datetime

import pytest
from django.core.exceptions import ValidationError

from customers.validators import (
    normalize_mobile,
    normalize_org_name,
    parse_id_number,
    validate_mobile,
)

VALID_IDS = ["11010519491231002X", "34052419800101001X", "360426199101010071"]


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_id_numbers_are_accepted(number):
    facts = parse_id_number(number)
    assert facts.birthday == datetime.date(
        int(number[6:10]), int(number[10:12]), int(number[12:14])
    )


def test_lower_case_x_is_accepted():
    assert parse_id_number("11010519491231002x").birthday == datetime.date(1949, 12, 31)


def test_birthday_and_sex_come_from_the_id_number():
    facts = parse_id_number("360426199101010071")
    assert facts.birthday == datetime.date(1991, 1, 1)
    assert facts.sex == "M"  # 17th digit 7 is odd
    assert parse_id_number("11010519491231002X").sex == "F"  # 17th digit 2 is even


@pytest.mark.parametrize("number", VALID_IDS)
def test_any_one_changed_character_is_refused(number):
    accepted = []
    for position in range(18):
        alphabet = "0123456789X" if position == 17 else "0123456789"
        for replacement in alphabet:
            if replacement == number[position]:
                continue
            changed = number[:position] + replacement + number[position + 1 :]
            try:
                parse_id_number(changed)
            except ValidationError:
                continue
            accepted.append(changed)
    assert accepted == []


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("11010519491231002", "id_length"),
        ("1101051949123100211", "id_length"),
        ("11010519491231A02X", "id_format"),
        ("110105194902300028", "id_birthday"),  # 30 February
        ("110105194912310021", "id_check_digit"),
    ],
)
def test_refusals_say_what_is_wrong(number, code):
    with pytest.raises(ValidationError) as caught:
        parse_id_number(number)
    assert caught.value.code == code


@pytest.mark.parametrize(
    "raw", ["13800138000", "+86 138 0013 8000", "0086-138-0013-8000", "+8613800138000"]
)
def test_mainland_mobiles_are_normalised(raw):
    assert normalize_mobile(raw) == "13800138000"
    validate_mobile(raw)


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "138001380001", "02012345678", ""])
def test_bad_mobiles_are_refused(raw):
    with pytest.raises(ValidationError):
        validate_mobile(raw)


def test_organisation_names_compare_without_width_space_and_punctuation():
    assert normalize_org_name("北京 华夏（科技）有限公司") == normalize_org_name(
        "北京华夏(科技)有限公司"
    )
    assert normalize_org_name("ＡＢＣ Travel Co.") == normalize_org_name("abc travel co")
