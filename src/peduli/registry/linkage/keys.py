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

A name whose rarest token is common (``COMMON_TOKEN``) would make blocks that hold a share
of the whole registry ("Umi Kalsum" born in 1999: 65 people among 200,000), growing as the
registry does, with every person in them loaded and scored for each match. So its year and
day keys also hold the place of birth, which splits them by the hundreds of places (none if
no place is known), and it has no regency key (the regency and year with a common token;
the year and day keys with the place find nearly all those pairs: one pair of 1,819 in the
truth set is lost). It is still found by the birth date with a token or the initials, and
by the NIK, passport and phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from peduli.core.crypto import get_cipher
from peduli.registry.linkage.comparisons import place_key
from peduli.registry.linkage.names import key_tokens, name_tokens, rarest, token_frequency
from peduli.registry.models import NIK_PURPOSE, Person

REGION_PURPOSE = "link-region"
TOKEN_LENGTH = 40
NAME_KEY_LENGTH = 90  # the columns' width; the place of birth comes last, cut first
# The share of people carrying a token (the model's token table) from which a name whose
# rarest token is that common is keyed by its birth year or day only with its place of
# birth, and not by its regency: 495 tokens of 1,285. A rarer name's year block among
# 10,000,000 people holds at most some 200 (tokens always together), most far fewer.
COMMON_TOKEN = 0.001


# The person's columns holding the keys, in the order of ``LinkKeys``'s fields.
LINK_COLUMNS = (
    "link_token_a", "link_token_b", "link_name_year", "link_name_day", "link_region",
    "link_initials",
)  # fmt: skip


@dataclass(frozen=True)
class LinkKeys:
    token_a: str | None
    token_b: str | None
    name_year: str | None
    name_day: str | None
    region: str | None
    initials: str | None

    def columns(self) -> dict[str, str | None]:
        """The keys by the ``person`` columns that hold them (a bulk write's row). The
        fields' values as they are: ``astuple`` deep-copies each, 6 µs of the 110–120 µs
        an import spends reading a row."""
        return dict(zip(LINK_COLUMNS, vars(self).values(), strict=True))


def link_keys(
    full_name: str,
    date_of_birth: date | None,
    nik: str | None,
    sex: str | None,
    place_of_birth: str | None,
    *,
    name_key: str | None = None,
) -> LinkKeys:
    """The keys of a person with this name, birth date, NIK, sex and place of birth (None:
    not known); ``name_key``: the name as the profile keys it, uncut, when the caller has
    it (an import keys a million names: each is folded once)."""
    all_tokens = name_tokens(full_name) if name_key is None else key_tokens(name_key)
    tokens = rarest(all_tokens)
    token_a = tokens[0][:TOKEN_LENGTH] if tokens else None
    token_b = tokens[1][:TOKEN_LENGTH] if len(tokens) > 1 else None
    year = date_of_birth.year if date_of_birth else None
    common = not tokens or token_frequency(tokens[0]) >= COMMON_TOKEN
    name = _name_part(token_a, token_b, place_of_birth if common else None, common)
    name_year = f"{year}:{name}"[:NAME_KEY_LENGTH] if year and name else None
    name_day = (  # the month and day as digits, not strftime's %m%d: a third of the time
        f"{date_of_birth.month:02d}{date_of_birth.day:02d}:{name}"[:NAME_KEY_LENGTH]
        if date_of_birth and name
        else None
    )
    region = (
        get_cipher().blind_index(f"{nik[:4]}:{year}", purpose=REGION_PURPOSE)
        if nik and len(nik) >= 4 and year and not common
        else None
    )
    initials = (
        f"{date_of_birth.isoformat()}:{sex or ''}:{''.join(sorted({t[0] for t in all_tokens}))}"
        if date_of_birth and all_tokens
        else None
    )
    return LinkKeys(token_a, token_b, name_year, name_day, region, initials)


def _name_part(
    token_a: str | None, token_b: str | None, place_of_birth: str | None, common: bool
) -> str | None:
    """The name in the year and day keys: its two rarest tokens, with the place of birth
    for a common name (None: no tokens, or common and no place known)."""
    if token_a is None:
        return None
    pair = ":".join(sorted(t for t in (token_a, token_b) if t))
    if not common:
        return pair
    place = place_key(place_of_birth)
    return f"{pair}@{place}" if place else None


def stored_keys(
    full_name: str,
    date_of_birth: date | None,
    nik_encrypted: str | None,
    sex: str | None,
    place_of_birth: str | None,
) -> LinkKeys:
    """The keys of a person as the registry stores them: the NIK decrypted in memory only."""
    nik = get_cipher().decrypt(nik_encrypted, purpose=NIK_PURPOSE) if nik_encrypted else None
    return link_keys(full_name, date_of_birth, nik, sex, place_of_birth)


def refresh(person: Person) -> None:
    """Every key again from the person's stored fields, after a later report gave the place
    of birth, or a merge moved a NIK or place to or from it."""
    apply(
        person,
        stored_keys(
            person.full_name, person.date_of_birth, person.nik_encrypted, person.sex,
            person.place_of_birth,
        ),
    )  # fmt: skip


def apply(person: Person, keys: LinkKeys) -> None:
    """Set the person's blocking columns."""
    for column, value in keys.columns().items():
        setattr(person, column, value)
