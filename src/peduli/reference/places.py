"""Places as a citizen reads them: country names in their language, the post serving a
place, and its hotline written for dialling."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache

import phonenumbers
import pycountry

from peduli.reference.profile import get_profile
from peduli.reference.representations import Directory, Representation, load_directory

# pycountry ships ISO 3166 names translated; these are its catalogues for our languages.
_PYCOUNTRY_LOCALES = {"id": "id", "zh": "zh_CN", "fr": "fr"}


@cache
def _country_names(language: str) -> dict[str, str]:
    locale = _PYCOUNTRY_LOCALES.get(language)
    catalogue = (
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale], fallback=True)
        if locale
        else gettext.NullTranslations()
    )
    # The common name ("South Korea") reads better than the formal one ("Korea, Republic of").
    return {
        c.alpha_2: catalogue.gettext(getattr(c, "common_name", None) or c.name)
        for c in pycountry.countries
    }


def country_name(code: str | None, language: str) -> str:
    """A country's name as a reader of ``language`` knows it (the code if unknown)."""
    if not code:
        return ""
    return _country_names(language).get(code.upper(), code)


@cache
def country_choices(language: str) -> list[tuple[str, str]]:
    """(code, name) of every country a post serves, sorted by name in ``language``."""
    names = _country_names(language)
    covered = directory().covered_countries()
    return sorted(((code, names.get(code, code)) for code in covered), key=lambda c: c[1])


@cache
def _subdivision_catalogue(language: str) -> gettext.NullTranslations:
    locale = _PYCOUNTRY_LOCALES.get(language)
    if not locale:
        return gettext.NullTranslations()
    return gettext.translation(
        "iso3166-2", pycountry.LOCALES_DIR, languages=[locale], fallback=True
    )


def subdivision_name(code: str | None, language: str) -> str:
    """A province's (ISO 3166-2 subdivision's) name as a reader of ``language`` knows it."""
    found = pycountry.subdivisions.get(code=code) if code else None
    if found is None:
        return code or ""
    return _subdivision_catalogue(language).gettext(found.name)


@cache
def subdivision_choices(country: str, language: str) -> list[tuple[str, str]]:
    """(code, name) of the first-level subdivisions (provinces, states) of ``country``."""
    found = pycountry.subdivisions.get(country_code=country.upper()) or []
    catalogue = _subdivision_catalogue(language)
    # Indonesia's first level is "geographical units" (Jawa); its provinces lie beneath.
    grouping = {s.code for s in found if s.parent_code is None and "eographical" in s.type}
    top = [
        s
        for s in found
        if (s.parent_code is None and s.code not in grouping) or s.parent_code in grouping
    ]
    return sorted(((s.code, catalogue.gettext(s.name)) for s in top), key=lambda c: c[1])


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
