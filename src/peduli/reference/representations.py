"""The directory of a ministry's representations abroad and which one serves a place.

A country profile names its data file (``representations_id.json`` for Indonesia); the
file lists every post with its jurisdiction and is validated when loaded, so a broken
edit fails at start-up rather than routing a citizen to the wrong post.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import phonenumbers

from peduli.core.errors import NotFound
from peduli.core.i18n import _
from peduli.reference import countries, gazetteer, place_names
from peduli.reference.gazetteer import place_key
from peduli.reference.geo import distance_km

DATA_PACKAGE = "peduli.reference.data"
_CODE = re.compile(r"^(kbri|kjri|kri|ptri|kdei)-[a-z0-9]+(-[a-z0-9]+)*$")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_URL = re.compile(r"^https?://[^\s]+$")


class RepresentationKind(StrEnum):
    """The forms a representation takes (Indonesian names, as Kemlu uses them)."""

    KBRI = "kbri"  # embassy
    KJRI = "kjri"  # consulate-general
    KRI = "kri"  # consulate
    PTRI = "ptri"  # permanent mission to an international organisation
    KDEI = "kdei"  # economic and trade office doing consular work (Taipei)


@dataclass(frozen=True)
class JurisdictionRule:
    """Part of a post's jurisdiction in one country.

    Without subdivisions and cities the post is that country's default; subdivisions are
    ISO 3166-2 codes; cities are carve-outs inside ``subdivisions`` (or ``within``).
    """

    country: str
    subdivisions: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    within: str | None = None

    @property
    def is_default(self) -> bool:
        """Whether this rule makes its post the default for the whole country."""
        return not self.subdivisions and not self.cities

    @property
    def city_scope(self) -> frozenset[str]:
        """Subdivisions its cities lie in (empty: anywhere in the country)."""
        return frozenset(self.subdivisions) | ({self.within} if self.within else set())


@dataclass(frozen=True)
class Representation:
    """One post: embassy, consulate(-general), permanent mission or trade office."""

    code: str
    name: str
    kind: RepresentationKind
    country: str
    city: str
    latitude: float
    longitude: float
    timezone: str
    hotline: str | None
    hotline_verified: bool
    jurisdiction: tuple[JurisdictionRule, ...]
    is_default_for_country: bool
    # Where the hotline was published (None: a switchboard number no public source cites).
    hotline_source: str | None = None

    @property
    def countries(self) -> list[str]:
        """The countries where this post serves citizens, sorted."""
        return sorted({rule.country for rule in self.jurisdiction})


def normalize_place(name: str) -> str:
    """Compare place names ignoring case, accents, punctuation and spacing (any script)."""
    return place_key(name)


class Directory:
    """All posts of one data file, with the look-ups that decide jurisdiction."""

    def __init__(
        self,
        representations: Iterable[Representation],
        source: dict[str, Any],
        aliases: dict[str, dict[str, str]] | None = None,
    ):
        self.source = source
        self.source_aliases = aliases or {}
        self._aliases = place_names.alias_index(self.source_aliases)
        self._by_code = {r.code: r for r in representations}
        self._rules: dict[str, list[tuple[JurisdictionRule, Representation]]] = {}
        self._cities: dict[tuple[str, str], tuple[JurisdictionRule, Representation]] = {}
        for representation in self._by_code.values():
            for rule in representation.jurisdiction:
                self._rules.setdefault(rule.country, []).append((rule, representation))
                for city in rule.cities:
                    key = (rule.country, normalize_place(city))
                    self._cities[key] = (rule, representation)

    def all(self) -> list[Representation]:
        """Every post, in file order (embassies first)."""
        return list(self._by_code.values())

    def get(self, code: str) -> Representation:
        """The post with ``code``; raises ``NotFound`` naming how to find valid codes."""
        try:
            return self._by_code[code]
        except KeyError:
            raise NotFound(
                _(
                    "No representation has the code '{code}'. Codes are the kind and the "
                    "city, like 'kbri-seoul'; GET /api/v1/representations lists them all."
                ).format(code=code)
            ) from None

    def for_country(self, alpha2: str) -> list[Representation]:
        """The posts serving citizens in a country, its default first."""
        rules = self._rules.get(alpha2, [])
        posts = {r.code: r for rule, r in sorted(rules, key=lambda x: not x[0].is_default)}
        return list(posts.values())

    def covered_countries(self) -> list[str]:
        """The countries some post serves, sorted."""
        return sorted(self._rules)

    def uncovered_countries(self) -> list[str]:
        """ISO countries that no post serves (the home country, uninhabited territories)."""
        return sorted(countries.country_codes() - set(self._rules))

    def resolve(
        self,
        *,
        country: str,
        subdivision: str | None = None,
        city: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
    ) -> Representation | None:
        """The post responsible for a place, or None when no post serves its country.

        The most specific rule wins: a city named by a post (inside the subdivision given,
        if one is), then the subdivision or one containing it, then — where the country has
        several posts — the nearest of them to the coordinates, then the country's default.
        A city that is really a subdivision ("Sabah") or an alias ("JB", "Mekah") counts as
        the subdivision or city it stands for; without coordinates or a subdivision, a city
        the gazetteer knows places the stay for the nearest-post rule.
        """
        rules = self._rules.get(country)
        if not rules:
            return None
        key = normalize_place(city) if city else ""
        named = self._cities.get((country, key)) if key else None
        if key and named is None:
            named, subdivision = self._read_city(country, city or "", subdivision)
        lineage = countries.subdivision_lineage(country, subdivision) if subdivision else []
        scope = {*lineage, subdivision} if subdivision else set()
        if named and (not scope or not named[0].city_scope or named[0].city_scope & scope):
            return named[1]
        for code in lineage or ([subdivision] if subdivision else []):
            for rule, post in rules:
                if code in rule.subdivisions:
                    return post
        posts = self.for_country(country)
        # A city the gazetteer knows stands in for coordinates, unless a subdivision was
        # given that it may not lie in.
        if len(posts) > 1 and (latitude is None or longitude is None) and city and not scope:
            found = gazetteer.city_position(country, city)
            latitude, longitude = (found.latitude, found.longitude) if found else (None, None)
        if len(posts) > 1 and latitude is not None and longitude is not None:
            return min(
                posts, key=lambda p: distance_km(latitude, longitude, p.latitude, p.longitude)
            )
        # Validation guarantees every covered country has exactly one default rule.
        return next(post for rule, post in rules if rule.is_default)

    def _read_city(
        self, country: str, city: str, subdivision: str | None
    ) -> tuple[tuple[JurisdictionRule, Representation] | None, str | None]:
        """A typed city that is an alias or a subdivision's name: what it stands for."""
        target = self._aliases.get((country, normalize_place(city)))
        if target is None and len(self.for_country(country)) > 1:
            target = _subdivision_named(country, city)
        if target is None:
            return None, subdivision
        if countries.is_subdivision(country, target):
            return None, subdivision or target
        return self._cities.get((country, normalize_place(target))), subdivision

    def canonical_city(self, country: str, city: str) -> str:
        """The city an alias stands for ("JB" → "Johor Bahru"), else ``city`` itself."""
        target = self._aliases.get((country, normalize_place(city)))
        return target if target and not countries.is_subdivision(country, target) else city

    def subdivision_named(self, country: str, city: str) -> str | None:
        """The ISO 3166-2 code of a state or province typed as the city ("Sabah"), or None."""
        target = self._aliases.get((country, normalize_place(city)))
        if target is not None:
            return target if countries.is_subdivision(country, target) else None
        return _subdivision_named(country, city)


