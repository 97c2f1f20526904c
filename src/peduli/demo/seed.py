"""Bulk loading of a synthetic population into the registry tables.

Rows are built exactly as the registry stores a self-report (``registry.report_records``:
sealed NIK and passport, contacts and address encrypted with their blind indexes, name key,
H3 cell, the representation whose jurisdiction covers the stay) and written in batches: COPY
on PostgreSQL, large ``executemany`` on SQLite. The representation is resolved once per
city, not once per row. Second reports are then flagged by the registry's own duplicate
matching, so the officers' queue has work.

Like any use-case this never commits: the caller owns the one transaction, so a failed
seed leaves nothing behind.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, partial
from typing import Any, TypeVar

from psycopg.errors import UniqueViolation
from sqlalchemy import Table, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import SYSTEM
from peduli.cases import synthetic
from peduli.cases.models import Case, CasePerson
from peduli.core.bulk_load import indexes_built_after
from peduli.core.crypto import contact_index
from peduli.core.db import is_postgres, utcnow
from peduli.core.errors import Conflict
from peduli.core.i18n import _
from peduli.demo.bulk_write import copy_rows, in_order, insert_rows, prefetched, sealed_for_copy
from peduli.demo.population import Citizen, Population
from peduli.reference.profile import CountryProfile, get_profile
from peduli.registry import matching
from peduli.registry import report_records as registry
from peduli.registry.linkage.keys import link_keys
from peduli.registry.models import (
    ContactKind,
    ContactPoint,
    ContactTrust,
    DuplicateCandidate,
    Passport,
    Person,
    PersonStatus,
    Stay,
    StayStatus,
    Verification,
)

T = TypeVar("T")
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
DEFAULT_BATCH = 50_000
# A seed of at least ten times the people already there loads first and indexes after.
BULK_FACTOR = 10
SEEDED = ContactTrust.SEED.value


@dataclass
class Rows:
    """One batch of rows for the four registry tables, in column order."""

    person: list[Row] = field(default_factory=list)
    passport: list[Row] = field(default_factory=list)
    contact: list[Row] = field(default_factory=list)
    stay: list[Row] = field(default_factory=list)
    case: list[Row] = field(default_factory=list)
    case_person: list[Row] = field(default_factory=list)
    second_reports: list[uuid.UUID] = field(default_factory=list)  # person ids

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


@dataclass(frozen=True)
class SeedOutcome:
    """What a seed wrote."""

    seed: int
    people: int
    passports: int
    contacts: int
    stays: int
    cases: int
    possible_duplicates: int


@dataclass
class Extras:
    """What a seed adds beyond one stay per citizen: an earlier, departed stay for a share
    of them, and a protection case for another share (drawn reproducibly from the seed)."""

    rng: random.Random
    earlier_stay_share: float = 0.0
    case_share: float = 0.0
    cases: synthetic.CaseMaker | None = None


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


def add_extras(rows: Rows, extras: Extras) -> Rows:
    """Give each citizen of the batch, by chance, an earlier stay in the same place (a
    previous contract, departed before this one began, without the address) and a case at
    the current stay's post. Drawn in order, so the same seed gives the same extras."""
    for stay in list(rows.stay):
        _add_extras(rows, extras, stay)
    return rows


def _add_extras(rows: Rows, extras: Extras, stay: Row) -> None:
    rng, person_id, representation = extras.rng, stay[3], stay[19]
    if rng.random() < extras.earlier_stay_share:
        arrived_now: date = stay[15]
        departed = arrived_now - timedelta(days=rng.randint(30, 720))
        arrived = departed - timedelta(days=rng.randint(180, 3 * 365))
        rows.stay.append(
            (uuid.uuid4(), *stay[1:7], None, *stay[8:15], arrived, departed, departed,
             StayStatus.DEPARTED.value, *stay[19:])
        )  # fmt: skip
    if extras.cases is not None and representation and rng.random() < extras.case_share:
        case, case_person = extras.cases.case(person_id, representation)
        rows.case.append(case)
        rows.case_person.append(case_person)


def _refresh_statistics(session: Session) -> None:
    """Let PostgreSQL plan with the new row counts now; autovacuum would take minutes, and
    until then the officers' queue may pick a plan fit for an empty table."""
    if is_postgres(session):
        session.execute(text("ANALYZE person, passport, contact_point, stay, duplicate_candidate"))


