"""The checks that need more than one row, as statements over the staging table.

A NIK or passport that an earlier row of the file already has, a NIK and a passport of two
different people, a record that was merged or erased, a NIK whose record has another birth
date. Each refusal is a problem row written by ``INSERT … SELECT`` and the row marked
invalid; then every valid row is given its action (create, update, link) by one ``UPDATE``.
A dry run checks the whole file once it is staged; a real run checks each chunk as it is
staged, as it applies it, so a person registered since the dry run is linked, not created
twice (``imports_apply``: a chunk of new people is checked against the registry only when
the registry's unique keys refuse its inserts).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from peduli.agencies.imports_columns import BY_KEY
from peduli.agencies.models import AgencyImportProblem, AgencyImportRow, RowAction
from peduli.registry import bulk
from peduli.registry.models import PersonStatus

Row = AgencyImportRow
REPEATED = "repeated_in_file"
CONFLICTS = ("passport_of_another_person", "record_not_active", "birth_date_differs")
Condition = Callable[[], ColumnElement[bool]]


def _in(import_id: uuid.UUID, rows: tuple[int, int] | None) -> ColumnElement[bool]:
    condition = and_(Row.import_id == import_id, Row.valid)
    if rows is not None:
        condition = and_(condition, Row.row_number.between(*rows))
    return condition


def _refuse(session: Session, where: ColumnElement[bool], *, column: str, code: str) -> int:
    """Write a problem for each valid row matching ``where`` and mark the rows invalid
    (when there were any: ``where`` is evaluated again for that, and mostly finds none)."""
    written = session.execute(
        insert(AgencyImportProblem)
        .from_select(
            ["import_id", "row_number", "column", "code"],
            select(Row.import_id, Row.row_number, literal(column), literal(code)).where(where),
        )
        .execution_options(preserve_rowcount=True)
    )
    if not getattr(written, "rowcount", 0):
        return 0
    result = session.execute(
        update(Row).where(where).values(valid=False).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _earlier_row_with(column: str, *, after_nik_repeats: bool) -> ColumnElement[bool]:
    """An earlier row of the file with the same ``column`` that was valid when read (no
    problem but the set-based refusals; ``after_nik_repeats``: not a NIK repeat either).
    A real run checks and applies a chunk before the next (``imports_run``), so what was
    found of an earlier row since it was read (a conflict with the registry) must not
    change what a repeat is."""
    earlier, problem = aliased(Row), aliased(AgencyImportProblem)
    later_refusal: ColumnElement[bool] = problem.code.in_([REPEATED, *CONFLICTS])
    if after_nik_repeats:
        later_refusal = and_(
            later_refusal, ~and_(problem.code == REPEATED, problem.column == BY_KEY["nik"].label)
        )
    return exists().where(
        earlier.import_id == Row.import_id,
        getattr(earlier, column) == getattr(Row, column),
        earlier.row_number < Row.row_number,
        ~exists().where(
            problem.import_id == earlier.import_id,
            problem.row_number == earlier.row_number,
            ~later_refusal,
        ),
    )


def refuse_repeats(session: Session, import_id: uuid.UUID, rows: tuple[int, int] | None) -> int:
    """Refuse a row (of ``rows``, or of the whole file) whose NIK an earlier row has, or
    whose passport an earlier row that is no NIK repeat has. Earlier rows are judged as
    read, so the first of two stays the one kept even when the registry then refuses it,
    and a file checked whole (a dry run) or chunk by chunk (a real run) is refused alike."""
    refused = _refuse(
        session,
        and_(_in(import_id, rows), _earlier_row_with("nik_index", after_nik_repeats=False)),
        column=BY_KEY["nik"].label,
        code=REPEATED,
    )
    return refused + _refuse(
        session,
        and_(
            _in(import_id, rows),
            Row.passport_index.is_not(None),
            _earlier_row_with("passport_index", after_nik_repeats=True),
        ),
        column=BY_KEY["passport"].label,
        code=REPEATED,
    )


def refuse_conflicts(session: Session, import_id: uuid.UUID, rows: tuple[int, int] | None) -> int:
    """Refuse rows that disagree with the registry: a passport of a person with another
    NIK, a record merged or erased, a NIK whose record has another birth date. One
    statement (joins, each computed once) writes the problems, the first that applies to a
    row; one marks the rows."""
    scope = _in(import_id, rows)
    who = bulk.identified(
        select(
            Row.import_id, Row.row_number.label("key"), Row.nik_index, Row.passport_index,
            Row.date_of_birth,
        ).where(scope)
    ).subquery()  # fmt: skip
    active = PersonStatus.ACTIVE.value
    code = case(
        (
            and_(who.c.owner_nik.is_not(None), who.c.owner_nik != who.c.nik_index),
            literal(CONFLICTS[0]),
        ),
        (
            or_(
                and_(who.c.nik_person.is_not(None), who.c.nik_status != active),
                and_(
                    who.c.nik_person.is_(None),
                    who.c.passport_person.is_not(None),
                    who.c.owner_status != active,
                ),
            ),
            literal(CONFLICTS[1]),
        ),
        (
            and_(who.c.nik_person.is_not(None), who.c.nik_born != who.c.date_of_birth),
            literal(CONFLICTS[2]),
        ),
        else_=None,
    )
    found = select(who.c.import_id, who.c.key, code.label("code")).subquery()
    column = case(
        (found.c.code == CONFLICTS[0], BY_KEY["passport"].label),
        (found.c.code == CONFLICTS[1], BY_KEY["nik"].label),
        else_=BY_KEY["date_of_birth"].label,
    )
    written = session.execute(
        insert(AgencyImportProblem)
        .from_select(
            ["import_id", "row_number", "column", "code"],
            select(found.c.import_id, found.c.key, column, found.c.code).where(
                found.c.code.is_not(None)
            ),
        )
        .execution_options(preserve_rowcount=True)  # an INSERT's count is dropped otherwise
    )
    if not getattr(written, "rowcount", 0):
        return 0
    problem = AgencyImportProblem
    result = session.execute(
        update(Row)
        .where(
            scope,
            exists().where(
                problem.import_id == Row.import_id,
                problem.row_number == Row.row_number,
                problem.code.in_(CONFLICTS),
            ),
        )
        .values(valid=False)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def decide(
    session: Session, import_id: uuid.UUID, rows: tuple[int, int] | None, *, source: str
) -> None:
    """Give every row its action in one ``UPDATE … FROM``: refuse the invalid, then update
    the person's placement from ``source``, link the person found by NIK or passport, or
    create a person. Rows are staged as new people (``imports_rows``), so only the rows
    whose decision differs are written again (the staging row is wide), and none is looked
    at again when no row's identifiers are on record."""
    if _staged_decision_stands(session, _in(import_id, rows), probe_registry=True):
        refuse_invalid(session, import_id, rows)
    else:
        decide_by_registry(session, import_id, rows, source=source)


