"""The worker's side of an import: stage the file, check it, apply it, chunk by chunk.

Each chunk is one transaction that also moves the import's checkpoint (``staged_through``,
``applied_through``), so a row is never half-applied and a worker killed at any moment
leaves the import where its last chunk committed; whichever worker next takes the import
(its lease ran out) goes on from there. A real run checks and applies each chunk in the
transaction that stages it, while the reader processes read the next chunks (the database
and Python work at the same time); a dry run stages the whole file, then checks it. Staging
writes with COPY on PostgreSQL and one ``executemany`` on SQLite; checking and applying are
statements over the staging table (``imports_checks``, ``imports_apply``, ``registry.bulk``),
never a loop over rows.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, select, text, update
from sqlalchemy.orm import Session

from peduli.agencies import (
    imports_apply,
    imports_checks,
    imports_files,
    imports_restore,
    imports_staging,
)
from peduli.agencies.imports_columns import HEADER_ROW, layout_of
from peduli.agencies.imports_problems import sealed_detail
from peduli.agencies.models import (
    FINISHED,
    AgencyImport,
    AgencyImportProblem,
    AgencyImportRow,
    ImportStatus,
    RowAction,
)
from peduli.auth import audit
from peduli.auth.actor import SYSTEM
from peduli.core.db import is_postgres, utcnow
from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.core.logging import get_logger
from peduli.registry import bulk

log = get_logger(__name__)

# Rows a chunk (one transaction): the database waits for the first chunk to be read, and the
# readers for the last to be applied, so smaller chunks overlap more of an import.
CHUNK_ROWS = 5_000
STATISTICS_ROWS = 200_000  # an import's rows: the tables grow fast, the plans must follow
LEASE = timedelta(minutes=5)
TURN_SECONDS = 30.0  # a worker's turn on imports, so its other periodic tasks still run
SessionFactory = Callable[[], Session]
Row = AgencyImportRow


def work_imports(session_factory: SessionFactory, now: datetime) -> int:
    """The periodic task: take the oldest unfinished import nobody holds and work it for a
    turn; returns the rows handled."""
    import_id = claim(session_factory, now)
    if import_id is None:
        return 0
    return run(session_factory, import_id, seconds=TURN_SECONDS)


def claim(session_factory: SessionFactory, now: datetime) -> uuid.UUID | None:
    """Hold the oldest unfinished import whose lease ran out (one conditional UPDATE)."""
    free = and_(
        AgencyImport.status.not_in(FINISHED),
        (AgencyImport.lease_until.is_(None)) | (AgencyImport.lease_until < now),
    )
    with session_factory() as session, session.begin():
        candidate = session.scalar(
            select(AgencyImport.id).where(free).order_by(AgencyImport.created_at).limit(1)
        )
        if candidate is None:
            return None
        taken = session.execute(
            update(AgencyImport)
            .where(AgencyImport.id == candidate, free)
            .values(lease_until=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        return candidate if getattr(taken, "rowcount", 0) else None


def run(
    session_factory: SessionFactory,
    import_id: uuid.UUID,
    *,
    seconds: float | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> int:
    """Work the import until it is finished (or ``seconds`` have passed); rows handled.
    First, staged rows a database crash emptied are staged again (``imports_restore``)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    imports_restore.restore_if_lost(session_factory, import_id, chunk_rows)
    turn = imports_apply.Turn()
    handled = 0
    while True:
        with session_factory() as session:
            job = session.get_one(AgencyImport, import_id)
            status = job.status
        if status in FINISHED or (deadline is not None and time.monotonic() > deadline):
            break
        if status in (ImportStatus.QUEUED, ImportStatus.STAGING):
            handled += _stage(session_factory, import_id, chunk_rows, deadline, turn)
        elif status == ImportStatus.CHECKING:
            _check(session_factory, import_id)
        else:
            handled += _apply(session_factory, import_id, chunk_rows, deadline, turn)
    with session_factory() as session, session.begin():
        session.execute(
            update(AgencyImport)
            .where(AgencyImport.id == import_id)
            .values(lease_until=None)
            .execution_options(synchronize_session=False)
        )
    return handled


def _renewed(job: AgencyImport) -> None:
    job.lease_until = utcnow() + LEASE


# --- staging ---------------------------------------------------------------------------------


