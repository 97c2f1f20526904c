"""An import whose staged rows a database crash emptied (the staging table is UNLOGGED on
PostgreSQL) goes on to the same result as an import nothing happened to."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from peduli.agencies import imports, imports_run, imports_staging
from peduli.agencies.models import AgencyImport, AgencyImportProblem, AgencyImportRow
from peduli.auth.audit import AuditEntry
from peduli.core.db import get_sessionmaker, is_postgres, session_scope, utcnow
from peduli.registry import bulk
from peduli.registry.models import Person
from tests.agencies.exports import csv_bytes, run_killed_at, submitted, worked, worker

pytestmark = pytest.mark.usefixtures("data_dir")


def _problems(db: Session, import_id: uuid.UUID) -> list[tuple[int, str, str]]:
    found = db.execute(
        select(AgencyImportProblem.row_number, AgencyImportProblem.column, AgencyImportProblem.code)
        .where(AgencyImportProblem.import_id == import_id)
        .order_by(AgencyImportProblem.row_number, AgencyImportProblem.code)
    )
    return [tuple(row) for row in found]  # type: ignore[misc]


def _crash_empties_the_staging() -> None:
    """What PostgreSQL does to an UNLOGGED table when it recovers from a crash."""
    with session_scope() as db:
        db.execute(delete(AgencyImportRow))


def _restorations(db: Session, import_id: uuid.UUID) -> list[str | None]:
    """The audit entries of the import's staging restored: their reasons."""
    entries = select(AuditEntry.reason).where(
        AuditEntry.action == "agencies.import.staging_restored",
        AuditEntry.entity_id == str(import_id),
    )
    return list(db.scalars(entries))


def _resumed(db: Session, import_id: uuid.UUID) -> AgencyImport:
    """Another worker takes the import once the dead one's lease ran out, to its end."""
    db.rollback()
    later = utcnow() + imports_run.LEASE + timedelta(seconds=1)
    while imports_run.work_imports(get_sessionmaker(), later):
        pass
    db.expire_all()
    return db.get_one(AgencyImport, import_id)


def test_a_real_run_goes_on_after_a_crash_emptied_its_staged_rows(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [worker(n) for n in range(1, 6)]
    rows.append(worker(6, NIK=rows[0]["NIK"]))  # file row 7 repeats file row 2's NIK
    import_id = submitted(db, csv_bytes(rows), dry_run=False)
    # Chunks of two: rows 2-3 and 4-5 applied, then killed in rows 6-7.
    run_killed_at(monkeypatch, import_id, chunk_rows=2, killed_in=(bulk, "update_stays", 3))
    _crash_empties_the_staging()

    job = _resumed(db, import_id)

    # Row 7 is still a repeat of row 2, applied before the crash: refused, not linked to it.
    assert (job.status, job.created, job.linked, job.updated, job.refused) == ("done", 5, 0, 0, 1)
    assert _problems(db, import_id) == [(7, "NIK", "repeated_in_file")]
    assert db.scalar(select(func.count()).select_from(Person)) == 5
    assert imports_run.rows_staged(db, import_id) == 0
    assert _restorations(db, import_id) == ['{"dry_run_started_again": false, "through_row": 5}']


def test_a_dry_run_starts_again_after_a_crash_emptied_its_staged_rows(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [worker(1, **{"Tanggal Lahir": "31-02-1990"}), *(worker(n) for n in range(2, 6))]
    rows.append(worker(6, NIK=rows[1]["NIK"]))  # file row 7 repeats file row 3's NIK
    expected = worked(db, submitted(db, csv_bytes(rows), dry_run=True), chunk_rows=2)
    import_id = submitted(db, csv_bytes(rows), dry_run=True)
    run_killed_at(
        monkeypatch, import_id, chunk_rows=2, killed_in=(imports_staging, "write_chunk", 3)
    )
    db.expire_all()
    assert db.get_one(AgencyImport, import_id).staged_through == 5
    db.rollback()  # on SQLite a transaction holds the writers' lock
    _crash_empties_the_staging()

    job = _resumed(db, import_id)

    counts = ("status", "total_rows", "to_create", "to_link", "to_update", "refused", "problems")
    assert [getattr(job, c) for c in counts] == [getattr(expected, c) for c in counts]
    assert (job.total_rows, job.to_create, job.refused) == (6, 4, 2)
    assert _problems(db, import_id) == _problems(db, expected.id)  # each once
    assert _restorations(db, import_id) == ['{"dry_run_started_again": true, "through_row": 5}']


def test_a_dry_run_started_again_keeps_when_and_how_far_it_had_read_for_its_report(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_id = submitted(db, csv_bytes([worker(n) for n in range(1, 7)]), dry_run=True)
    # Chunks of two: rows 2-3 and 4-5 staged (four rows read), then killed in rows 6-7.
    run_killed_at(
        monkeypatch, import_id, chunk_rows=2, killed_in=(imports_staging, "write_chunk", 3)
    )
    db.rollback()
    assert imports.restart_of(db, db.get_one(AgencyImport, import_id)) is None
    db.rollback()
    _crash_empties_the_staging()
    before = utcnow()

    job = _resumed(db, import_id)

    restart = imports.restart_of(db, job)
    assert restart is not None and restart.rows_read == 4
    assert before - timedelta(seconds=1) <= restart.at <= utcnow()
    assert (job.status, job.total_rows) == ("done", 6)  # started again, and finished
    notice = imports.restart_notice(when="24 Nov 2026, 10:02", rows="4")
    assert notice == (
        "The dry run started again from the first row on 24 Nov 2026, 10:02: an interruption "
        "of the database lost the 4 row(s) it had read. A dry run writes nothing to the "
        "registry, so its result will be the same."
    )


def test_a_real_run_restored_after_a_crash_has_no_restart_to_report(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_id = submitted(db, csv_bytes([worker(n) for n in range(1, 6)]), dry_run=False)
    run_killed_at(monkeypatch, import_id, chunk_rows=2, killed_in=(bulk, "update_stays", 3))
    _crash_empties_the_staging()

    job = _resumed(db, import_id)

    assert _restorations(db, import_id) != []  # restored, and went on from its checkpoint
    assert job.created == 5
    assert imports.restart_of(db, job) is None


def test_the_staging_table_is_unlogged_on_postgresql(db: Session) -> None:
    if not is_postgres(db):
        pytest.skip("SQLite has no write-ahead log to leave a table out of")
    persistence = db.scalar(
        text("SELECT relpersistence FROM pg_class WHERE relname = 'agency_import_row'")
    )
    assert persistence == "u"
