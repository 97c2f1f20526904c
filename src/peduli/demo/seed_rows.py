"""A seed's rows, built as the registry stores a self-report, in whichever process builds
them (``demo.seed`` gathers and writes them).

Rows are built exactly as the registry stores a self-report (``registry.report_records``:
sealed NIK and passport, contacts and address encrypted with their blind indexes, name key,
H3 cell, the representation whose jurisdiction covers the stay), with a seed's extras (an
earlier stay, the people drawn for a case); on PostgreSQL they leave the building process
sealed and in COPY's format already.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Table

from peduli.cases import synthetic
from peduli.cases.models import Case, CasePerson
from peduli.core.crypto import contact_index
from peduli.core.db import utcnow
from peduli.demo.bulk_write import CopyText, in_copy_text, sealed_for_copy
from peduli.demo.population import Citizen
from peduli.reference.profile import CountryProfile, get_profile
from peduli.registry import report_records as registry
from peduli.registry.linkage.keys import link_keys
from peduli.registry.models import (
    ContactKind,
    ContactPoint,
    ContactTrust,
    Passport,
    Person,
    PersonStatus,
    Stay,
    StayStatus,
    Verification,
)

Row = tuple[Any, ...]
PERSON_COLUMNS = (
    "id", "created_at", "updated_at", "full_name", "name_key", "sex", "date_of_birth",
    "place_of_birth", "nik_encrypted", "nik_index", "home_province", "preferred_language",
    "emergency_contact_name", "emergency_contact_phone", "emergency_contact_relation",
    "consent_at", "consent_version", "status", "verification", "link_token_a", "link_token_b",
    "link_name_year", "link_name_day", "link_region", "link_initials",
)  # fmt: skip
PASSPORT_COLUMNS = ("id", "person_id", "number_encrypted", "number_index", "is_current",
                    "reported_at")  # fmt: skip
# Seeded contacts stand for a registry's verified ones: trusted, so they sign in and are alerted.
CONTACT_COLUMNS = ("id", "person_id", "kind", "value", "value_index", "is_primary", "trusted_at",
                   "trust_source")  # fmt: skip
STAY_COLUMNS = (
    "id", "created_at", "updated_at", "person_id", "country", "subdivision", "city", "address",
    "latitude", "longitude", "h3_cell", "purpose", "sector", "employer", "placement_agency",
    "arrival_date", "planned_end_date", "departed_on", "status", "representation_code", "source",
    "language",
)  # fmt: skip
SEEDED = ContactTrust.SEED.value


@dataclass
class Rows:
    """One batch of rows for the registry tables and the cases, in column order."""

    person: list[Row] = field(default_factory=list)
    passport: list[Row] = field(default_factory=list)
    contact: list[Row] = field(default_factory=list)
    stay: list[Row] = field(default_factory=list)
    case: list[Row] = field(default_factory=list)
    case_person: list[Row] = field(default_factory=list)
    second_reports: list[uuid.UUID] = field(default_factory=list)  # person ids
    # (person id, post) of each citizen drawn for a case: the cases are numbered in order,
    # so the process holding the transaction makes them (``with_cases``).
    case_subjects: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    # The registry tables' rows in COPY's format, made where they were built (PostgreSQL).
    copied: list[CopyText] = field(default_factory=list)

    def tables(self) -> list[tuple[Table, Sequence[str], list[Row]]]:
        """Each table with its columns and rows, parents first (foreign keys)."""
        return [
            (_table(Person), PERSON_COLUMNS, self.person),
            (_table(Passport), PASSPORT_COLUMNS, self.passport),
            (_table(ContactPoint), CONTACT_COLUMNS, self.contact),
            (_table(Stay), STAY_COLUMNS, self.stay),
            (_table(Case), synthetic.CASE_COLUMNS, self.case),
            (_table(CasePerson), synthetic.CASE_PERSON_COLUMNS, self.case_person),
        ]

    def counts(self) -> Counter[str]:
        """Rows by table name, whether still rows or copied already."""
        counts = Counter({table.table: table.rows for table in self.copied})
        counts.update({table.name: len(rows) for table, _columns, rows in self.tables()})
        return counts

    def in_copy_text(self) -> Rows:
        """The batch with its rows sealed and in COPY's format, for the process that writes
        them to pass on as they are."""
        return Rows(
            second_reports=self.second_reports,
            case_subjects=self.case_subjects,
            copied=in_copy_text(sealed_for_copy(self)),
        )


@dataclass(frozen=True)
class Extras:
    """What a seed adds beyond one stay per citizen: an earlier, departed stay for a share
    of them, and a protection case for another share (drawn reproducibly from the seed and
    the batch's number, in whichever process builds the batch)."""

    seed: int
    earlier_stay_share: float = 0.0
    case_share: float = 0.0

    def rng(self, batch: int) -> random.Random:
        """The draws of batch number ``batch``."""
        return random.Random(f"extras-{self.seed}-{batch}")


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


class RepresentationCache:
    """The registry's jurisdiction decision, made once per (country, subdivision, city)."""

    def __init__(self) -> None:
        self._codes: dict[tuple[str, str | None, str], str | None] = {}

    def code(self, citizen: Citizen) -> str | None:
        """The code of the post responsible for the citizen's stay."""
        key = (citizen.country, citizen.subdivision, citizen.city)
        if key not in self._codes:
            place = Stay(
                country=citizen.country,
                subdivision=citizen.subdivision,
                city=citizen.city,
                latitude=citizen.latitude,
                longitude=citizen.longitude,
            )
            post = registry.resolve_representation(place)
            self._codes[key] = post.code if post else None
        return self._codes[key]


def build_rows(
    citizens: Iterable[Citizen],
    *,
    now: datetime,
    representations: RepresentationCache,
    profile: CountryProfile,
) -> Rows:
    """Turn citizens into registry rows, sealed and keyed as the registry does."""
    rows = Rows()
    for citizen in citizens:
        representation = representations.code(citizen)
        person_id = uuid.uuid4()
        nik_encrypted, nik_index = (
            registry.stored_identifier(citizen.nik, purpose=registry.NIK_PURPOSE)
            if citizen.nik
            else (None, None)
        )
        rows.person.append((
            person_id, now, now, citizen.full_name,
            registry.stored_name_key(citizen.full_name, profile), citizen.sex,
            citizen.date_of_birth, citizen.place_of_birth, nik_encrypted, nik_index,
            citizen.nik[:2] if citizen.nik else None, citizen.language,
            citizen.emergency_contact_name, citizen.emergency_contact_phone,
            citizen.emergency_contact_relation, now, registry.CONSENT_VERSION,
            PersonStatus.ACTIVE.value, Verification.UNVERIFIED.value,
            *link_keys(citizen.full_name, citizen.date_of_birth, citizen.nik, citizen.sex,
                       citizen.place_of_birth).columns().values(),
        ))  # fmt: skip
        if citizen.passport:
            encrypted, index = registry.stored_identifier(
                citizen.passport, purpose=registry.PASSPORT_PURPOSE
            )
            rows.passport.append((uuid.uuid4(), person_id, encrypted, index, True, now))
        rows.contact.append((
            uuid.uuid4(), person_id, ContactKind.PHONE.value, citizen.phone,
            contact_index(citizen.phone), True, now, SEEDED,
        ))  # fmt: skip
        if citizen.email:
            rows.contact.append((
                uuid.uuid4(), person_id, ContactKind.EMAIL.value, citizen.email,
                contact_index(citizen.email), True, now, SEEDED,
            ))  # fmt: skip
        stay = (
            uuid.uuid4(), now, now, person_id, citizen.country, citizen.subdivision, citizen.city,
            citizen.address, citizen.latitude, citizen.longitude,
            registry.h3_cell(citizen.latitude, citizen.longitude), citizen.purpose, citizen.sector,
            citizen.employer, citizen.placement_agency, citizen.arrival_date,
            citizen.planned_end_date, None, StayStatus.ACTIVE.value, representation,
            "officer" if citizen.reported_by_officer else "self_report", citizen.language,
        )  # fmt: skip
        rows.stay.append(stay)
        if citizen.duplicate_of is not None:
            rows.second_reports.append(person_id)
    return rows


def add_extras(rows: Rows, extras: Extras, rng: random.Random) -> Rows:
    """Give each citizen of the batch, by chance, an earlier stay in the same place (a
    previous contract, departed before this one began, without the address) and a case at
    the current stay's post (``case_subjects``). Drawn in order from ``rng``, so the same
    seed and batch size give the same extras."""
    for stay in list(rows.stay):
        _add_extras(rows, extras, rng, stay)
    return rows


def _add_extras(rows: Rows, extras: Extras, rng: random.Random, stay: Row) -> None:
    person_id, representation = stay[3], stay[19]
    if rng.random() < extras.earlier_stay_share:
        arrived_now: date = stay[15]
        departed = arrived_now - timedelta(days=rng.randint(30, 720))
        arrived = departed - timedelta(days=rng.randint(180, 3 * 365))
        rows.stay.append(
            (uuid.uuid4(), *stay[1:7], None, *stay[8:15], arrived, departed, departed,
             StayStatus.DEPARTED.value, *stay[19:])
        )  # fmt: skip
    if representation and rng.random() < extras.case_share:
        rows.case_subjects.append((person_id, representation))


@cache
def _representations() -> RepresentationCache:
    return RepresentationCache()


def built_rows(numbered: tuple[int, list[Citizen]], *, extras: Extras, for_copy: bool) -> Rows:
    """The rows of a (numbered) batch with their extras, in COPY's format when ``for_copy``,
    in whichever process runs it."""
    number, citizens = numbered
    rows = build_rows(
        citizens, now=utcnow(), representations=_representations(), profile=get_profile()
    )
    add_extras(rows, extras, extras.rng(number))
    return rows.in_copy_text() if for_copy else rows
