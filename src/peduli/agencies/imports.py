"""Imports of agency exports: the upload (a dry run or a real run) and its report.

The upload only checks that the file is a CSV or XLSX file within the size limit, stores it
sealed and queues the import; the worker reads, checks and applies it (``imports_run``),
never the request. The report is the import row's counts and checkpoints, its problems
(``imports_problems``), and why a dry run's counts went back to nothing, when they did
(``restart_notice``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.agencies import access, imports_files
from peduli.agencies.imports_restart_models import AgencyImportRestart
from peduli.agencies.models import AgencyImport, ImportStatus
from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core.config import get_settings
from peduli.core.errors import FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import Message, _

SOURCES = ("bp2mi",)  # whose exports the column set reads (``imports_columns``)


def submit_import(
    session: Session,
    *,
    actor: Actor,
    filename: str,
    data: bytes,
    dry_run: bool,
    source: str = "bp2mi",
) -> AgencyImport:
    """Store the export sealed and queue its import for the worker; audited."""
    access.require_importer(session, actor, action="agencies.import.submit")
    if source not in SOURCES:
        raise ValidationFailed(
            [
                FieldProblem(
                    "source",
                    "source_unknown",
                    _("'{value}' is not an agency whose exports can be imported.").format(
                        value=source[:40]
                    ),
                    _("Choose one of: {sources}.").format(sources=", ".join(SOURCES)),
                )
            ]
        )
    if len(data) > get_settings().import_max_bytes:
        raise ValidationFailed(
            [
                FieldProblem(
                    "file",
                    "file_too_large",
                    _("The file is larger than {limit} MB.").format(
                        limit=get_settings().import_max_bytes // 1_000_000
                    ),
                    _("Split the export into several files and import each."),
                )
            ]
        )
    if not data:
        raise ValidationFailed(
            [
                FieldProblem(
                    "file",
                    "file_empty",
                    _("The file is empty: it has no header row."),
                    _("Export the placements again with the column names on the first row."),
                )
            ]
        )
    file_format = imports_files.format_of(filename, data)
    job = AgencyImport(
        id=uuid.uuid4(),
        source=source,
        file_format=file_format,
        file_size=len(data),
        dry_run=dry_run,
        status=ImportStatus.QUEUED.value,
        uploaded_by=actor.account_id,
        uploaded_by_display=actor.display[:200],
        representation_code=actor.representation_code,
    )
    job.file_key = f"{job.id}.{file_format}"
    job.file_sha256 = imports_files.store(job.file_key, data)
    session.add(job)
    audit.record(
        session,
        actor=actor,
        action="agencies.import.submit",
        entity_type="agency_import",
        entity_id=str(job.id),
        reason=f"{source} export, {file_format}, {len(data)} bytes, "
        + ("dry run" if dry_run else "real run"),
    )
    return job


def apply_dry_run(session: Session, *, actor: Actor, import_id: uuid.UUID) -> AgencyImport:
    """Import for real the file a finished dry run checked (the file is kept sealed)."""
    checked = read_import(session, actor=actor, import_id=import_id)
    if not checked.dry_run or checked.status != ImportStatus.DONE:
        raise ValidationFailed(
            [
                FieldProblem(
                    "import",
                    "not_a_finished_dry_run",
                    _("Only a finished dry run can be imported for real."),
                    _("Wait until the dry run is done, or upload the file again."),
                )
            ]
        )
    job = AgencyImport(
        id=uuid.uuid4(),
        source=checked.source,
        file_format=checked.file_format,
        file_key=checked.file_key,
        file_size=checked.file_size,
        file_sha256=checked.file_sha256,
        dry_run=False,
        status=ImportStatus.QUEUED.value,
        uploaded_by=actor.account_id,
        uploaded_by_display=actor.display[:200],
        representation_code=actor.representation_code,
    )
    session.add(job)
    audit.record(
        session,
        actor=actor,
        action="agencies.import.submit",
        entity_type="agency_import",
        entity_id=str(job.id),
        reason=f"real run of dry run {checked.id}",
    )
    return job


def read_import(session: Session, *, actor: Actor, import_id: uuid.UUID) -> AgencyImport:
    """One import and its counts, for its report; the read is audited (its problems may
    quote the rows' personal data)."""
    access.require_importer(session, actor, action="agencies.import.read")
    job = session.get(AgencyImport, import_id)
    if job is None:
        raise NotFound(_("No import with this id."))
    audit.record(
        session,
        actor=actor,
        action="agencies.import.read",
        entity_type="agency_import",
        entity_id=str(import_id),
    )
    return job


@dataclass(frozen=True)
class ImportList:
    total: int
    items: list[AgencyImport]


def list_imports(session: Session, *, actor: Actor, limit: int, offset: int) -> ImportList:
    """The imports, newest first (counts only, no personal data)."""
    access.require_importer(session, actor, action="agencies.import.list")
    total = session.scalar(select(func.count()).select_from(AgencyImport)) or 0
    items = session.scalars(
        select(AgencyImport).order_by(AgencyImport.created_at.desc()).limit(limit).offset(offset)
    )
    return ImportList(total=int(total), items=list(items))


def progress(job: AgencyImport) -> int | None:
    """How far the import is, in percent; None while the file is read (its length is
    known only at its end; a real run writes each chunk as it reads it, and its report
    shows the rows written so far). What is left to apply then is the second half."""
    if job.status == ImportStatus.DONE:
        return 100
    if job.status == ImportStatus.STAGING:
        return None
    if job.status == ImportStatus.CHECKING:
        return 90 if job.dry_run else 50
    if job.status == ImportStatus.APPLYING:
        return 50 + job.applied_through * 50 // max(job.staged_through, 1)
    return 0


def restart_of(session: Session, job: AgencyImport) -> AgencyImportRestart | None:
    """When the dry run last started again from its first row after a crash lost its staged
    rows (``imports_restore``); None when it never did, and for a real run (it goes on)."""
    return session.get(AgencyImportRestart, job.id) if job.dry_run else None


def restart_notice(*, when: str, rows: str) -> Message:
    """Why a dry run's progress went back, for its report; ``when`` and ``rows`` as the
    reader writes a time and a number (the restart's ``at`` and ``rows_read``)."""
    return _(
        "The dry run started again from the first row on {when}: an interruption of the "
        "database lost the {rows} row(s) it had read. A dry run writes nothing to the "
        "registry, so its result will be the same."
    ).format(when=when, rows=rows)
