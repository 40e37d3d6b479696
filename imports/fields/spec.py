"""A field as the importer reads it: how a cell becomes its value, and choices by
their code, their label in either language or the words agencies use for them."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
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
        if self.choices is not None:
            return choice_value(self.choices, raw)
        if self.max_length:
            return v.as_text(raw, max_length=self.max_length)
        return self.parse(raw)


def text(max_length: int) -> Callable[[Any], str]:
    return lambda raw: v.as_text(raw, max_length=max_length)


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


def aliases(*names: str) -> tuple[str, ...]:
    return tuple(header_key(name) for name in names)
