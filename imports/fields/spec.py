"""A field as the importer reads it: how a cell becomes its value, and choices by
their code, their label in either language or the words agencies use for them."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from django.conf import settings
from django.utils import translation

from customers.models import (
    BookingStatus,
    CustomerKind,
    TripType,
)
from imports import values as v
from imports.reading import header_key


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: Any
    parse: Callable[[Any], Any]
    aliases: tuple[str, ...] = ()
    required: bool = False
    choices: type | None = None
    example: Any = ""
    help: Any = ""
    max_length: int | None = None

    def read(self, raw):
        return self.reader(raw)

    @cached_property
    def reader(self) -> Callable[[Any], Any]:
        """The function the engine calls on each cell of this column (millions of times
        in a big file): a choice column remembers the cells it has read (a column holds
        a handful of distinct words), the rest is the field's parser."""
        if self.choices is not None:
            return _choice_reader(self.choices)
        if self.max_length:
            return text(self.max_length)
        return self.parse


def text(max_length: int) -> Callable[[Any], str]:
    def read_text(raw) -> str:
        if raw.__class__ is str:  # the common case, without as_text's type tests
            text = raw.strip()
            if len(text) <= max_length:
                return text
        return v.as_text(raw, max_length=max_length)

    return read_text


# Words agencies' spreadsheets use for a choice besides its labels.
SYNONYMS = {
    CustomerKind: {
        CustomerKind.INDIVIDUAL: ["个人", "散客", "旅游者", "游客", "个人客户"],
        CustomerKind.CORPORATE: ["企业", "企业客户", "公司", "单位", "政府", "机关"],
        CustomerKind.SUPPLIER: ["供应商"],
        CustomerKind.MEDIA: ["媒体", "传媒"],
    },
    TripType: {
        TripType.DOMESTIC: ["国内", "境内", "国内线路"],
        TripType.OUTBOUND: ["出境", "境外", "出国", "出境游"],
    },
    BookingStatus: {
        BookingStatus.PAID: ["已付", "已支付", "已收款", "已结清", "付清"],
        BookingStatus.BOOKED: ["预订", "已预订", "未付款", "待付款"],
        BookingStatus.CANCELLED: ["取消", "已取消"],
        BookingStatus.REFUNDED: ["退款", "已退款"],
    },
}


class _Labels:
    """A choice list rendered when the message is, so each language gets its labels."""

    def __init__(self, choices: type):
        self.choices = choices

    def __str__(self) -> str:
        return "、".join(choice_labels(self.choices))


@cache
def _choice_map(choices: type) -> dict[str, str]:
    """Each choice by its code, its English label and its Chinese label."""
    found: dict[str, str] = {}
    for code, words in SYNONYMS.get(choices, {}).items():
        for word in words:
            found[v.choice_key(word)] = code
    for code, label in choices.choices:
        found[v.choice_key(str(code))] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                found.setdefault(v.choice_key(str(label)), code)
    return found


def choice_labels(choices: type) -> list[str]:
    return [str(label) for _code, label in choices.choices]


def choice_value(choices: type, raw) -> str:
    if v.is_empty(raw):
        return ""
    key = v.choice_key(v.as_text(raw))
    code = _choice_map(choices).get(key)
    if code is None:
        raise v.CellError(
            v.NOT_A_CHOICE,
            code="choice",
            params={"value": str(raw).strip(), "choices": _Labels(choices)},
        )
    return code


# A choice column's distinct cells are remembered up to this many (a column of free text
# mapped to a choice field must not grow the memo without bound).
CHOICE_MEMO = 256


def _choice_reader(choices: type) -> Callable[[Any], str]:
    memo: dict[Any, str] = {}

    def read_choice(raw) -> str:
        try:
            return memo[raw]
        except (KeyError, TypeError):
            pass
        code = choice_value(choices, raw)  # raises for a word that is no choice
        if len(memo) < CHOICE_MEMO and raw.__class__ is str:  # (1 == 1.0 == True)
            memo[raw] = code
        return code

    return read_choice


def aliases(*names: str) -> tuple[str, ...]:
    return tuple(header_key(name) for name in names)
