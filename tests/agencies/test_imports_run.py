"""The worker's import: dry run counts and problems, the real run, all-or-nothing chunks,
resuming after a worker died, and the set-based checks against the file and the registry."""

from __future__ import annotations

import time
from dataclasses import astuple
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from peduli.agencies import imports_apply, imports_run, imports_staging
from peduli.agencies.models import AgencyImport, AgencyImportProblem, ImportStatus
from peduli.auth.actor import Role
from peduli.core.crypto import get_cipher
from peduli.core.db import get_engine, get_sessionmaker, is_postgres, utcnow
from peduli.registry import bulk, repository
from peduli.registry import service as registry_service
from peduli.registry.linkage import online
from peduli.registry.linkage.keys import link_keys
from peduli.registry.models import NIK_PURPOSE, ContactPoint, Passport, Person, Stay
from tests import factories
from tests.agencies.exports import csv_bytes, run_killed_at, submitted, worked, worker

pytestmark = pytest.mark.usefixtures("data_dir")


def _count(db: Session, model: type) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _problems(db: Session, import_id: object) -> list[tuple[int, str, str]]:
    return [
        (p.row_number, p.column, p.code)
        for p in db.scalars(
            select(AgencyImportProblem)
            .where(AgencyImportProblem.import_id == import_id)
            .order_by(AgencyImportProblem.row_number, AgencyImportProblem.code)
        )
    ]


def _registered(db: Session, row: dict[str, str]) -> Person:
    """The worker of ``row`` as already on record through a self-report in Kuala Lumpur."""
    born = date(1995, 3, 14)
    outcome = registry_service.submit_self_report(
        db,
        report=factories.report(
            nik=row["NIK"], passport_number=row["Nomor Paspor"], full_name=row["Nama Lengkap"],
            date_of_birth=born, sex="F", phone="+60129999999", email=None,
            **factories.KUALA_LUMPUR, address=None,
        ),
        actor=factories.staff(Role.OFFICER, "kbri-kuala-lumpur"),
    )  # fmt: skip
    db.commit()
    return outcome.person


def test_a_dry_run_reports_what_it_would_do_and_writes_nothing(db: Session) -> None:
    rows = [worker(n) for n in range(1, 6)]
    _registered(db, rows[0])
    rows.append(worker(7, **{"Tanggal Lahir": "31-02-1990"}))  # row 7: no such day
    rows.append(worker(8, **{"NIK": rows[1]["NIK"]}))  # row 8: the NIK of row 3 again
    people, stays = _count(db, Person), _count(db, Stay)

    job = worked(db, submitted(db, csv_bytes(rows), dry_run=True))

    assert job.status == ImportStatus.DONE
    assert (job.to_create, job.to_link, job.to_update, job.refused) == (4, 1, 0, 2)
    assert (job.created, job.linked) == (0, 0)
    assert (_count(db, Person), _count(db, Stay)) == (people, stays)
    problems = _problems(db, job.id)
    assert (7, "Tanggal Lahir", "date_invalid") in problems
    assert (8, "NIK", "repeated_in_file") in problems


def test_the_real_run_creates_links_and_seals_like_the_registry(db: Session) -> None:
    rows = [worker(n) for n in range(1, 5)]
    known = _registered(db, rows[0])

    job = worked(db, submitted(db, csv_bytes(rows), dry_run=False), chunk_rows=2)

    assert (job.status, job.created, job.linked, job.refused) == ("done", 3, 1, 0)
    assert job.applied_through == 5
    stays = db.scalars(select(Stay).where(Stay.person_id == known.id)).all()
    assert sorted(s.source for s in stays) == ["bp2mi", "officer"]
    placed = next(s for s in stays if s.source == "bp2mi")
    assert (placed.employer, placed.sector, placed.representation_code) == (
        "Tan Family", "domestic_work", "kbri-kuala-lumpur",
    )  # fmt: skip
    created = db.scalars(select(Person).where(Person.full_name == "Siti Rahayu 2")).one()
    assert created.date_of_birth == date(1995, 3, 14) and created.sex == "F"
    # Found by the registry's own blind indexes, decrypted by the registry's own columns.
    found = repository.person_by_nik_index(
        db, get_cipher().blind_index(rows[1]["NIK"], purpose=NIK_PURPOSE)
    )
    assert found is not None and found.id == created.id
    assert found.nik_encrypted is not None
    assert get_cipher().decrypt(found.nik_encrypted, purpose=NIK_PURPOSE) == rows[1]["NIK"]
    passport = db.scalars(select(Passport).where(Passport.person_id == created.id)).one()
    assert passport.is_current
    phone = db.scalars(select(ContactPoint).where(ContactPoint.person_id == created.id)).one()
    assert phone.value == "+60123000002" and phone.trusted_at is None


