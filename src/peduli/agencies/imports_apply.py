"""Applying a staged chunk of an import: decide its rows, then write them to the registry.

A real run applies each chunk in the transaction that stages it (``imports_run``). Most
files are placements of people new to the registry, and the inserts of their people and
passports descend the same unique keys (NIK, passport) that a probe for people on record
would descend first. So a chunk whose rows all still stand as staged (new people) is
inserted at once, in a savepoint; when an insert meets a NIK or passport on record, the
savepoint is rolled back and the chunk is decided against the registry and written as
before. Only a dry run decides without writing (``imports_checks.decide``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from peduli.agencies import imports_checks
from peduli.agencies.models import AgencyImport, AgencyImportRow, RowAction
from peduli.core.db import utcnow
from peduli.registry import bulk

Row = AgencyImportRow


@dataclass
class Turn:
    """What a worker's turn (``imports_run.run``) learnt of its import's file while applying
    it. Its chunks are inserted before they are checked, until one meets a person on
    record; the rest of the turn checks first: a file on record (an export imported again)
    would otherwise insert, roll back and write again every chunk. Each turn (at most
    ``imports_run.TURN_SECONDS``) starts hopeful again: a re-imported file writes one chunk
    twice a turn, and new rows after re-imported ones are probed until the turn ends."""

    checks_first: bool = False


def apply_chunk(
    session: Session, job: AgencyImport, rows: tuple[int, int], turn: Turn
) -> dict[str, int]:
    """Decide the chunk's rows against the registry as it is now (it may have changed since
    a dry run, or an earlier chunk), and write them through the registry's bulk
    statements; how many rows of each action. The counts, problems and refusals are the
    same whichever way the chunk went."""
    if turn.checks_first or not imports_checks.staged_as_new(session, job.id, rows):
        imports_checks.decide(session, job.id, rows, source=job.source)
        _write(session, job, rows)
    elif not _written_as_new(session, job, rows):
        turn.checks_first = True
        imports_checks.decide_by_registry(session, job.id, rows, source=job.source)
        _write(session, job, rows)
    return imports_checks.counts(session, job.id, rows)


def _written_as_new(session: Session, job: AgencyImport, rows: tuple[int, int]) -> bool:
    """Write the chunk's valid rows as new people, as staged, unless one names a NIK or
    passport on record: then nothing of it is written (the savepoint is rolled back) and
    False. Any other failure is raised."""
    imports_checks.refuse_invalid(session, job.id, rows)
    try:
        with session.begin_nested():
            _write(session, job, rows)
    except IntegrityError as error:
        if not bulk.met_identifier_on_record(error):
            raise
        return False
    return True


def _write(session: Session, job: AgencyImport, rows: tuple[int, int]) -> None:
    """Write the decided rows of ``rows`` through the registry's bulk statements."""
    now = utcnow()
    in_chunk = and_(Row.import_id == job.id, Row.row_number.between(*rows))
    created = in_chunk & (Row.action == RowAction.CREATE.value)
    linked = in_chunk & (Row.action == RowAction.LINK.value)
    known = in_chunk & Row.action.in_([RowAction.UPDATE.value, RowAction.LINK.value])
    staged = Row.__table__.c
    bulk.create_people(
        session, select(*(staged[name] for name in bulk.NEW_PERSON)).where(created), now=now
    )
    passports = select(
        Row.new_passport_id.label("passport_id"),
        Row.person_id,
        Row.passport_encrypted.label("number_encrypted"),
        Row.passport_index.label("number_index"),
    )
    phones = select(
        Row.new_contact_id.label("contact_id"),
        Row.person_id,
        Row.phone_encrypted.label("value"),
        Row.phone_index.label("value_index"),
    )
    # New people have no passport or phone yet, and their passports are on nobody (as
    # ``decide`` found, or the passport's unique key refuses the savepoint's insert): no
    # look-up needed. People on record get only what they lack.
    bulk.add_passports(session, passports.where(created), now=now, new_people=True)
    bulk.add_passports(session, passports.where(known), now=now)
    bulk.add_phones(session, phones.where(created), new_people=True)
    bulk.add_phones(session, phones.where(known))
    stays = select(
        Row.new_stay_id.label("stay_id"), Row.person_id, Row.country, Row.city,
        Row.representation_code, Row.sector, Row.employer, Row.placement_agency,
        Row.contract_start.label("arrival_date"), Row.contract_end.label("planned_end_date"),
    )  # fmt: skip
    bulk.add_stays(session, stays.where(created), source_name=job.source, now=now, new_people=True)
    bulk.add_stays(session, stays.where(linked), source_name=job.source, now=now)
    bulk.update_stays(
        session,
        select(
            Row.stay_id, Row.sector, Row.employer, Row.placement_agency,
            Row.contract_start.label("arrival_date"), Row.contract_end.label("planned_end_date"),
            Row.representation_code, Row.city,
        ).where(in_chunk & (Row.action == RowAction.UPDATE.value)),
        now=now,
    )  # fmt: skip
