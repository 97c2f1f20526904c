"""A synthetic population of citizens abroad, realistic and deterministic for a seed.

Every citizen passes the registry's validation: a NIK that encodes a real province, a
plausible regency and district, the birth date (+40 for women) and a serial; a passport
number; a mobile number of the host country in E.164; coordinates inside the country.
Who goes where and why follows reality (``places``, ``regions``): women doing domestic
work in Hong Kong and Saudi Arabia, men on Taiwanese and Korean fishing boats, students
in Cairo and Leiden. A few citizens are reported twice, with a spelling variant and
without the NIK, so the officers' duplicate queue has work.

Everything is drawn from tables built once, so a million citizens take seconds; the
output depends only on the seed and the reference date.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, TypeVar

from peduli.core.db import utcnow
from peduli.demo.phones import PhonePlan, phone_plan
from peduli.demo.places import DESTINATIONS, SECTOR_NOUNS, City, Destination
from peduli.demo.regions import REGIONS, Region
from peduli.demo.spellings import spelling_variant
from peduli.reference.profile import get_profile
from peduli.reference.profiles.indonesia import compose_nik

T = TypeVar("T")

DUPLICATE_RATE = 0.004  # share of rows that are a second report of an earlier citizen
PASSPORT_LETTERS = "ABCEX"
PASSPORT_SPACE = len(PASSPORT_LETTERS) * 10_000_000
PASSPORT_STRIDE = 7_368_787  # coprime with the space: index → number is a permutation
KM_PER_DEGREE = 111.32
FEMALE_SHARE = {
    "domestic_work": 0.96, "caregiving": 0.85, "plantation": 0.25, "manufacturing": 0.35,
    "construction": 0.04, "fishing_crew": 0.0, "hospitality": 0.5, "agriculture": 0.3,
    "healthcare": 0.7, "office_professional": 0.45, "other": 0.5,
    "study": 0.52, "family": 0.68, "tourism": 0.55,
}  # fmt: skip
AGE_RANGE = {
    "work": (20, 48), "domestic_work": (21, 50), "office_professional": (24, 58),
    "study": (18, 32), "family": (18, 70), "tourism": (20, 65), "other": (20, 60),
}  # fmt: skip
EMAIL_SHARE = {"work": 0.25, "study": 0.95, "family": 0.7, "tourism": 0.6, "other": 0.5}
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
RELATIONS = {"M": ("istri", "ibu", "ayah", "kakak", "adik"), "F": ("suami", "ibu", "ayah",
             "kakak", "adik", "anak")}  # fmt: skip
AGENCY_WORDS = ("Sinar", "Jaya", "Abadi", "Mandiri", "Karya", "Bintang", "Cahaya", "Sukses",
                "Sejahtera", "Putra", "Utama", "Makmur", "Bersama", "Mitra", "Duta", "Graha",
                "Bina", "Insani", "Nusantara", "Prima")  # fmt: skip
# Sectors recruited through an Indonesian placement agency (P3MI).
PLACED_SECTORS = frozenset({
    "domestic_work", "caregiving", "plantation", "manufacturing", "construction",
    "fishing_crew", "agriculture", "hospitality",
})  # fmt: skip
FACILITY_CARE_COUNTRIES = frozenset({"JP"})  # caregivers work in facilities, not homes


@dataclass(frozen=True, slots=True)
class Citizen:
    """One synthetic citizen and their stay abroad, as they would report it."""

    full_name: str
    sex: str
    date_of_birth: date
    place_of_birth: str
    nik: str | None
    passport: str | None
    phone: str
    email: str | None
    language: str
    emergency_contact_name: str
    emergency_contact_phone: str
    emergency_contact_relation: str
    country: str
    subdivision: str | None
    city: str
    address: str
    latitude: float
    longitude: float
    purpose: str
    sector: str | None
    employer: str | None
    placement_agency: str | None
    arrival_date: date
    planned_end_date: date | None
    reported_by_officer: bool
    duplicate_of: int | None = None  # position of the citizen this is a second report of

    def report(self) -> dict[str, Any]:
        """The self-report (lapor diri) body this citizen would send, as JSON values."""
        return {
            "nik": self.nik,
            "passport_number": self.passport,
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "place_of_birth": self.place_of_birth,
            "sex": self.sex,
            "phone": self.phone,
            "email": self.email,
            "language": self.language,
            "emergency_contact_name": self.emergency_contact_name,
            "emergency_contact_phone": self.emergency_contact_phone,
            "emergency_contact_relation": self.emergency_contact_relation,
            "country": self.country,
            "subdivision": self.subdivision,
            "city": self.city,
            "address": self.address,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "purpose": self.purpose,
            "sector": self.sector,
            "employer": self.employer,
            "placement_agency": self.placement_agency,
            "arrival_date": self.arrival_date.isoformat(),
            "planned_end_date": self.planned_end_date.isoformat()
            if self.planned_end_date
            else None,
            "consent": True,
        }


class Weighted:
    """Draw from items by weight in O(log n), without rebuilding tables per draw."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random) -> Any:
        point = rng.random() * self.cumulative[-1]
        return self.items[bisect.bisect_right(self.cumulative, point)]