def _stage(
    session_factory: SessionFactory,
    import_id: uuid.UUID,
    chunk_rows: int,
    deadline: float | None,
    turn: imports_apply.Turn,
) -> int:
    with session_factory() as session:
        job = session.get_one(AgencyImport, import_id)
        key, file_format, done_through = job.file_key, job.file_format, job.staged_through
    try:
        sheet = imports_files.open_sheet(imports_files.load(key), file_format)
        layout, header_problems = layout_of(sheet.header)
    except ValidationFailed as refused:
        header_problems = refused.problems
    except FileNotFoundError:  # its real run was done already, which removed the file
        header_problems = [imports_files.gone()]
    if header_problems:
        with session_factory() as session, session.begin():
            _fail(session, session.get_one(AgencyImport, import_id), header_problems)
        return 0
    with session_factory() as session, session.begin():
        started = session.get_one(AgencyImport, import_id)
        if started.started_at is None:
            started.started_at = utcnow()
        started.status = ImportStatus.STAGING.value
        as_copy = is_postgres(session)
    remaining = ((n, cells) for n, cells in sheet.rows if n > done_through)
    chunks = imports_staging.read_chunks(
        remaining,
        import_id=import_id,
        today=utcnow().date(),
        layout=layout,
        size=chunk_rows,
        as_copy=as_copy,
    )
    staged = 0
    for chunk in chunks:
        with session_factory() as session, session.begin():
            imports_staging.write_chunk(session, chunk)
            job = session.get_one(AgencyImport, import_id)
            rows = (job.staged_through + 1, chunk.last_row)
            job.staged_through = chunk.last_row
            if not job.dry_run:
                _refresh_statistics(session, job.total_rows, chunk.size)
                _applied(session, job, rows, turn)
            job.total_rows += chunk.size
            _renewed(job)
        staged += chunk.size
        if deadline is not None and time.monotonic() > deadline:
            return staged
    with session_factory() as session, session.begin():
        job = session.get_one(AgencyImport, import_id)
        job.status = ImportStatus.CHECKING.value
    return staged


def _unique_problems(problems: list[FieldProblem]) -> Iterator[tuple[FieldProblem, str]]:
    seen: set[tuple[str, str]] = set()
    for problem in problems:
        key = (problem.field[:40], problem.code[:40])
        if key not in seen:
            seen.add(key)
            yield problem, sealed_detail(problem)


def _fail(session: Session, job: AgencyImport, problems: list[FieldProblem]) -> None:
    """The file cannot be read as an export: record why (on the header row) and stop."""
    session.add_all(
        AgencyImportProblem(
            import_id=job.id,
            row_number=HEADER_ROW,
            column=problem.field[:40],
            code=problem.code[:40],
            detail_encrypted=detail,
        )
        for problem, detail in _unique_problems(problems)
    )
    job.status = ImportStatus.FAILED.value
    job.failure = problems[0].code[:40]
    job.problems = len(problems)
    job.finished_at = utcnow()
    audit.record(
        session,
        actor=SYSTEM,
        action="agencies.import.failed",
        entity_type="agency_import",
        entity_id=str(job.id),
        reason=json.dumps({"failure": job.failure}),
    )


# --- checking --------------------------------------------------------------------------------


def _check(session_factory: SessionFactory, import_id: uuid.UUID) -> None:
    with session_factory() as session, session.begin():
        job = session.get_one(AgencyImport, import_id)
        found: dict[str, int] = {}
        if job.dry_run:
            # A real run checked, decided and counted each chunk as it staged it (the
            # registry may change in between), so only the dry run checks the whole file.
            if is_postgres(session):  # the checks' plans need the staged rows' statistics
                session.execute(text("ANALYZE agency_import_row"))
            imports_checks.refuse_repeats(session, import_id, None)
            imports_checks.decide(session, import_id, None, source=job.source)
            found = imports_checks.counts(session, import_id)
            _found(job, found)
        job.problems = imports_checks.problem_count(session, import_id)
        _renewed(job)
        if job.dry_run:
            job.status = ImportStatus.DONE.value
            job.finished_at = utcnow()
            _forget_rows(session, import_id)
        else:
            job.status = ImportStatus.APPLYING.value
        audit.record(
            session,
            actor=SYSTEM,
            action="agencies.import.checked",
            entity_type="agency_import",
            entity_id=str(import_id),
            reason=json.dumps(found, sort_keys=True),
        )


# --- applying --------------------------------------------------------------------------------


