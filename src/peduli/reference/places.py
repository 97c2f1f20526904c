"""Places as a citizen reads them: country names in their language, the post serving a
place, and its hotline written for dialling."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import phonenumbers

from peduli.reference.countries import country_name as country_name  # re-exported for pages
from peduli.reference.countries import country_names
from peduli.reference.countries import subdivision_choices as subdivision_choices
from peduli.reference.countries import subdivision_name as subdivision_name
from peduli.reference.profile import get_profile
from peduli.reference.representations import Directory, Representation, load_directory


@cache
def country_choices(language: str) -> list[tuple[str, str]]:
    """(code, name) of every country a post serves, sorted by name in ``language``."""
    names = country_names(language)
    covered = directory().covered_countries()
    return sorted(((code, names.get(code, code)) for code in covered), key=lambda c: c[1])


def directory() -> Directory:
    """The representations of the running country profile."""
    return load_directory(get_profile().representations_resource)


def representation_by_code(code: str | None) -> Representation | None:
    """The post with ``code`` (None for no code or a post no longer in the directory)."""
    if not code:
        return None
    return next((r for r in directory().all() if r.code == code), None)


@dataclass(frozen=True)
class Hotline:
    """A post's hotline: ``tel`` for the link, ``display`` for reading."""

    tel: str
    display: str


def hotline_of(representation: Representation | None) -> Hotline | None:
    """The post's hotline, written the international way, or None when unknown."""
    if representation is None or not representation.hotline:
        return None
    number = phonenumbers.parse(representation.hotline)
    display = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return Hotline(tel=representation.hotline, display=display)
