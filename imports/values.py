"""Turning what a spreadsheet cell holds into a field's value, or saying precisely why not.

Cells arrive as Excel left them: text, numbers (an ID number Excel turned into
1.10105E+17, a mobile as 13800138000.0), dates as date cells, serial numbers, or text in
any of the ways people write them, amounts with ¥, 元 and thousands separators. The
identifiers then go through the archive's own normalisers (customers/validators.py)."""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.validators import (
    normalize_booking_number,
    normalize_booking_source,
    normalize_email,
    normalize_id_number,
    normalize_mobile,
    normalize_phone,
    normalize_postal_code,
    normalize_text,
)

EXCEL_EPOCH = datetime.date(1899, 12, 30)
SCIENTIFIC = re.compile(r"^[0-9]+(\.[0-9]+)?e\+?[0-9]+$", re.IGNORECASE)
DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?(?:\s*.*)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
TIME_PART = re.compile(r"(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?")
MONEY_NOISE = re.compile(r"(¥|￥|元|rmb|cny|人民币|\s|,)", re.IGNORECASE)
LIST_SEPARATORS = re.compile(r"[,，、;；/|\n]+")
TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓", "对", "重点", "t"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×", "✗", "不是", "f"}

DIGITS_LOST_ID = _(
    "Excel turned this ID number into a number and lost its last digits (it shows "
    "%(value)s). Format the ID number column as Text, type or paste the numbers again, "
    "and import the file again."
)
DIGITS_LOST_MOBILE = _(
    "This mobile number was saved as %(value)s: Excel wrote it in scientific notation "
    "and the digits are lost. Format the column as Text (or as a number without "
    "decimals) and save the file again."
)
NOT_A_DATE = _("%(value)s is not a date; write it as 2024-03-05, 2024/3/5 or 2024年3月5日.")
NOT_AN_AMOUNT = _("%(value)s is not an amount of money; write it as 1234.50 or ¥1,234.50.")
NOT_A_NUMBER = _("%(value)s is not a whole number.")
NOT_YES_NO = _("%(value)s is not yes or no; write 是 or 否 (or Yes / No).")
NOT_A_CHOICE = _("%(value)s is not one of: %(choices)s.")
TOO_LONG = _("At most %(max)d characters; this has %(count)d.")


class CellError(ValidationError):
    pass


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number_text(value) -> str:
    """A number cell as the digits a person typed: 13800138000.0 → 13800138000."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def as_text(value, *, max_length: int | None = None) -> str:
    if is_empty(value):
        return ""
    if isinstance(value, datetime.datetime):
        text = value.strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    elif isinstance(value, int | float):
        text = _number_text(value)
    else:
        text = str(value).strip()
    if max_length is not None and len(text) > max_length:
        raise CellError(TOO_LONG, code="too_long", params={"max": max_length, "count": len(text)})
    return text


def as_id_number(value) -> str:
    if is_empty(value):
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: an 18-character ID number typed into a
        # number cell has already lost its last ones.
        shown = f"{value:.5E}" if abs(value) >= 1e15 else _number_text(value)
        raise CellError(DIGITS_LOST_ID, code="id_digits_lost", params={"value": shown})
    text = normalize_text(str(value))
    if SCIENTIFIC.match(text):
        raise CellError(DIGITS_LOST_ID, code="id_digits_lost", params={"value": text})
    return normalize_id_number(text)


def as_mobile(value) -> str:
    if is_empty(value):
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return normalize_mobile(_number_text(value))
    text = normalize_text(str(value))
    if SCIENTIFIC.match(text):
        raise CellError(DIGITS_LOST_MOBILE, code="mobile_digits_lost", params={"value": text})
    return normalize_mobile(text)


def as_phone(value) -> str:
    return "" if is_empty(value) else normalize_phone(_number_text(value))


def as_postal_code(value) -> str:
    if is_empty(value):
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{int(value):06d}"  # a leading 0 Excel dropped (010000 → 10000)
    return normalize_postal_code(str(value))


def as_email(value) -> str:
    return "" if is_empty(value) else normalize_email(str(value))


def as_booking_number(value) -> str:
    return "" if is_empty(value) else normalize_booking_number(_number_text(value))


def as_booking_source(value) -> str:
    return "" if is_empty(value) else normalize_booking_source(str(value))


def _serial_date(number: float) -> datetime.date | None:
    if 19000101 <= number <= 21001231 and float(number).is_integer():
        text = str(int(number))
        try:
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return None
    if 1 <= number < 2958466:
        return EXCEL_EPOCH + datetime.timedelta(days=int(number))
    return None


def as_date(value) -> datetime.date | None:
    if is_empty(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        day = _serial_date(float(value))
        if day is None:
            raise CellError(NOT_A_DATE, code="date", params={"value": _number_text(value)})
        return day
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()[:3]))
            except ValueError:
                break
    if re.fullmatch(r"\d+(\.\d+)?", text):
        day = _serial_date(float(text))
        if day is not None:
            return day
    raise CellError(NOT_A_DATE, code="date", params={"value": str(value).strip()})


def as_datetime(value) -> datetime.datetime | None:
    """A date with an optional time, in the agency's time zone (a date alone: 00:00)."""
    if is_empty(value):
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, int | float) and not isinstance(value, bool) and value < 2958466:
        day = as_date(int(value))
        seconds = round((float(value) % 1) * 86400)
        moment = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(
            seconds=seconds
        )
    else:
        day = as_date(value)
        moment = datetime.datetime.combine(day, datetime.time())
        if isinstance(value, str):
            rest = unicodedata.normalize("NFKC", value).strip()[8:]
            match = TIME_PART.search(rest)
            if match:
                hour, minute, second = (int(part or 0) for part in match.groups())
                try:
                    moment = moment.replace(hour=hour, minute=minute, second=second)
                except ValueError:
                    raise CellError(NOT_A_DATE, code="date", params={"value": value}) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def as_decimal(value) -> Decimal | None:
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise CellError(NOT_AN_AMOUNT, code="amount", params={"value": str(value)})
    if isinstance(value, int):
        return Decimal(value).quantize(Decimal("0.01"))
    if isinstance(value, float):
        return Decimal(repr(round(value, 2))).quantize(Decimal("0.01"))
    text = MONEY_NOISE.sub("", unicodedata.normalize("NFKC", str(value)))
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CellError(
            NOT_AN_AMOUNT, code="amount", params={"value": str(value).strip()}
        ) from None
    if not amount.is_finite():
        raise CellError(NOT_AN_AMOUNT, code="amount", params={"value": str(value).strip()})
    return amount.quantize(Decimal("0.01"))


def as_int(value) -> int | None:
    if is_empty(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = normalize_text(str(value)).rstrip("人位")
    if re.fullmatch(r"\d+", text):
        return int(text)
    raise CellError(NOT_A_NUMBER, code="int", params={"value": str(value).strip()})


def as_bool(value) -> bool | None:
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    text = normalize_text(_number_text(value)).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(NOT_YES_NO, code="bool", params={"value": str(value).strip()})


def as_list(value) -> list[str]:
    if is_empty(value):
        return []
    return [part.strip() for part in LIST_SEPARATORS.split(str(value)) if part.strip()]


def choice_key(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())