def _forget_rows(session: Session, import_id: uuid.UUID) -> None:
    """The staged rows (sealed identifiers, names) are no longer needed once the import is
    done: its counts and problems are the report."""
    session.execute(
        delete(Row).where(Row.import_id == import_id).execution_options(synchronize_session=False)
    )


def _found(job: AgencyImport, found: dict[str, int]) -> None:
    job.to_create = found.get(RowAction.CREATE, 0)
    job.to_update = found.get(RowAction.UPDATE, 0)
    job.to_link = found.get(RowAction.LINK, 0)
    job.refused = found.get(RowAction.REFUSE, 0)


def _apply(
    session_factory: SessionFactory,
    import_id: uuid.UUID,
    chunk_rows: int,
    deadline: float | None,
    turn: imports_apply.Turn,
) -> int:
    applied = chunks = 0
    while True:
        with session_factory() as session, session.begin():
            job = session.get_one(AgencyImport, import_id)
            if job.applied_through >= job.staged_through:
                bulk.refresh_statistics(session)
                job.status = ImportStatus.DONE.value
                job.finished_at = utcnow()
                job.problems = imports_checks.problem_count(session, import_id)
                job.refused = job.total_rows - job.created - job.updated - job.linked
                _audit_applied(session, job, "agencies.import.applied", None)
                _forget_rows(session, import_id)
                imports_files.delete(job.file_key)  # written; a dry run's copy is the same file
                return applied
            rows = (job.applied_through + 1, job.applied_through + chunk_rows)
            _refresh_statistics(session, chunks * chunk_rows, chunk_rows)
            chunks += 1
            applied += _applied(session, job, rows, turn)
            _renewed(job)
        if deadline is not None and time.monotonic() > deadline:
            return applied


def _refresh_statistics(session: Session, rows_before: int, size: int) -> None:
    """The staging table's statistics at the first chunk and at each ``STATISTICS_ROWS``
    rows since, the registry's at each ``STATISTICS_ROWS`` (both grow faster than
    autovacuum notices). Counted in the import's rows, not from each worker's turn: a turn
    that began with ``ANALYZE`` of the registry paid seconds every turn on a large one."""
    if rows_before % STATISTICS_ROWS >= size:  # not the first chunk at or past a mark
        return
    if is_postgres(session):
        session.execute(text("ANALYZE agency_import_row"))
    if rows_before:  # at the first chunk the registry has not grown yet
        bulk.refresh_statistics(session)


def _applied(
    session: Session, job: AgencyImport, rows: tuple[int, int], turn: imports_apply.Turn
) -> int:
    """Check and apply the staged rows of ``rows``, count what was found and written,
    audit it and move the checkpoint; the rows handled. A real run applies each chunk as
    it stages it; rows staged but not applied (an import staged by an earlier version)
    are applied when the import is finished."""
    imports_checks.refuse_repeats(session, job.id, rows)
    found = imports_apply.apply_chunk(session, job, rows, turn)
    job.created += found.get(RowAction.CREATE, 0)
    job.updated += found.get(RowAction.UPDATE, 0)
    job.linked += found.get(RowAction.LINK, 0)
    job.applied_through = min(rows[1], job.staged_through)
    # What the checks found, chunk by chunk (a real run decides as it applies).
    job.to_create += found.get(RowAction.CREATE, 0)
    job.to_update += found.get(RowAction.UPDATE, 0)
    job.to_link += found.get(RowAction.LINK, 0)
    job.refused += found.get(RowAction.REFUSE, 0)
    _audit_applied(session, job, "agencies.import.chunk", found)
    return sum(found.values())


def _audit_applied(
    session: Session, job: AgencyImport, action: str, found: dict[str, int] | None
) -> None:
    counts = found if found is not None else {
        "created": job.created, "updated": job.updated, "linked": job.linked,
        "refused": job.refused,
    }  # fmt: skip
    audit.record(
        session,
        actor=SYSTEM,
        action=action,
        entity_type="agency_import",
        entity_id=str(job.id),
        fields=("identity", "nik", "passports", "contacts", "stays"),
        reason=json.dumps({"through_row": job.applied_through, **counts}, sort_keys=True),
    )


def rows_staged(session: Session, import_id: uuid.UUID) -> int:
    """How many rows of the import are in the staging table."""
    return int(
        session.scalar(select(func.count()).select_from(Row).where(Row.import_id == import_id)) or 0
    )
