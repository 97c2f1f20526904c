"""Mobile numbers of a country that pass the registry's validation whatever their last digits.

The prefixes come from libphonenumber's example number of the country, varied and kept only
when every tail tried gives a valid mobile number of that country.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import phonenumbers

PHONE_TAIL_DIGITS = 5


@dataclass(frozen=True)
class PhonePlan:
    """Mobile number prefixes of a country that stay valid whatever the last digits."""

    country_code: int
    prefixes: tuple[str, ...]

    def draw(self, rng: random.Random) -> str:
        tail = rng.randrange(10**PHONE_TAIL_DIGITS)
        return f"+{self.country_code}{rng.choice(self.prefixes)}{tail:0{PHONE_TAIL_DIGITS}d}"


def phone_plan(region: str, rng: random.Random, *, wanted: int = 6) -> PhonePlan:
    """Find mobile prefixes of ``region`` (from libphonenumber's example) that always validate."""
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if example is None or example.country_code is None:
        raise LookupError(f"libphonenumber knows no mobile numbers of {region}")
    national = str(example.national_number)
    base = national[:-PHONE_TAIL_DIGITS]
    prefixes = {base}
    for _attempt in range(wanted * 20):
        if len(prefixes) >= wanted:
            break
        keep = min(2, len(base))
        candidate = base[:keep] + "".join(rng.choice("0123456789") for _ in base[keep:])
        if _always_valid(region, example.country_code, candidate, rng):
            prefixes.add(candidate)
    return PhonePlan(example.country_code, tuple(sorted(prefixes)))


def _always_valid(region: str, country_code: int, prefix: str, rng: random.Random) -> bool:
    """Whether numbers with this prefix are mobiles of ``region`` whatever the tail."""
    tails = [
        0,
        10**PHONE_TAIL_DIGITS - 1,
        *(rng.randrange(10**PHONE_TAIL_DIGITS) for _ in range(30)),
    ]
    mobile = {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
    for tail in tails:
        number = phonenumbers.parse(f"+{country_code}{prefix}{tail:0{PHONE_TAIL_DIGITS}d}")
        if not (
            phonenumbers.is_valid_number(number)
            and phonenumbers.number_type(number) in mobile
            and phonenumbers.region_code_for_number(number) == region
        ):
            return False
    return True