def _subdivision_named(country: str, name: str) -> str | None:
    names = place_names.subdivision_names(country)
    # "Fukuoka-ken", "Guangdong Sheng": also without the administrative word.
    forms = sorted(place_names.name_forms(name), key=len, reverse=True)
    return next((names[f] for f in forms if f in names), None)


class DirectoryInvalid(ValueError):
    """The representations file breaks a rule; the message lists every problem."""


@cache
def load_directory(resource_name: str) -> Directory:
    """Load and validate a representations file shipped in ``peduli.reference.data``."""
    raw = resources.files(DATA_PACKAGE).joinpath(resource_name).read_text("utf-8")
    return build_directory(json.loads(raw), name=resource_name)


def build_directory(document: dict[str, Any], *, name: str) -> Directory:
    """Validate a parsed representations document; raise ``DirectoryInvalid`` listing all faults."""
    representations = [_parse(item) for item in document["representations"]]
    problems = _problems(representations)
    aliases: dict[str, dict[str, str]] = document.get("aliases", {})
    named = [
        (rule.country, normalize_place(city))
        for post in representations
        for rule in post.jurisdiction
        for city in rule.cities
    ]
    problems += place_names.alias_problems(aliases, named)
    if problems:
        raise DirectoryInvalid(
            f"{name} is not valid; fix these entries:\n- " + "\n- ".join(problems)
        )
    return Directory(representations, source=document.get("source", {}), aliases=aliases)