def test_an_imported_person_is_found_by_linkage_under_a_mistyped_birth_date(
    db: Session,
) -> None:
    born, name = date(1994, 7, 12), "Wulan Sekar Pratiwi"
    row = worker(1, born=born, **{"Nama Lengkap": name})
    worked(db, submitted(db, csv_bytes([row]), dry_run=False))
    imported = db.scalars(select(Person).where(Person.full_name == name)).one()

    keys = link_keys(name, born, row["NIK"], "F", "Cilacap")
    assert keys.region is not None and keys.name_year is not None  # every key is made
    assert (
        imported.link_token_a, imported.link_token_b, imported.link_name_year,
        imported.link_name_day, imported.link_region, imported.link_initials,
    ) == astuple(keys)  # fmt: skip
    # She reports herself later from another phone, with no NIK and a new passport, and
    # types the 13th for the 12th: only the name and birth keys can find her record.
    later = registry_service.submit_self_report(
        db,
        report=factories.report(
            nik=None, passport_number="E9876543", full_name=name, sex="F",
            date_of_birth=date(1994, 7, 13), place_of_birth="Cilacap", phone="+60197777777",
            email=None, **factories.KUALA_LUMPUR, address=None,
        ),
        actor=factories.staff(Role.OFFICER, "kbri-kuala-lumpur"),
    ).person  # fmt: skip

    assert imported.id in {other for other, _scored in online.matches(db, later)}


def test_importing_the_same_export_again_updates_the_placements(db: Session) -> None:
    rows = [worker(n) for n in range(1, 4)]
    worked(db, submitted(db, csv_bytes(rows), dry_run=False))
    rows[0]["Pemberi Kerja"] = "Lim Holdings"

    again = worked(db, submitted(db, csv_bytes(rows), dry_run=False))

    assert (again.updated, again.created, again.linked) == (3, 0, 0)
    employers = db.scalars(select(Stay.employer).order_by(Stay.employer)).all()
    assert employers == ["Lim Holdings", "Tan Family", "Tan Family"]
    assert _count(db, Person) == 3


def test_rows_that_disagree_with_the_registry_are_refused(db: Session) -> None:
    first, second = _registered(db, worker(1)), _registered(db, worker(9))
    # An officer has since corrected the first person's birth date on the record.
    db.execute(update(Person).where(Person.id == first.id).values(date_of_birth=date(1995, 4, 1)))
    db.commit()
    rows = [
        worker(2, **{"Nomor Paspor": "E0000009"}),  # the second person's passport
        worker(1, **{"Nomor Paspor": "E7654321"}),  # the first person's NIK, old birth date
        worker(3),
    ]

    job = worked(db, submitted(db, csv_bytes(rows), dry_run=False))

    assert _problems(db, job.id) == [
        (2, "Nomor Paspor", "passport_of_another_person"),
        (3, "Tanggal Lahir", "birth_date_differs"),
    ]
    assert (job.created, job.linked, job.refused) == (1, 0, 2)
    assert _count(db, Stay) == 3  # the two self-reports and row 4's placement
    assert second.id != first.id


def test_a_real_run_checking_chunk_by_chunk_refuses_what_its_dry_run_refused(db: Session) -> None:
    _registered(db, worker(9))
    rows = [
        worker(1),
        worker(2, **{"Nomor Paspor": "E0000009"}),  # row 3: the registered person's passport
        worker(3),
        worker(2, **{"Nomor Paspor": "E7654321"}),  # row 5: row 3's NIK again, in chunk 2
    ]

    dry = worked(db, submitted(db, csv_bytes(rows), dry_run=True), chunk_rows=2)
    real = worked(db, submitted(db, csv_bytes(rows), dry_run=False), chunk_rows=2)

    # Row 3 was refused (chunk 1) before row 5 was checked (chunk 2): row 5 still repeats it.
    expected = [(3, "Nomor Paspor", "passport_of_another_person"), (5, "NIK", "repeated_in_file")]
    assert _problems(db, dry.id) == _problems(db, real.id) == expected
    assert (dry.to_create, dry.refused) == (real.created, real.refused) == (2, 2)


def test_a_file_of_new_people_is_decided_without_rewriting_or_rejoining_its_rows(
    db: Session,
) -> None:
    # Each refusal writes its problems, then marks their rows: only when it wrote some; and
    # rows whose identifiers nobody holds keep their staged decision without the joins
    # (the conflicts' and the decision's statements, each a CASE over the joins).
    marked: list[str] = []

    def count_marks(*args: object) -> None:
        statement = str(args[2])
        if statement.startswith("UPDATE agency_import_row SET valid") or "CASE WHEN" in statement:
            marked.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count_marks)
    try:
        job = worked(db, submitted(db, csv_bytes([worker(1), worker(2)]), dry_run=False))
    finally:
        event.remove(engine, "before_cursor_execute", count_marks)

    assert (job.created, marked) == (2, [])


