"""Validation and normalisation of Chinese identity data.

- Resident ID number 居民身份证号码 (GB 11643-1999): 17 digits + check character.
- Mainland mobile numbers: 11 digits, 1[3-9]xxxxxxxxx; +86 / 0086 prefixes are dropped.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
POSTAL_CODE_PATTERN = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class IdNumberFacts:
    birthday: datetime.date
    sex: str  # "M" or "F"


def id_number_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def parse_id_number(value: str) -> IdNumberFacts:
    """Validate an 18-character ID number and return the birthday and sex it encodes."""
    number = normalize_id_number(value)
    if len(number) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(count)d."),
            code="id_length",
            params={"count": len(number)},
        )
    if not ID_PATTERN.match(number):
        raise ValidationError(
            _("An ID number is 17 digits followed by a digit or X."), code="id_format"
        )
    try:
        birthday = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The ID number does not contain a real birth date."), code="id_birthday"
        ) from None
    if birthday.year < 1900 or birthday > timezone.localdate():
        raise ValidationError(
            _("The ID number does not contain a real birth date."), code="id_birthday"
        )
    if id_number_check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("The ID number's check digit is wrong; please check each digit."),
            code="id_check_digit",
        )
    return IdNumberFacts(birthday=birthday, sex="M" if int(number[16]) % 2 else "F")


def validate_id_number(value: str) -> None:
    parse_id_number(value)


def normalize_mobile(value: str) -> str:
    digits = re.sub(r"[\s\-()]", "", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            break
    return digits


def validate_mobile(value: str) -> None:
    if not MOBILE_PATTERN.match(normalize_mobile(value)):
        raise ValidationError(
            _("Enter a mainland mobile number: 11 digits starting with 13–19."),
            code="mobile",
        )


def validate_postal_code(value: str) -> None:
    if value and not POSTAL_CODE_PATTERN.match(value):
        raise ValidationError(_("A postal code has 6 digits."), code="postal_code")


def normalize_org_name(value: str) -> str:
    """Compare organisation names ignoring width, case, spaces and punctuation."""
    text = unicodedata.normalize("NFKC", value or "").lower()
    return "".join(ch for ch in text if ch.isalnum())
