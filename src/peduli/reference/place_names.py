"""Names people type for a state, province or city, mapped to what jurisdiction rules use.

A citizen writes "Sabah", "JB", "Pulau Pinang", "Mekah" or "大阪府" where a form asks for a
city. Two sources turn such a name into a subdivision code or a city a post names:
- ISO 3166-2 subdivision names as pycountry ships them, in the local form and translated
  (Indonesian, Malay, English, Chinese, Japanese, Korean, Thai, Vietnamese, Arabic...),
  each also without its administrative suffix ("Guangdong Sheng" → "Guangdong");
- the ``aliases`` table of the representations file (abbreviations, older spellings,
  Indonesian forms), validated when the file is loaded.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable
from functools import cache

import pycountry

from peduli.reference import countries
from peduli.reference.gazetteer import place_key

# pycountry's catalogues for the languages citizens and locals write place names in.
LANGUAGES = (
    "id", "ms", "fr", "de", "es", "ja", "ko", "zh_CN", "zh_TW", "zh_HK", "th", "vi", "ar", "tr",
)  # fmt: skip
# Administrative words a name is also known without ("Guangdong Sheng", "大阪府", "부산광역시").
_SUFFIX = re.compile(
    r"(\s+(sheng|shi|zizhiqu|province|prefecture|state|region|governorate|emirate)"
    r"|-(ken|fu|to|do|gwangyeoksi|teukbyeolsi|si|do)"
    r"|[省市县縣府州都道]|광역시|특별시|특별자치시|특별자치도|도)$"
)

_PARENTHESIS = re.compile(r"\s*\([^)]*\)")


@cache
def _catalogues() -> tuple[gettext.NullTranslations, ...]:
    return tuple(
        gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in LANGUAGES
    )


def name_forms(name: str) -> set[str]:
    """The comparison keys of a name: as written, and without an administrative suffix."""
    bare = _PARENTHESIS.sub("", name).strip()  # "Davao (Region XI)" → "Davao"
    forms = {place_key(name), place_key(bare), place_key(_SUFFIX.sub("", bare))}
    return {f for f in forms if f}


@cache
def subdivision_names(alpha2: str) -> dict[str, str]:
    """Every known form of each subdivision name of a country → its ISO 3166-2 code.

    A form shared by two subdivisions names neither (it could be either).
    """
    found: dict[str, str] = {}
    clashes: set[str] = set()
    for subdivision in countries.subdivisions(alpha2):
        names = {subdivision.name, *(c.gettext(subdivision.name) for c in _catalogues())}
        for form in {f for name in names for f in name_forms(name)}:
            if found.setdefault(form, subdivision.code) != subdivision.code:
                clashes.add(form)
    return {form: code for form, code in found.items() if form not in clashes}


def alias_index(aliases: dict[str, dict[str, str]]) -> dict[tuple[str, str], str]:
    """(country, alias key) → target (a subdivision code or a city a post names)."""
    return {
        (country, place_key(alias)): target
        for country, names in aliases.items()
        for alias, target in names.items()
    }


def alias_problems(
    aliases: dict[str, dict[str, str]], named_cities: Iterable[tuple[str, str]]
) -> list[str]:
    """What is wrong with the aliases table: unknown countries, targets that go nowhere."""
    cities = set(named_cities)  # (country, city key)
    problems: list[str] = []
    for country, names in aliases.items():
        if not countries.is_country(country):
            problems.append(f"aliases: '{country}' is not an ISO 3166-1 alpha-2 code")
            continue
        for alias, target in names.items():
            if not place_key(alias):
                problems.append(f"aliases {country}: '{alias}' has no letters")
            elif not (
                countries.is_subdivision(country, target) or (country, place_key(target)) in cities
            ):
                problems.append(
                    f"aliases {country}: '{alias}' points to '{target}', which is neither an "
                    f"ISO 3166-2 subdivision of {country} nor a city a post names there"
                )
    return problems
