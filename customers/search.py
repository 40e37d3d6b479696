"""The customer search box, as Chinese staff search: 林小雨 is found by `lxy`, `linxiaoyu`,
`lx`, `小雨` or 林 (pinyin and initials from the start of the name); a company by any part
of its name; a mobile by its full number, or by its last four or more digits among the
searcher's own customers; an e-mail address; a full ID number where the searcher may see
it (customer_id_number_match).

`customer_search` narrows a queryset that already comes from the visibility selector
(customer_list_visible): search never finds what the user may not see.

Every condition is an index range on PostgreSQL (bench/search.py measures them at a
million customers): pinyin and initials by prefix on pattern indexes (`LIKE '…%'`,
measured faster than pg_trgm's `LIKE '%…%'`), names of three characters or more through
a pg_trgm GIN index, one or two Han characters through the trigram index of their pinyin
(小雨 → xiaoyu), rechecked against the name. SQLite answers the same conditions with LIKE."""

import re

from django.db.models import Q, QuerySet

from customers.models import Customer
from customers.pinyin import search_key, text_readings
from customers.selectors import customer_id_number_match
from customers.validators import (
    ID_PATTERN,
    MOBILE_PATTERN,
    normalize_email,
    normalize_id_number,
    normalize_mobile,
)

# pg_trgm finds nothing shorter than three characters inside a string (a pattern needs a
# whole trigram); shorter keys match from the start instead.
TRIGRAM = 3
MOBILE_TAIL = 4  # the last four digits: how staff read a number out
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _pinyin_q(key: str) -> Q:
    # From the start of the name, on pattern indexes: at a million customers 17-37 ms,
    # where pg_trgm's `LIKE '%…%'` took 149 ms for a full pinyin and 1.9 s for three
    # common initials (bench/search.py). Staff type a name from the family name.
    return Q(name_initials__startswith=key) | Q(name_pinyin__startswith=key)


def _name_q(text: str) -> Q:
    if not _HAN.search(text) or len(text) >= TRIGRAM:
        return Q(name__contains=text) if len(text) >= TRIGRAM else Q(pk__in=[])
    # One or two Han characters: the trigram index of their pinyin finds the candidates,
    # the name itself decides (so 晓宇 is not found for 小雨).
    readings = [reading for reading in text_readings(text) if len(reading) >= TRIGRAM]
    if not readings:
        return Q(name__contains=text)
    sounds = Q()
    for reading in readings:
        sounds |= Q(name_pinyin__contains=reading)
    return Q(name__contains=text) & sounds


def customer_search_q(*, user, text: str) -> Q | None:
    """The condition for one typed search by `user`, None when nothing was typed."""
    text = (text or "").strip()
    if not text:
        return None
    condition = Q(pk__in=[])
    if "@" in text:
        return Q(email__iexact=normalize_email(text))
    id_number = normalize_id_number(text)
    if ID_PATTERN.match(id_number):
        # Exact match only, and only where the searcher may see the full number: a
        # partial search, or one over masked numbers, would let anyone probe them.
        return customer_id_number_match(user=user, id_number=id_number)
    mobile = normalize_mobile(text)
    if mobile.isdigit():
        if MOBILE_PATTERN.match(mobile):
            return Q(mobile=mobile)
        if len(mobile) >= MOBILE_TAIL:
            # A few digits name many people: only in the searcher's own book.
            condition |= Q(owner=user, mobile__endswith=mobile)
    condition |= _name_q(text)
    key = search_key(text)
    if key and not _HAN.search(text) and not key.isdigit():
        condition |= _pinyin_q(key)
    return condition


def customer_search(queryset: QuerySet[Customer], *, user, text: str) -> QuerySet[Customer]:
    condition = customer_search_q(user=user, text=text)
    return queryset if condition is None else queryset.filter(condition)