def seed_citizens(
    session: Session,
    *,
    citizens: int,
    seed: int,
    batch_size: int = DEFAULT_BATCH,
    today: date | None = None,
    stays_per_citizen: float = 1.0,
    cases_per_citizen: float = 0.0,
    processes: int = 1,
    stop: threading.Event | None = None,
    on_batch: Callable[[int], None] | None = None,
    on_phase: Callable[[str], None] | None = None,
    city: str | None = None,
) -> SeedOutcome:
    """Insert ``citizens`` synthetic citizens made from ``seed`` (all in ``city`` when
    given); the caller commits.

    ``stays_per_citizen`` (1–2): the share above 1 also get an earlier, departed stay;
    ``cases_per_citizen`` (0–1): that share get a protection case. A seed that at least
    ten-folds the people in the database loads first and builds the indexes after
    (``core.bulk_load``), in the same transaction. ``stop``, once set, ends the load after
    the batch being written; the rest (indexes, duplicates, cases) is done for what is in.
    """
    population = Population(seed=seed, today=today, city=city)  # refuses an unknown city first
    extras = Extras(
        rng=random.Random(f"extras-{seed}"),
        earlier_stay_share=stays_per_citizen - 1,
        case_share=cases_per_citizen,
        cases=synthetic.CaseMaker(session, seed=seed, now=utcnow()) if cases_per_citizen else None,
    )
    counts: Counter[str] = Counter()
    second_reports: list[uuid.UUID] = []
    deferred = _tables() if _loads_most(session, citizens) else []
    with _seed_used_refused(seed), indexes_built_after(session, deferred, on_phase=on_phase):
        for rows in _batches(session, population, citizens, batch_size, extras, processes):
            _written(session, rows)
            counts.update({t.name: len(table_rows) for t, _cols, table_rows in rows.tables()})
            second_reports += rows.second_reports
            if on_batch is not None:
                on_batch(len(rows.person))
            if stop is not None and stop.is_set():
                break
    if on_phase is not None:
        on_phase("Flagging possible duplicates")
    flagged = flag_second_reports(session, second_reports)
    if extras.cases is not None:
        extras.cases.finish(session)
    if not deferred:
        _refresh_statistics(session)
    audit.record(
        session,
        actor=SYSTEM,
        action="registry.seed",
        entity_type="person",
        fields=["identity", "nik", "passports", "contacts", "stays"],
        reason=f"synthetic population: {counts['person']} citizens, seed {seed}",
    )
    return SeedOutcome(
        seed=seed,
        people=counts["person"],
        passports=counts["passport"],
        contacts=counts["contact_point"],
        stays=counts["stay"],
        cases=counts["protection_case"],
        possible_duplicates=flagged,
    )


def _batches(
    session: Session,
    population: Population,
    citizens: int,
    size: int,
    extras: Extras,
    processes: int,
) -> Iterator[Rows]:
    """The rows of each batch, built (and sealed for COPY) by ``processes`` processes and
    gathered in a thread, ahead of the writes: generating the citizens is sequential (one
    random stream, unique NIKs), sealing and keying them is not, and is most of the work."""
    build = partial(built_rows, sealed=is_postgres(session))
    batches = in_order(build, population.batches(citizens, size), processes=processes)
    return prefetched(add_extras(rows, extras) for rows in batches)


@cache
def _representations() -> RepresentationCache:
    return RepresentationCache()


def built_rows(citizens: list[Citizen], *, sealed: bool) -> Rows:
    """One batch's rows (encrypted for COPY when ``sealed``), in whichever process runs it."""
    rows = build_rows(
        citizens, now=utcnow(), representations=_representations(), profile=get_profile()
    )
    return sealed_for_copy(rows) if sealed else rows


def _tables() -> list[Table]:
    return [table for table, _columns, _rows in Rows().tables()]


def _loads_most(session: Session, citizens: int) -> bool:
    """Whether the seed is a bulk load into (nearly) empty tables: then they are worth
    locking for the whole load, with their indexes built once at the end."""
    existing = session.scalar(select(func.count()).select_from(Person)) or 0
    return existing * BULK_FACTOR <= citizens


@contextmanager
def _seed_used_refused(seed: int) -> Iterator[None]:
    """An identifier that exists already (at a COPY, or when the unique indexes are built
    after the load) means the seed was used before."""
    try:
        yield
    except (IntegrityError, UniqueViolation) as error:
        raise Conflict(
            _(
                "Some of the synthetic NIKs or passport numbers are in the database already: "
                "seed {seed} was used before."
            ).format(seed=seed)
            + " "
            + _("Run the seed again with another --seed, or start from an empty database."),
            code="seed_used",
        ) from error


def _written(session: Session, rows: Rows) -> None:
    """Write a batch: COPY on PostgreSQL, executemany on SQLite."""
    (copy_rows if is_postgres(session) else insert_rows)(session, rows)


def flag_second_reports(session: Session, person_ids: Sequence[uuid.UUID]) -> int:
    """Let the registry's matching flag each second report; return the new pairs."""
    before = _pairs(session)
    for start in range(0, len(person_ids), 500):
        chunk = person_ids[start : start + 500]
        people = session.scalars(select(Person).where(Person.id.in_(chunk))).all()
        stays = {
            s.person_id: s for s in session.scalars(select(Stay).where(Stay.person_id.in_(chunk)))
        }
        for person in people:
            matching.flag_possible_duplicates(session, person, stays[person.id])
    session.flush()
    return _pairs(session) - before


def _pairs(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(DuplicateCandidate)) or 0