def test_a_chunk_that_fails_is_written_not_at_all_and_the_import_resumes(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [worker(n) for n in range(1, 11)]
    import_id = submitted(db, csv_bytes(rows), dry_run=False)
    run_killed_at(
        monkeypatch, import_id, chunk_rows=3, killed_in=(bulk, "update_stays", 3)
    )  # the third chunk's last write
    db.expire_all()
    job = db.get_one(AgencyImport, import_id)
    # Two chunks (file rows 2-4 and 5-7: six people) are staged and applied, each with
    # its checkpoint; the third (rows 8-10) is neither staged nor applied, not even in part.
    assert (job.status, job.staged_through, job.applied_through, job.created) == (
        "staging", 7, 7, 6,
    )  # fmt: skip
    assert (_count(db, Person), _count(db, Stay), _count(db, Passport)) == (6, 6, 6)
    assert imports_run.rows_staged(db, import_id) == 6
    db.rollback()

    # Another worker takes the import once the dead one's lease ran out.
    later = utcnow() + imports_run.LEASE + timedelta(seconds=1)
    assert imports_run.claim(get_sessionmaker(), utcnow()) is None  # still held
    assert imports_run.work_imports(get_sessionmaker(), later) == 4  # rows 8-11
    db.expire_all()
    job = db.get_one(AgencyImport, import_id)
    assert (job.status, job.created, job.refused) == ("done", 10, 0)
    assert (_count(db, Person), _count(db, Stay), _count(db, Passport)) == (10, 10, 10)


def test_a_worker_killed_while_reading_the_file_resumes_after_its_last_chunk(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [worker(n) for n in range(1, 8)]
    import_id = submitted(db, csv_bytes(rows), dry_run=True)
    run_killed_at(
        monkeypatch, import_id, chunk_rows=3, killed_in=(imports_staging, "write_chunk", 2)
    )
    db.expire_all()
    assert db.get_one(AgencyImport, import_id).staged_through == 4
    db.rollback()

    job = worked(db, import_id, chunk_rows=3)

    assert (job.status, job.total_rows, job.to_create) == ("done", 7, 7)
    # Done: the staged rows (sealed identifiers, names) are gone; the report stays.
    assert imports_run.rows_staged(db, import_id) == 0


def test_statistics_are_refreshed_by_the_import_s_rows_not_at_each_worker_turn(
    db: Session,
) -> None:
    import_id = submitted(db, csv_bytes([worker(n) for n in range(1, 7)]), dry_run=False)
    analysed: list[str] = []

    def count_analyses(*args: object) -> None:
        if str(args[2]).startswith("ANALYZE"):
            analysed.append(str(args[2]))

    db.rollback()
    event.listen(get_engine(), "before_cursor_execute", count_analyses)
    try:
        for _turn in range(3):  # three turns of one chunk each, as a busy worker takes them
            imports_run._stage(
                get_sessionmaker(), import_id, 2, time.monotonic(), imports_apply.Turn()
            )
    finally:
        event.remove(get_engine(), "before_cursor_execute", count_analyses)

    # The staged rows' statistics at the import's first chunk; the registry's only after
    # 200,000 rows (SQLite keeps none).
    assert analysed == (["ANALYZE agency_import_row"] if is_postgres(db) else [])


def test_a_file_without_the_required_columns_fails_with_its_header_problems(
    db: Session, tmp_path: Path
) -> None:
    data = b"NIK;Nama\n3171011705900001;Budi\n"

    job = worked(db, submitted(db, data, dry_run=True))

    assert (job.status, job.failure) == ("failed", "column_missing")
    problems = _problems(db, job.id)
    assert {p[0] for p in problems} == {1}
    assert (1, "Tanggal Lahir", "column_missing") in problems


def test_a_dry_run_imported_for_real_keeps_no_file_for_a_second_time(db: Session) -> None:
    from peduli.agencies import imports
    from tests.agencies.exports import HQ

    dry = worked(db, submitted(db, csv_bytes([worker(1), worker(2)]), dry_run=True))
    first = imports.apply_dry_run(db, actor=HQ, import_id=dry.id)
    second = imports.apply_dry_run(db, actor=HQ, import_id=dry.id)
    db.commit()

    done = worked(db, first.id)
    again = worked(db, second.id)

    assert (done.status, done.created) == ("done", 2)
    assert (again.status, again.failure) == ("failed", "file_gone")
    assert _count(db, Person) == 2
