"""What immigration and BP2MI know of the demo's citizens, derived from the same
deterministic generator as the demo (``demo.population``), so the sandboxes answer for the
people ``peduli demo`` seeded.

Passports are keyed by number (the generator's passport numbers depend on the seed alone, not
on the day the population is drawn). Each citizen's passport gets a status from a hash of its
number: most are valid, some expired, reported lost, revoked, or replaced by a newer passport
(a citizen reported twice with a new passport has the first one replaced by the second).
Placed migrant workers get a BP2MI placement (employer, placement agency, contract dates,
sector, country); every agency of the population is in the licence list, a few revoked and a
few never licensed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from peduli.demo.population import PLACED_SECTORS, Citizen, Population

HOME_AIRPORTS = ("CGK", "SUB", "DPS", "KNO", "UPG", "YIA", "BTH", "PNK")
PASSPORT_YEARS = 10


class PassportStatus(StrEnum):
    """What immigration says of a passport."""

    VALID = "valid"
    EXPIRED = "expired"
    LOST = "reported_lost"
    REVOKED = "revoked"
    REPLACED = "replaced"


class LicenceStatus(StrEnum):
    """A placement agency's licence (SIP3MI) as BP2MI lists it."""

    ACTIVE = "active"
    REVOKED = "revoked"


@dataclass(frozen=True)
class PassportRecord:
    """One passport as immigration holds it."""

    number: str
    date_of_birth: date
    issued_on: date
    expires_on: date
    status: PassportStatus
    status_since: date | None = None
    replaced_by: str | None = None


@dataclass(frozen=True)
class Crossing:
    """One passage of a border post, as immigration recorded it."""

    passport_number: str
    at: datetime
    direction: str  # "exit" or "entry" (of Indonesia)
    port: str
    country: str  # the country travelled to or from


@dataclass(frozen=True)
class Placement:
    """A BP2MI placement record of a migrant worker."""

    placement_id: str
    nik: str | None
    passport_number: str | None
    employer: str
    agency_licence: str | None
    agency_name: str | None
    sector: str
    country: str
    contract_start: date
    contract_end: date | None


@dataclass(frozen=True)
class Agency:
    """A licensed (or formerly licensed) placement agency."""

    licence: str
    name: str
    status: LicenceStatus
    revoked_on: date | None = None


@dataclass
class TravelRecords:
    """Everything the two sandboxes answer from; tests enrol more."""

    passports: dict[str, PassportRecord] = field(default_factory=dict)
    crossings: dict[str, list[Crossing]] = field(default_factory=dict)
    placements: list[Placement] = field(default_factory=list)
    agencies: dict[str, Agency] = field(default_factory=dict)  # by licence

    def placements_of(self, *, nik: str | None, passport: str | None) -> list[Placement]:
        """The placements of the worker with this NIK or passport number."""
        return [
            p
            for p in self.placements
            if (nik and p.nik == nik) or (passport and p.passport_number == passport)
        ]

    def agency_named(self, name: str) -> Agency | None:
        """The agency of this name, if listed."""
        return next((a for a in self.agencies.values() if a.name == name), None)


