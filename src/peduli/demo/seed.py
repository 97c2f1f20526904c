"""Bulk loading of a synthetic population into the registry tables.

The rows are built as the registry stores a self-report (``demo.seed_rows``), by several
processes for a large seed, and written in batches: COPY on PostgreSQL, large
``executemany`` on SQLite. The cases are numbered on here, in order. Second reports are
then flagged by the registry's own duplicate matching, so the officers' queue has work.

Like any use-case this never commits: the caller owns the one transaction, so a failed
seed leaves nothing behind.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial

from psycopg.errors import UniqueViolation
from sqlalchemy import Table, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import SYSTEM
from peduli.cases import synthetic
from peduli.core.bulk_load import indexes_built_after
from peduli.core.db import is_postgres, utcnow
from peduli.core.errors import Conflict
from peduli.core.i18n import _
from peduli.demo.bulk_write import copy_rows, copy_text, in_order, insert_rows, prefetched
from peduli.demo.population import Population
from peduli.demo.seed_rows import Extras, Rows, built_rows
from peduli.registry import matching
from peduli.registry.models import DuplicateCandidate, Person, Stay

DEFAULT_BATCH = 50_000
# A seed of at least ten times the people already there loads first and indexes after.
BULK_FACTOR = 10


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


def with_cases(rows: Rows, cases: synthetic.CaseMaker | None) -> Rows:
    """The batch with a case about each of its case subjects, numbered on at their posts."""
    if cases is None:
        return rows
    for person_id, representation in rows.case_subjects:
        case, case_person = cases.case(person_id, representation)
        rows.case.append(case)
        rows.case_person.append(case_person)
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
    extras = Extras(seed, stays_per_citizen - 1, cases_per_citizen)
    cases = synthetic.CaseMaker(session, seed=seed, now=utcnow()) if cases_per_citizen else None
    counts: Counter[str] = Counter()
    second_reports: list[uuid.UUID] = []
    deferred = _tables() if _loads_most(session, citizens) else []
    with _seed_used_refused(seed), indexes_built_after(session, deferred, on_phase=on_phase):
        batches = _batches(session, population, (citizens, batch_size), extras, processes)
        for rows in prefetched(with_cases(rows, cases) for rows in batches):
            _written(session, rows)
            written = rows.counts()
            counts.update(written)
            second_reports += rows.second_reports
            if on_batch is not None:
                on_batch(written["person"])
            if stop is not None and stop.is_set():
                break
    if on_phase is not None:
        on_phase("Flagging possible duplicates")
    flagged = flag_second_reports(session, second_reports)
    if cases is not None:
        cases.finish(session)
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
    citizens_and_size: tuple[int, int],
    extras: Extras,
    processes: int,
) -> Iterator[Rows]:
    """The rows of each batch, built (with their extras, sealed and formatted for COPY) by
    ``processes`` processes, in order: generating the citizens is sequential (one random
    stream, unique NIKs), the rest is not, and is most of the work."""
    build = partial(built_rows, extras=extras, for_copy=is_postgres(session))
    numbered = enumerate(population.batches(*citizens_and_size))
    return in_order(build, numbered, processes=processes)


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
    """Write a batch: COPY on PostgreSQL (the registry's rows formatted already, then the
    cases), executemany on SQLite."""
    if is_postgres(session):
        copy_text(session, rows.copied)
        copy_rows(session, rows)
    else:
        insert_rows(session, rows)


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
