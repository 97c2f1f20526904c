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

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from psycopg.errors import UniqueViolation
from sqlalchemy import Table, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import SYSTEM
from peduli.core.crypto import Sealed, contact_index
from peduli.core.db import is_postgres, utcnow
from peduli.core.errors import Conflict
from peduli.core.i18n import _
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
    "arrival_date", "planned_end_date", "status", "representation_code", "source",
)  # fmt: skip
DEFAULT_BATCH = 50_000
SEEDED = ContactTrust.SEED.value


@dataclass
class Rows:
    """One batch of rows for the four registry tables, in column order."""

    person: list[Row] = field(default_factory=list)
    passport: list[Row] = field(default_factory=list)
    contact: list[Row] = field(default_factory=list)
    stay: list[Row] = field(default_factory=list)
    second_reports: list[uuid.UUID] = field(default_factory=list)  # person ids

    def tables(self) -> list[tuple[Table, Sequence[str], list[Row]]]:
        """Each table with its columns and rows, parents first (foreign keys)."""
        return [
            (_table(Person), PERSON_COLUMNS, self.person),
            (_table(Passport), PASSPORT_COLUMNS, self.passport),
            (_table(ContactPoint), CONTACT_COLUMNS, self.contact),
            (_table(Stay), STAY_COLUMNS, self.stay),
        ]


@dataclass(frozen=True)
class SeedOutcome:
    """What a seed wrote."""

    seed: int
    people: int
    passports: int
    contacts: int
    stays: int
    possible_duplicates: int


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
            *astuple(link_keys(citizen.full_name, citizen.date_of_birth, citizen.nik, citizen.sex)),
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
        rows.stay.append((
            uuid.uuid4(), now, now, person_id, citizen.country, citizen.subdivision, citizen.city,
            citizen.address, citizen.latitude, citizen.longitude,
            registry.h3_cell(citizen.latitude, citizen.longitude), citizen.purpose, citizen.sector,
            citizen.employer, citizen.placement_agency, citizen.arrival_date,
            citizen.planned_end_date, StayStatus.ACTIVE.value, representations.code(citizen),
            "officer" if citizen.reported_by_officer else "self_report",
        ))  # fmt: skip
        if citizen.duplicate_of is not None:
            rows.second_reports.append(person_id)
    return rows


def sealed_for_copy(rows: Rows) -> Rows:
    """Encrypt the values of ``Sealed`` columns (contacts, addresses), which COPY writes as
    given; SQLite's INSERT encrypts them through the column type instead."""
    for table, columns, table_rows in rows.tables():
        sealed = [
            (position, type_)
            for position, name in enumerate(columns)
            if isinstance(type_ := table.c[name].type, Sealed)
        ]
        if not sealed:
            continue
        for number, row in enumerate(table_rows):
            values = list(row)
            for position, type_ in sealed:
                if values[position] is not None:
                    values[position] = type_.process_bind_param(values[position], None)
            table_rows[number] = tuple(values)
    return rows


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
    on_batch: Callable[[int], None] | None = None,
    city: str | None = None,
) -> SeedOutcome:
    """Insert ``citizens`` synthetic citizens made from ``seed`` (all in ``city`` when
    given); the caller commits."""
    population = Population(seed=seed, today=today, city=city)
    representations = RepresentationCache()
    profile = get_profile()
    write = copy_rows if is_postgres(session) else insert_rows
    counts: Counter[str] = Counter()
    second_reports: list[uuid.UUID] = []
    batches = (
        build_rows(batch, now=utcnow(), representations=representations, profile=profile)
        for batch in population.batches(citizens, batch_size)
    )
    if is_postgres(session):  # sealed in the thread that builds the rows, as COPY needs them
        batches = (sealed_for_copy(rows) for rows in batches)
    for rows in prefetched(batches):
        _written(write, session, rows, seed)
        counts.update({table.name: len(table_rows) for table, _cols, table_rows in rows.tables()})
        second_reports += rows.second_reports
        if on_batch is not None:
            on_batch(len(rows.person))
    flagged = flag_second_reports(session, second_reports)
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
        possible_duplicates=flagged,
    )


def prefetched(items: Iterator[T]) -> Iterator[T]:
    """Yield ``items``, building the next one in a thread while the caller uses this one.

    The database digests a batch on its own core while Python builds the next, so a seed
    takes about as long as the slower of the two rather than their sum.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-rows") as pool:
        upcoming = pool.submit(next, items, None)
        while (item := upcoming.result()) is not None:
            upcoming = pool.submit(next, items, None)
            yield item


Writer = Callable[[Session, Rows], None]


def _written(write: Writer, session: Session, rows: Rows, seed: int) -> None:
    """Write a batch; an identifier that exists already means the seed was used before."""
    try:
        write(session, rows)
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


def copy_rows(session: Session, rows: Rows) -> None:
    """PostgreSQL: one COPY per table, through the session's own connection."""
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor:
        for table, columns, table_rows in rows.tables():
            statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
            with cursor.copy(statement) as copy:
                for row in table_rows:
                    copy.write_row(row)


def insert_rows(session: Session, rows: Rows) -> None:
    """SQLite: one executemany per table, inside the caller's transaction."""
    for table, columns, table_rows in rows.tables():
        if table_rows:
            session.execute(
                table.insert(), [dict(zip(columns, row, strict=True)) for row in table_rows]
            )


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
