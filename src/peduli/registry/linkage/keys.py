"""The blocking keys a person carries, so that candidate pairs are found by index.

- ``link_token_a`` / ``link_token_b``: the two rarest tokens of the folded name (with the
  birth date: "same birth date, a rare name token in common");
- ``link_name_year``: the birth year and those two tokens (a mistyped day or month);
- ``link_name_day``: the day and month of birth and those two tokens (a mistyped year);
- ``link_initials``: the birth date, sex and the initials of the name's tokens (a mistyped
  letter in a name, which rarely hits the first one);
- ``link_region``: a blind index of the home regency the NIK encodes and the birth year (a
  mistyped birth date of someone from the same regency; keyed like every index derived from
  an identifier, so it says nothing without the key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from peduli.core.crypto import get_cipher
from peduli.registry.linkage.names import name_tokens, rarest
from peduli.registry.models import Person

REGION_PURPOSE = "link-region"
TOKEN_LENGTH = 40


@dataclass(frozen=True)
class LinkKeys:
    token_a: str | None
    token_b: str | None
    name_year: str | None
    name_day: str | None
    region: str | None
    initials: str | None


def link_keys(
    full_name: str, date_of_birth: date | None, nik: str | None, sex: str | None
) -> LinkKeys:
    """The keys of a person with this name, birth date, NIK and sex (None: not known)."""
    all_tokens = name_tokens(full_name)
    tokens = rarest(all_tokens)
    token_a = tokens[0][:TOKEN_LENGTH] if tokens else None
    token_b = tokens[1][:TOKEN_LENGTH] if len(tokens) > 1 else None
    year = date_of_birth.year if date_of_birth else None
    name_year = (
        f"{year}:{':'.join(sorted(t for t in (token_a, token_b) if t))}"
        if year and token_a
        else None
    )
    name_day = (
        f"{date_of_birth:%m%d}:{':'.join(sorted(t for t in (token_a, token_b) if t))}"
        if date_of_birth and token_a
        else None
    )
    region = (
        get_cipher().blind_index(f"{nik[:4]}:{year}", purpose=REGION_PURPOSE)
        if nik and len(nik) >= 4 and year
        else None
    )
    initials = (
        f"{date_of_birth.isoformat()}:{sex or ''}:{''.join(sorted({t[0] for t in all_tokens}))}"
        if date_of_birth and all_tokens
        else None
    )
    return LinkKeys(token_a, token_b, name_year, name_day, region, initials)


def apply(person: Person, keys: LinkKeys) -> None:
    """Set the person's blocking columns."""
    person.link_token_a = keys.token_a
    person.link_token_b = keys.token_b
    person.link_name_year = keys.name_year
    person.link_name_day = keys.name_day
    person.link_region = keys.region
    person.link_initials = keys.initials