@dataclass(frozen=True)
class _Place:
    """The tables for one destination, built once."""

    destination: Destination
    mix: Weighted
    cities: dict[str | None, Weighted]  # by sector; None: any sector
    phones: PhonePlan


def _city_table(destination: Destination, sector: str | None) -> Weighted:
    cities = destination.cities
    if sector is not None:
        focused = [c for c in cities if sector in c.sectors]
        if focused and sector in {"plantation", "fishing_crew"}:
            cities = tuple(focused)
    weights = [c.weight * (3.0 if sector in c.sectors else 1.0) for c in cities]
    return Weighted(cities, weights)


class Population:
    """Generates citizens; the same seed and reference date give the same citizens."""

    def __init__(
        self,
        *,
        seed: int,
        today: date | None = None,
        duplicate_rate: float = DUPLICATE_RATE,
        city: str | None = None,
    ) -> None:
        self.seed = seed
        self.today = today or utcnow().date()
        self.duplicate_rate = duplicate_rate
        self._rng = random.Random(seed)
        self._profile = get_profile()
        destinations = _in_city(city) if city else DESTINATIONS
        self._places = Weighted(
            [self._place(d) for d in destinations], [d.weight for d in destinations]
        )
        self._regions = Weighted(REGIONS, [r.weight for r in REGIONS])
        self._styles = {r.province: Weighted(*zip(*r.styles, strict=True)) for r in REGIONS}
        self._home_phones = phone_plan(self._profile.home_phone_region, self._rng)
        self._passport_offset = self._rng.randrange(PASSPORT_SPACE)
        self._issued = 0
        self._niks: set[int] = set()
        self._recent: list[tuple[int, Citizen]] = []

    def _place(self, destination: Destination) -> _Place:
        sectors = {sector for _purpose, sector, _weight in destination.mix}
        return _Place(
            destination=destination,
            mix=Weighted(
                [(p, s) for p, s, _w in destination.mix], [w for _p, _s, w in destination.mix]
            ),
            cities={sector: _city_table(destination, sector) for sector in sectors | {None}},
            phones=phone_plan(destination.country, self._rng),
        )

    def citizens(self, count: int) -> Iterator[Citizen]:
        """Yield ``count`` citizens (second reports of earlier ones included)."""
        rng = self._rng
        for position in range(count):
            if self._recent and rng.random() < self.duplicate_rate:
                citizen = self._second_report(rng)
            else:
                citizen = self._citizen(rng)
                self._remember(position, citizen)
            yield citizen

    def batches(self, count: int, size: int) -> Iterator[list[Citizen]]:
        """Yield the same citizens as ``citizens(count)``, in lists of at most ``size``."""
        stream = self.citizens(count)
        while batch := list(itertools.islice(stream, size)):
            yield batch

    def _remember(self, position: int, citizen: Citizen) -> None:
        if len(self._recent) < 1000:
            self._recent.append((position, citizen))
        else:
            self._recent[position % 1000] = (position, citizen)

    def _citizen(self, rng: random.Random) -> Citizen:
        place: _Place = self._places.draw(rng)
        destination = place.destination
        purpose, sector = place.mix.draw(rng)
        sex = "F" if rng.random() < FEMALE_SHARE[sector or purpose] else "M"
        born = self._birth_date(rng, purpose, sector)
        region: Region = self._regions.draw(rng)
        regency, regency_name = rng.choice(region.regencies)
        style = self._styles[region.province].draw(rng)
        full_name = style(rng, sex, born.year)
        city: City = place.cities[sector].draw(rng)
        latitude, longitude = _jitter(rng, city, destination.jitter_km)
        arrival, planned_end = self._dates(rng, destination, purpose)
        return Citizen(
            full_name=full_name,
            sex=sex,
            date_of_birth=born,
            place_of_birth=regency_name,
            nik=self._nik(rng, region.province, regency, born, sex),
            passport=self._passport(),
            phone=self._home_phones.draw(rng) if rng.random() < 0.05 else place.phones.draw(rng),
            email=_email(rng, full_name, born, purpose, sector),
            language=_language(rng, purpose, sector),
            emergency_contact_name=style(rng, rng.choice("MF"), born.year - 25),
            emergency_contact_phone=self._home_phones.draw(rng),
            emergency_contact_relation=rng.choice(RELATIONS[sex]),
            country=destination.country,
            subdivision=city.subdivision,
            city=city.name,
            address=destination.address(rng, city),
            latitude=latitude,
            longitude=longitude,
            purpose=purpose,
            sector=sector,
            employer=_employer(rng, destination, sector),
            placement_agency=_agency(rng, sector),
            arrival_date=arrival,
            planned_end_date=planned_end,
            reported_by_officer=rng.random() < 0.1,
        )  # fmt: skip

    def _second_report(self, rng: random.Random) -> Citizen:
        """The same person again: a spelling variant, a new passport, no NIK."""
        position, original = rng.choice(self._recent)
        return replace(
            original,
            full_name=spelling_variant(rng, original.full_name),
            nik=None,
            passport=self._passport(),
            email=None,
            reported_by_officer=rng.random() < 0.5,
            duplicate_of=position,
        )

    def _birth_date(self, rng: random.Random, purpose: str, sector: str | None) -> date:
        low, high = AGE_RANGE.get(sector or "", AGE_RANGE[purpose])
        return self.today - timedelta(days=rng.randint(low * 365, high * 365))

    def _dates(
        self, rng: random.Random, destination: Destination, purpose: str
    ) -> tuple[date, date | None]:
        if purpose == "work":
            years = destination.contract_years
            arrival = self.today - timedelta(days=rng.randint(0, int(years * 365)))
            return arrival, arrival + timedelta(days=int(years * 365))
        if purpose == "study":
            arrival = self.today - timedelta(days=rng.randint(0, 5 * 365))
            return arrival, arrival + timedelta(days=365 * rng.randint(2, 5))
        if purpose == "tourism":
            arrival = self.today - timedelta(days=rng.randint(0, 30))
            return arrival, arrival + timedelta(days=rng.randint(7, 30))
        return self.today - timedelta(days=rng.randint(0, 15 * 365)), None

    def _nik(self, rng: random.Random, province: str, regency: int, born: date, sex: str) -> str:
        serial = min(9999, 1 + int(rng.expovariate(1 / 40)))
        district = rng.randint(1, 24)
        while True:
            nik = compose_nik(
                province=province,
                regency=regency,
                district=district,
                date_of_birth=born,
                sex="F" if sex == "F" else "M",
                serial=serial,
            )
            if int(nik) not in self._niks:
                self._niks.add(int(nik))
                return nik
            serial = serial % 9999 + 1

    def _passport(self) -> str:
        index = (self._passport_offset + self._issued * PASSPORT_STRIDE) % PASSPORT_SPACE
        self._issued += 1
        letter, digits = divmod(index, 10_000_000)
        return f"{PASSPORT_LETTERS[letter]}{digits:07d}"