def _parse(item: dict[str, Any]) -> Representation:
    rules = tuple(
        JurisdictionRule(
            country=rule["country"],
            subdivisions=tuple(rule.get("subdivisions", ())),
            cities=tuple(rule.get("cities", ())),
            within=rule.get("within"),
        )
        for rule in item.get("jurisdiction", ())
    )
    return Representation(
        code=item["code"],
        name=item["name"],
        kind=RepresentationKind(item["kind"]),
        country=item["country"],
        city=item["city"],
        latitude=float(item["latitude"]),
        longitude=float(item["longitude"]),
        timezone=item["timezone"],
        hotline=item.get("hotline"),
        hotline_verified=bool(item.get("hotline_verified", False)),
        hotline_source=item.get("hotline_source"),
        jurisdiction=rules,
        is_default_for_country=any(
            rule.is_default and rule.country == item["country"] for rule in rules
        ),
    )


def _problems(representations: list[Representation]) -> list[str]:
    problems: list[str] = []
    seen_codes: set[str] = set()
    defaults: dict[str, str] = {}
    claimed: dict[tuple[str, str], str] = {}  # (country, subdivision or city) -> post code
    for post in representations:
        problems += _post_problems(post, seen_codes)
        seen_codes.add(post.code)
        for rule in post.jurisdiction:
            problems += _rule_problems(post.code, rule)
            if rule.is_default:
                if rule.country in defaults:
                    problems.append(
                        f"{rule.country} has two defaults: {defaults[rule.country]} and "
                        f"{post.code}; keep one and give the other subdivisions or cities"
                    )
                defaults[rule.country] = post.code
            keys = [*rule.subdivisions, *(f"city:{normalize_place(c)}" for c in rule.cities)]
            for key in keys:
                owner = claimed.setdefault((rule.country, key), post.code)
                if owner != post.code:
                    problems.append(f"{rule.country} {key} is claimed by {owner} and {post.code}")
    covered = {rule.country for post in representations for rule in post.jurisdiction}
    problems += [
        f"{country} has posts but no default: mark one post's rule without subdivisions"
        for country in sorted(covered - set(defaults))
    ]
    return problems


def _post_problems(post: Representation, seen_codes: set[str]) -> list[str]:
    problems = []
    if post.code in seen_codes:
        problems.append(f"{post.code}: the code is used twice")
    if not _CODE.match(post.code) or not post.code.startswith(f"{post.kind.value}-"):
        problems.append(f"{post.code}: a code is the kind and a city slug, like 'kbri-seoul'")
    if not countries.is_country(post.country):
        problems.append(f"{post.code}: '{post.country}' is not an ISO 3166-1 alpha-2 code")
    if not (-90 <= post.latitude <= 90 and -180 <= post.longitude <= 180):
        problems.append(f"{post.code}: coordinates out of range")
    problems += _hotline_problems(post)
    try:
        zoneinfo.ZoneInfo(post.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.append(f"{post.code}: '{post.timezone}' is not an IANA time zone")
    return problems


def _hotline_problems(post: Representation) -> list[str]:
    if post.hotline is None:
        return (
            [f"{post.code}: a hotline source or 24-hour mark without a hotline"]
            if post.hotline_source or post.hotline_verified
            else []
        )
    if not _E164.match(post.hotline) or not phonenumbers.is_valid_number(
        phonenumbers.parse(post.hotline)
    ):
        return [f"{post.code}: hotline must be a valid E.164 number, like +6567377422"]
    if post.hotline_source is not None and not _URL.match(post.hotline_source):
        return [f"{post.code}: hotline_source must be the http(s) address of the source"]
    if post.hotline_verified and post.hotline_source is None:
        return [f"{post.code}: a hotline marked 24-hour needs the hotline_source that says so"]
    return []


def _rule_problems(code: str, rule: JurisdictionRule) -> list[str]:
    if not countries.is_country(rule.country):
        return [f"{code}: jurisdiction country '{rule.country}' is not ISO 3166-1"]
    named = [*rule.subdivisions, *([rule.within] if rule.within else [])]
    return [
        f"{code}: '{sub}' is not an ISO 3166-2 subdivision of {rule.country}"
        for sub in named
        if not countries.is_subdivision(rule.country, sub)
    ]
