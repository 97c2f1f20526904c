"""Staged rows lost with a database crash, staged again before an import goes on.

The staging table is UNLOGGED on PostgreSQL: a million staged rows are written once and read
only by the import's own checks, and writing them to the WAL as well doubled a large
import's WAL and checkpoints (``docs/performance.md``). A server crash empties such a table
(so does a fail-over: the replica never receives it). What the import has decided lives in
logged tables and survives: its checkpoints and counts (``agency_import``), its problems
(``agency_import_problem``) and what it wrote to the registry.

So a worker's turn first looks for the staged row at the import's checkpoint. When it is
gone, all of them are:
- a dry run starts again from the first row (it wrote nothing to the registry), and its
  report says so and when (``AgencyImportRestart``);
- a real run reads its file again up to the checkpoint and stages those rows as read, without
  their problems (those survived) and without applying anything again: the later rows'
  repeat checks compare against them, as if nothing had happened.

Each chunk is its own transaction and the checkpoint's row comes last, so a worker killed
while restoring leaves the rows still missing, and the next turn starts the restoring over.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from peduli.agencies import imports_files, imports_staging
from peduli.agencies.imports_columns import layout_of
from peduli.agencies.imports_restart_models import AgencyImportRestart
from peduli.agencies.models import (
    FINISHED,
    AgencyImport,
    AgencyImportProblem,
    AgencyImportRow,
    ImportStatus,
)
from peduli.auth import audit
from peduli.auth.actor import SYSTEM
from peduli.core.db import is_postgres, utcnow
from peduli.core.logging import get_logger

log = get_logger(__name__)
SessionFactory = Callable[[], Session]
Row = AgencyImportRow


def staging_lost(session: Session, job: AgencyImport) -> bool:
    """Whether the import's staged rows are gone although it is not finished (one look-up
    of the checkpoint's row by the table's unique key)."""
    if job.status in FINISHED or job.staged_through == 0:
        return False
    at_checkpoint = exists().where(Row.import_id == job.id, Row.row_number == job.staged_through)
    return not session.scalar(select(at_checkpoint))


def restore_if_lost(session_factory: SessionFactory, import_id: uuid.UUID, chunk_rows: int) -> None:
    """Stage again what a crash emptied, or start a dry run again; nothing when nothing is lost."""
    with session_factory() as session, session.begin():
        job = session.get_one(AgencyImport, import_id)
        if not staging_lost(session, job):
            return
        log.warning("import staging lost, restoring", import_id=str(import_id))
        audit.record(
            session,
            actor=SYSTEM,
            action="agencies.import.staging_restored",
            entity_type="agency_import",
            entity_id=str(import_id),
            reason=json.dumps(
                {"dry_run_started_again": job.dry_run, "through_row": job.staged_through}
            ),
        )
        # Rows a restore killed half-way wrote: it starts over.
        session.execute(
            delete(Row)
            .where(Row.import_id == import_id)
            .execution_options(synchronize_session=False)
        )
        if job.dry_run:
            _start_again(session, job)
            return
        key, file_format, through = job.file_key, job.file_format, job.staged_through
        as_copy = is_postgres(session)
    sheet = imports_files.open_sheet(imports_files.load(key), file_format)
    layout, _problems = layout_of(sheet.header)  # read without problems once already
    chunks = imports_staging.read_chunks(
        ((number, cells) for number, cells in sheet.rows if number <= through),
        import_id=import_id,
        today=utcnow().date(),
        layout=layout,
        size=chunk_rows,
        as_copy=as_copy,
    )
    for chunk in chunks:
        with session_factory() as session, session.begin():
            imports_staging.write_chunk(session, replace(chunk, problems=_none_of(chunk)))


def _none_of(chunk: imports_staging.ReadChunk) -> bytes | list[tuple[object, ...]]:
    """No problems, in the form the chunk was read in (COPY text or rows)."""
    return b"" if isinstance(chunk.problems, bytes) else []


def _start_again(session: Session, job: AgencyImport) -> None:
    """A dry run goes back to its first row, its findings forgotten; when, and how far it
    had read, are kept for its report (``imports.restart_notice``)."""
    restart = session.get(AgencyImportRestart, job.id) or AgencyImportRestart(import_id=job.id)
    restart.at, restart.rows_read = utcnow(), job.total_rows
    session.add(restart)
    session.execute(
        delete(AgencyImportProblem)
        .where(AgencyImportProblem.import_id == job.id)
        .execution_options(synchronize_session=False)
    )
    job.status = ImportStatus.STAGING.value
    job.staged_through = job.applied_through = job.total_rows = 0
    job.to_create = job.to_update = job.to_link = job.refused = job.problems = 0
