"""Identity data that must be unique: resident ID numbers, mobiles, organisation names.

ID numbers and mobiles are derived from the row number through a pseudo-random
permutation of the space of possible numbers, so a million customers, or a hundred
million, never collide and need no retries, yet neighbouring rows get unrelated numbers.
Organisation names are drawn at random and checked against the names already used (after
normalize_org_name), with a numbered fallback.
"""

import datetime
import random
from collections.abc import Callable

from customers.demo import names
from customers.validators import id_number_check_char, normalize_org_name

BIRTH_FIRST = datetime.date(1950, 1, 1)
BIRTH_DAYS = (datetime.date(2004, 12, 31) - BIRTH_FIRST).days + 1
ID_SEQUENCES = 1000  # digits 15-17: the order code; the 17th digit is odd for men
ID_SPACE = len(names.PLACES) * BIRTH_DAYS * ID_SEQUENCES

MOBILE_PREFIXES = names.MOBILE_PREFIXES
MOBILE_SPACE = len(MOBILE_PREFIXES) * 10**8
# Contact people take their mobiles from the upper half, customers from the lower half.
CONTACT_MOBILE_BASE = MOBILE_SPACE // 2
MAX_CUSTOMERS = CONTACT_MOBILE_BASE


def _scramble(value: int, bits: int, salt: int) -> int:
    """A bijection on [0, 2**bits): each step (add, multiply by an odd number, xor with a
    right shift) is invertible modulo a power of two."""
    mask = (1 << bits) - 1
    half = bits // 2
    value = (value + salt) & mask
    value = (value * 0x9E3779B1) & mask
    value ^= value >> half
    value = (value * 0x85EBCA77) & mask
    value ^= value >> (half - 3)
    value = (value * 0xC2B2AE3D) & mask
    return value ^ (value >> half)


def permute(index: int, space: int, salt: int = 0) -> int:
    """A pseudo-random bijection on [0, space): scramble over the enclosing power of two
    and walk the cycle until the value falls inside the space (on average < 2 steps)."""
    if not 0 <= index < space:
        raise ValueError(f"{index} is outside [0, {space})")
    bits = max((space - 1).bit_length(), 8)
    value = _scramble(index, bits, salt)
    while value >= space:
        value = _scramble(value, bits, salt)
    return value


def id_number_for(index: int) -> tuple[str, datetime.date, str, int]:
    """(ID number, birthday, sex, index into names.PLACES of the issuing district)."""
    code = permute(index, ID_SPACE, salt=0x2026)
    code, sequence = divmod(code, ID_SEQUENCES)
    day, place = divmod(code, len(names.PLACES))
    birthday = BIRTH_FIRST + datetime.timedelta(days=day)
    first17 = f"{names.PLACES[place][0]}{birthday:%Y%m%d}{sequence:03d}"
    sex = "M" if sequence % 2 else "F"
    return first17 + id_number_check_char(first17), birthday, sex, place


def mobile_for(index: int) -> str:
    code = permute(index, MOBILE_SPACE, salt=0x138)
    suffix, prefix = divmod(code, len(MOBILE_PREFIXES))
    return f"{MOBILE_PREFIXES[prefix]}{suffix:08d}"


def contact_mobile_for(number: int) -> str:
    return mobile_for(CONTACT_MOBILE_BASE + number)


def person_name(rng: random.Random, sex: str) -> str:
    surnames = names.COMMON_SURNAMES if rng.random() < 0.4 else names.OTHER_SURNAMES
    given = names.MALE_GIVEN if sex == "M" else names.FEMALE_GIVEN
    return rng.choice(surnames) + rng.choice(given)


BRANDS_CHARS = list(dict.fromkeys(names.BRAND_CHARS))


class OrganisationNamer:
    """Realistic organisation names, unique after normalisation across one demo load."""

    ATTEMPTS = 5

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()
        self.fallbacks: dict[str, int] = {}

    def _brand(self) -> str:
        return "".join(self.rng.sample(BRANDS_CHARS, 2))

    def _take(self, make: Callable[[], str], *, fallback: bool = True) -> str | None:
        name = ""
        for _ in range(self.ATTEMPTS):
            name = make()
            key = normalize_org_name(name)
            if key not in self.used:
                self.used.add(key)
                return name
        if not fallback:
            return None
        base, number = name, self.fallbacks.get(name, 1)
        while True:  # a numbered branch: only at very large demo sizes
            number += 1
            name = f"{base}（{number}）"
            key = normalize_org_name(name)
            if key not in self.used:
                self.fallbacks[base] = number
                self.used.add(key)
                return name

    def company(self, city: str) -> str:
        rng = self.rng
        return self._take(
            lambda: (
                f"{city if rng.random() < 0.8 else rng.choice(names.COMPANY_CITIES)}"
                f"{self._brand()}"
                f"{rng.choice(names.COMPANY_TRADES)}{rng.choice(names.COMPANY_SUFFIXES)}"
            )
        )

    def government(self, city: str, district: str) -> str | None:
        """A government unit, or None when the plausible ones are all taken."""
        rng = self.rng
        return self._take(
            lambda: f"{city}{rng.choice(('', district))}{rng.choice(names.GOVERNMENT_UNITS)}",
            fallback=False,
        )

    def supplier(self, supplier_type: str, city: str) -> str:
        rng = self.rng
        patterns = names.SUPPLIER_PATTERNS[supplier_type]
        return self._take(
            lambda: rng.choice(patterns).format(
                city=city.removesuffix("市"),
                brand=self._brand(),
                spot=rng.choice(names.SCENIC_WORDS),
                airline=rng.choice(names.AIRLINES),
            )
        )

    def media(self, city: str) -> str:
        rng = self.rng
        return self._take(
            lambda: (
                rng.choice(
                    (rng.choice(names.MEDIA_PREFIXES), city.removesuffix("市"), self._brand())
                )
                + rng.choice(names.MEDIA_TOPICS)
                + rng.choice(names.MEDIA_FORMS)
            )
        )