def bucket(value: str, salt: str) -> int:
    """A stable number 0–99 for ``value``: the same answer in every process and run."""
    digest = hashlib.sha256(f"{salt}:{value}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100


def licence_number(name: str) -> str:
    """The SIP3MI licence number the sandbox gives an agency name."""
    digest = hashlib.sha256(name.encode()).hexdigest()
    return f"SIP3MI-{int(digest[:8], 16) % 100000:05d}"


def agency_status(name: str) -> LicenceStatus | None:
    """Whether BP2MI lists the agency, and its licence: ~5 % never licensed, ~8 % revoked."""
    share = bucket(name, "licence")
    if share < 5:
        return None
    return LicenceStatus.REVOKED if share < 13 else LicenceStatus.ACTIVE


def passport_status(number: str) -> PassportStatus:
    """The status the sandbox gives a demo passport (second reports aside)."""
    share = bucket(number, "passport")
    if share < 80:
        return PassportStatus.VALID
    if share < 88:
        return PassportStatus.EXPIRED
    if share < 93:
        return PassportStatus.LOST
    if share < 95:
        return PassportStatus.REVOKED
    return PassportStatus.REPLACED


def newer_number(number: str) -> str:
    """The number of the newer passport that replaced ``number`` (not in the demo registry)."""
    digest = hashlib.sha256(f"newer:{number}".encode()).hexdigest()
    return f"X{int(digest[:8], 16) % 10_000_000:07d}"


def build(*, seed: int, size: int, today: date) -> TravelRecords:
    """The records for the first ``size`` citizens of the demo generator with ``seed``
    (a second report's new passport replaces the first report's)."""
    citizens = list(Population(seed=seed, today=today).citizens(size))
    records = of_citizens(citizens, today=today)
    for citizen in citizens:
        if citizen.duplicate_of is not None and citizen.passport:
            _replace(records, citizens[citizen.duplicate_of], citizen.passport)
    return records


def of_citizens(citizens: Iterable[Citizen], *, today: date) -> TravelRecords:
    """The records of these citizens (the sandboxes' ``residents``)."""
    records = TravelRecords()
    for citizen in citizens:
        add_citizen(records, citizen, today=today)
    return records


def add_citizen(records: TravelRecords, citizen: Citizen, *, today: date) -> None:
    """Add one citizen's passport, border crossings and placement (if placed)."""
    number = citizen.passport
    if number is None:
        return
    records.passports[number] = passport_of(citizen, today=today)
    records.crossings[number] = list(crossings_of(citizen, today=today))
    placement = placement_of(citizen)
    if placement is None:
        return
    records.placements.append(placement)
    if placement.agency_name and placement.agency_licence:
        status = agency_status(placement.agency_name)
        if status is not None:
            revoked = today - timedelta(days=30 + bucket(placement.agency_name, "when") * 7)
            records.agencies[placement.agency_licence] = Agency(
                licence=placement.agency_licence,
                name=placement.agency_name,
                status=status,
                revoked_on=revoked if status == LicenceStatus.REVOKED else None,
            )


def passport_of(citizen: Citizen, *, today: date) -> PassportRecord:
    """The citizen's passport as immigration holds it."""
    number = str(citizen.passport)
    status = passport_status(number)
    issued = citizen.arrival_date - timedelta(days=30 + bucket(number, "issued") * 12)
    expires = issued + timedelta(days=365 * PASSPORT_YEARS)
    since: date | None = today - timedelta(days=1 + bucket(number, "since") * 3)
    replaced_by = None
    if status == PassportStatus.EXPIRED:
        expires = today - timedelta(days=1 + bucket(number, "expired") * 4)
        issued = expires - timedelta(days=365 * PASSPORT_YEARS)
        since = expires
    elif status == PassportStatus.REPLACED:
        replaced_by = newer_number(number)
    elif status == PassportStatus.VALID:
        since = None
    return PassportRecord(
        number=number,
        date_of_birth=citizen.date_of_birth,
        issued_on=issued,
        expires_on=expires,
        status=status,
        status_since=since,
        replaced_by=replaced_by,
    )


def _replace(records: TravelRecords, original: Citizen, newer: str) -> None:
    """The first report's passport, replaced by the one the citizen reported the second time."""
    old = records.passports.get(str(original.passport))
    if old is None:
        return
    records.passports[old.number] = PassportRecord(
        number=old.number,
        date_of_birth=old.date_of_birth,
        issued_on=old.issued_on,
        expires_on=old.expires_on,
        status=PassportStatus.REPLACED,
        status_since=old.issued_on + timedelta(days=365),
        replaced_by=newer,
    )


def crossings_of(citizen: Citizen, *, today: date) -> Iterable[Crossing]:
    """The departure to the stay and, for some, a visit home and back, newest last."""
    number = str(citizen.passport)
    port = HOME_AIRPORTS[bucket(number, "port") % len(HOME_AIRPORTS)]
    left = datetime.combine(citizen.arrival_date, time(2 + bucket(number, "hour") % 20), UTC)
    yield Crossing(number, left, "exit", port, citizen.country)
    visit = bucket(number, "visit")
    if visit < 30:
        home = citizen.arrival_date + timedelta(days=60 + visit * 10)
        back = home + timedelta(days=7 + visit % 14)
        if back < today:
            yield Crossing(number, datetime.combine(home, time(9), UTC), "entry", port,
                           citizen.country)  # fmt: skip
            yield Crossing(number, datetime.combine(back, time(23), UTC), "exit", port,
                           citizen.country)  # fmt: skip


def placement_of(citizen: Citizen) -> Placement | None:
    """The worker's BP2MI placement; ~10 % of placed workers went without (unknown to BP2MI),
    ~3 % are placed in another country than the one they report."""
    number = str(citizen.passport)
    if citizen.purpose != "work" or citizen.sector not in PLACED_SECTORS or not citizen.employer:
        return None
    share = bucket(number, "placement")
    if share < 10:
        return None
    country = citizen.country if share >= 13 else _elsewhere(citizen.country)
    agency = citizen.placement_agency
    return Placement(
        placement_id=f"PMI-{int(hashlib.sha256(number.encode()).hexdigest()[:10], 16)}",
        nik=citizen.nik,
        passport_number=number,
        employer=citizen.employer,
        agency_licence=licence_number(agency) if agency else None,
        agency_name=agency,
        sector=str(citizen.sector),
        country=country,
        contract_start=citizen.arrival_date,
        contract_end=citizen.planned_end_date,
    )


def _elsewhere(country: str) -> str:
    return "TW" if country != "TW" else "HK"