def _in_city(name: str) -> tuple[Destination, ...]:
    """The destination holding the city ``name``, reduced to that city: a crisis drill
    needs its whole population where one broadcast reaches them."""
    chosen = tuple(
        replace(destination, cities=(city,))
        for destination in DESTINATIONS
        for city in destination.cities
        if city.name.casefold() == name.casefold()
    )
    if not chosen:
        raise ValueError(f"no synthetic citizens live in {name!r}: choose a city of demo.places")
    return chosen[:1]


def _jitter(rng: random.Random, city: City, radius_km: float) -> tuple[float, float]:
    distance = radius_km * math.sqrt(rng.random()) / KM_PER_DEGREE
    angle = rng.random() * math.tau
    latitude = city.latitude + distance * math.sin(angle)
    longitude = city.longitude + distance * math.cos(angle) / math.cos(math.radians(latitude))
    return round(latitude, 5), round(longitude, 5)


def _email(
    rng: random.Random, full_name: str, born: date, purpose: str, sector: str | None
) -> str | None:
    """An address for some citizens (most students and professionals, few workers)."""
    share = 0.9 if sector == "office_professional" else EMAIL_SHARE[purpose]
    if rng.random() >= share:
        return None
    words = [
        "".join(ch for ch in w.lower() if ch.isascii() and ch.isalnum()) for w in full_name.split()
    ]
    words = [w for w in words if len(w) > 1] or ["wni"]
    local = rng.choice((".", "_", "")).join(words[:2])
    if rng.random() < 0.6:
        local += f"{born.year % 100:02d}"
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


def _language(rng: random.Random, purpose: str, sector: str | None) -> str:
    english = 0.25 if purpose == "study" or sector == "office_professional" else 0.03
    return "en" if rng.random() < english else "id"


def _employer(rng: random.Random, destination: Destination, sector: str | None) -> str | None:
    if sector is None:
        return None
    home_care = sector == "domestic_work" or (
        sector == "caregiving" and destination.country not in FACILITY_CARE_COUNTRIES
    )
    if home_care and destination.household_names:
        return f"{rng.choice(destination.household_names)} (household)"
    words = destination.company_words
    noun = rng.choice(SECTOR_NOUNS[sector])
    return f"{rng.choice(words)} {rng.choice(words)} {noun} {destination.company_suffix}"


def _agency(rng: random.Random, sector: str | None) -> str | None:
    """The Indonesian placement agency (P3MI) of most placed workers."""
    if sector not in PLACED_SECTORS or rng.random() >= 0.85:
        return None
    first, second, third = rng.sample(AGENCY_WORDS, 3)
    return f"PT {first} {second} {third}"