def decide_by_registry(
    session: Session, import_id: uuid.UUID, rows: tuple[int, int] | None, *, source: str
) -> None:
    """``decide`` without its probe, for rows some of which name a NIK or passport on
    record: refuse those the registry disagrees with, decide each by who holds its
    identifiers, then refuse the invalid."""
    refuse_conflicts(session, import_id, rows)
    _decide_found(session, _in(import_id, rows), source=source)
    refuse_invalid(session, import_id, rows)


def staged_as_new(session: Session, import_id: uuid.UUID, rows: tuple[int, int]) -> bool:
    """Whether each valid row of ``rows`` still has the decision it was staged with (a new
    person), judged without looking in the registry: ``imports_apply`` then inserts them as
    new people and leaves it to the registry's unique keys to tell whether any is on record."""
    return _staged_decision_stands(session, _in(import_id, rows), probe_registry=False)


def _staged_decision_stands(
    session: Session, scope: ColumnElement[bool], *, probe_registry: bool
) -> bool:
    """Whether each valid row of ``scope`` still has the decision it was staged with (a new
    person) and, when ``probe_registry``, names no NIK or passport on record: then the
    registry can neither refuse nor match any, and the joins that would find so are
    skipped. A file of new placements, the common case, is decided by one probe of each
    identifier."""
    changed = or_(
        Row.action.is_distinct_from(RowAction.CREATE.value),
        Row.person_id.is_distinct_from(Row.new_person_id),
        Row.stay_id.is_not(None),
    )
    if probe_registry:
        changed = or_(changed, bulk.on_record(Row.nik_index, Row.passport_index))
    return not session.scalar(select(exists().where(scope, changed)))


def _decide_found(session: Session, scope: ColumnElement[bool], *, source: str) -> None:
    """Decide the rows of ``scope`` by who holds their NIK or passport, and their placement."""
    found = bulk.matched_people(
        select(Row.row_number.label("key"), Row.nik_index, Row.passport_index, Row.country).where(
            scope
        ),
        source=source,
    ).subquery()
    action = case(
        (found.c.person_id.is_(None), RowAction.CREATE.value),
        (found.c.stay_id.is_not(None), RowAction.UPDATE.value),
        else_=RowAction.LINK.value,
    )
    person = func.coalesce(found.c.person_id, Row.new_person_id)
    session.execute(
        update(Row)
        .where(
            scope,
            Row.row_number == found.c.key,
            or_(
                Row.action.is_distinct_from(action),
                Row.person_id.is_distinct_from(person),
                Row.stay_id.is_distinct_from(found.c.stay_id),
            ),
        )
        .values(person_id=person, stay_id=found.c.stay_id, action=action)
        .execution_options(synchronize_session=False)
    )


def refuse_invalid(session: Session, import_id: uuid.UUID, rows: tuple[int, int] | None) -> None:
    """Give the invalid rows of ``rows`` (None: of the whole import) the action refuse and no
    person."""
    refused = and_(Row.import_id == import_id, ~Row.valid)
    if rows is not None:
        refused = and_(refused, Row.row_number.between(*rows))
    session.execute(
        update(Row)
        .where(
            refused,
            or_(
                Row.action.is_distinct_from(RowAction.REFUSE.value),
                Row.person_id.is_not(None),
                Row.stay_id.is_not(None),
            ),
        )
        .values(action=RowAction.REFUSE.value, person_id=None, stay_id=None)
        .execution_options(synchronize_session=False)
    )


def counts(
    session: Session, import_id: uuid.UUID, rows: tuple[int, int] | None = None
) -> dict[str, int]:
    """How many rows of each action (of a range of rows, or the whole import)."""
    condition = Row.import_id == import_id
    if rows is not None:
        condition = and_(condition, Row.row_number.between(*rows))
    found = session.execute(
        select(Row.action, func.count()).where(condition).group_by(Row.action)
    ).all()
    return {str(action): int(number) for action, number in found if action is not None}


def problem_count(session: Session, import_id: uuid.UUID) -> int:
    """How many problems the import's rows have."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(AgencyImportProblem)
            .where(AgencyImportProblem.import_id == import_id)
        )
        or 0
    )
