"""Countries, their subdivisions and time zones: ISO 3166 from pycountry, zones from tzdata.

Everything here is read from what installed packages ship and cached after the first call;
nothing is downloaded at run time.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache, partial
from importlib import resources

import pycountry

from peduli.core.i18n import Named


@dataclass(frozen=True)
class Country:
    """One ISO 3166-1 country: its alpha-2 code and names."""

    code: str
    name: str
    name_id: str


@dataclass(frozen=True)
class Subdivision:
    """One ISO 3166-2 subdivision; ``parent`` is the code of the one that contains it."""

    code: str
    name: str
    type: str
    parent: str | None


@cache
def _indonesian() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["id"], fallback=True)


@cache
def _countries() -> dict[str, Country]:
    translate = _indonesian().gettext
    return {
        c.alpha_2: Country(code=c.alpha_2, name=c.name, name_id=translate(c.name))
        for c in sorted(pycountry.countries, key=lambda c: c.alpha_2)
    }


def all_countries() -> list[Country]:
    """Every ISO 3166-1 country, sorted by alpha-2 code."""
    return list(_countries().values())


def country_codes() -> frozenset[str]:
    """The set of every ISO 3166-1 alpha-2 code."""
    return frozenset(_countries())


def is_country(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 code (upper case, as stored)."""
    return code in _countries()


def get_country(code: str) -> Country | None:
    """The country with alpha-2 ``code``, or None."""
    return _countries().get(code)


# pycountry ships ISO 3166 names translated; these are its catalogues for our languages.
_PYCOUNTRY_LOCALES = {"id": "id", "zh": "zh_CN", "fr": "fr"}


@cache
def country_names(language: str) -> dict[str, str]:
    """Every country's name in ``language``, by alpha-2 code."""
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
    return country_names(language).get(code.upper(), code)


def named_country(code: str) -> Named:
    """``code`` for a message: its readers see the country's name in their language."""
    return Named(code.upper(), partial(country_name, code))


@cache
def _subdivisions(alpha2: str) -> dict[str, Subdivision]:
    found = pycountry.subdivisions.get(country_code=alpha2) or []
    return {
        s.code: Subdivision(code=s.code, name=s.name, type=s.type, parent=_parent_code(s))
        for s in sorted(found, key=lambda s: s.code)
    }


def _parent_code(subdivision: object) -> str | None:
    # pycountry stores the parent without the country prefix for some countries.
    parent = getattr(subdivision, "parent_code", None)
    if not parent:
        return None
    country = str(getattr(subdivision, "country_code", ""))
    return parent if "-" in parent else f"{country}-{parent}"


def subdivisions(alpha2: str) -> list[Subdivision]:
    """The ISO 3166-2 subdivisions of a country (empty when it has none or is unknown)."""
    return list(_subdivisions(alpha2).values())


def is_subdivision(alpha2: str, code: str) -> bool:
    """Whether ``code`` (e.g. ``MY-12``) is a subdivision of country ``alpha2``."""
    return code in _subdivisions(alpha2)


def subdivision_lineage(alpha2: str, code: str) -> list[str]:
    """``code`` followed by the codes of the subdivisions containing it, innermost first."""
    known = _subdivisions(alpha2)
    lineage: list[str] = []
    current: str | None = code
    while current and current in known and current not in lineage:
        lineage.append(current)
        current = known[current].parent
    return lineage


@cache
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    # tzdata ships zone.tab, the IANA list of zones per country (one country per zone).
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text("utf-8")
    zones: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _coordinates, zone, *_ = line.split("\t")
            zones.setdefault(code, []).append(zone)
    return {code: tuple(names) for code, names in zones.items()}


def timezones(alpha2: str) -> list[str]:
    """The IANA time zones in use in a country, main zone first (empty if none listed)."""
    return list(_zones_by_country().get(alpha2, ()))


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
