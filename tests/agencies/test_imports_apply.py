"""Applying a chunk: new people are inserted without a probe of the registry; a chunk whose
inserts meet a NIK or passport on record is rolled back to its savepoint, decided against
the registry and written as if it had been checked first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from peduli.agencies.models import AgencyImportProblem
from peduli.auth.actor import Role
from peduli.core.db import get_engine, get_sessionmaker, is_postgres
from peduli.registry import bulk
from peduli.registry import service as registry_service
from peduli.registry.models import ContactPoint, Passport, Person, Stay
from tests import factories
from tests.agencies.exports import csv_bytes, submitted, worked, worker

pytestmark = pytest.mark.usefixtures("data_dir")

PROBE = "person.nik_index = agency_import_row.nik_index"  # ``bulk.on_record``'s NIK probe


@contextmanager
def _statements() -> Iterator[list[str]]:
    """The SQL the worker sends while the block runs."""
    sent: list[str] = []

    def record(*args: object) -> None:
        sent.append(str(args[2]))

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _register(db: Session, row: dict[str, str], *, language: str = "id") -> Person:
    """The worker of ``row`` as on record through a self-report in Kuala Lumpur, committed."""
    outcome = registry_service.submit_self_report(
        db,
        report=factories.report(
            nik=row["NIK"], passport_number=row["Nomor Paspor"], full_name=row["Nama Lengkap"],
            date_of_birth=date(1995, 3, 14), sex="F", phone="+60129999999", email=None,
            **factories.KUALA_LUMPUR, address=None, language=language,
        ),
        actor=factories.staff(Role.OFFICER, "kbri-kuala-lumpur"),
    )  # fmt: skip
    db.commit()
    return outcome.person


def _count(db: Session, model: type) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _problems(db: Session, import_id: object) -> list[tuple[int, str, str]]:
    found = db.execute(
        select(AgencyImportProblem.row_number, AgencyImportProblem.column, AgencyImportProblem.code)
        .where(AgencyImportProblem.import_id == import_id)
        .order_by(AgencyImportProblem.row_number)
    )
    return [(number, column, code) for number, column, code in found]


def _inserts_of_people(sent: list[str]) -> int:
    return sum(statement.startswith("INSERT INTO person ") for statement in sent)


def test_a_file_of_new_people_is_inserted_without_probing_the_registry(db: Session) -> None:
    import_id = submitted(db, csv_bytes([worker(n) for n in range(1, 5)]), dry_run=False)

    with _statements() as sent:
        job = worked(db, import_id, chunk_rows=2)

    assert (job.created, job.linked, job.refused) == (4, 0, 0)
    assert [s for s in sent if "person.nik_index" in s or "passport.number_index" in s] == []
    assert _inserts_of_people(sent) == 2  # one a chunk, none written twice


def test_a_nik_on_record_rolls_the_chunk_back_then_links_and_the_turn_checks_first(
    db: Session,
) -> None:
    rows = [worker(n) for n in range(1, 5)]
    known = _register(db, rows[0])
    import_id = submitted(db, csv_bytes(rows), dry_run=False)

    with _statements() as sent:
        job = worked(db, import_id, chunk_rows=2)

    assert (job.created, job.linked, job.updated, job.refused) == (3, 1, 0, 0)
    assert _problems(db, job.id) == []
    assert _count(db, Person) == 4  # the known worker once, and rows 3 to 5
    sources = db.scalars(select(Stay.source).where(Stay.person_id == known.id)).all()
    assert sorted(sources) == ["bp2mi", "officer"]
    assert db.scalar(select(func.count()).where(Passport.person_id == known.id)) == 1
    # Chunk 1 inserted, met the NIK, and was written again after the checks; having met a
    # person on record, the turn probed chunk 2 before inserting it, once.
    assert _inserts_of_people(sent) == 3
    assert sum(PROBE in statement for statement in sent) == 1


def test_a_placement_is_kept_in_its_person_s_language(db: Session) -> None:
    rows = [worker(1), worker(2)]
    known = _register(db, rows[0], language="en")

    worked(db, submitted(db, csv_bytes(rows), dry_run=False))

    placed = db.execute(select(Stay.person_id, Stay.language).where(Stay.source == "bp2mi"))
    languages = {person == known.id: language for person, language in placed}
    assert languages == {True: "en", False: "id"}  # the linked person's, a new person's


def test_a_passport_of_another_person_is_refused_with_nothing_of_its_row_written(
    db: Session,
) -> None:
    _register(db, worker(9))
    rows = [worker(2, **{"Nomor Paspor": "E0000009"}), worker(3)]  # row 2: worker 9's passport
    import_id = submitted(db, csv_bytes(rows), dry_run=False)

    with _statements() as sent:
        job = worked(db, import_id)

    assert _problems(db, job.id) == [(2, "Nomor Paspor", "passport_of_another_person")]
    assert (job.created, job.linked, job.refused, job.to_create) == (1, 0, 1, 1)
    # The savepoint took back row 2's person, which was inserted before its passport failed.
    assert db.scalar(select(func.count()).where(Person.full_name == "Siti Rahayu 2")) == 0
    assert (_count(db, Person), _count(db, Passport), _count(db, Stay)) == (2, 2, 2)
    assert _count(db, ContactPoint) == 2  # the self-report's phone and row 3's
    assert _inserts_of_people(sent) == 2  # inserted before the checks, then after them


def test_a_nik_registered_while_its_chunk_is_applied_is_linked_not_an_error(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not is_postgres(db):
        pytest.skip("SQLite has one writer: no one registers while a chunk holds its lock")
    rows = [worker(1), worker(2)]
    import_id = submitted(db, csv_bytes(rows), dry_run=False)
    original = bulk.create_people
    registered: list[Person] = []

    def another_officer_registers_row_2_first(*args: object, **kwargs: object) -> int:
        if not registered:  # committed by another transaction, after any probe of ours
            with get_sessionmaker()() as other:
                registered.append(_register(other, rows[0]))
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bulk, "create_people", another_officer_registers_row_2_first)
    job = worked(db, import_id)

    assert (job.status, job.created, job.linked, job.refused) == ("done", 1, 1, 0)
    assert _count(db, Person) == 2
    stays = db.scalars(select(Stay.source).where(Stay.person_id == registered[0].id)).all()
    assert sorted(stays) == ["bp2mi", "officer"]
