"""Human-readable case references per representation and year: ``KBRI-SEOUL-2026-000123``.

The number comes from one atomic upsert on a counter row (``INSERT … ON CONFLICT DO UPDATE
… RETURNING``), so concurrent intakes on PostgreSQL or SQLite never get the same number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from peduli.cases.models import CaseReferenceCounter
from peduli.core.db import is_postgres


def _next_number_statement(dialect_insert: Any) -> Any:
    table = CaseReferenceCounter.__table__
    assert isinstance(table, Table)
    return (
        dialect_insert(table)
        .values(
            representation_code=bindparam("representation_code"),
            year=bindparam("year"),
            last_value=1,
        )
        .on_conflict_do_update(
            index_elements=[table.c.representation_code, table.c.year],
            set_={"last_value": table.c.last_value + 1},
        )
        .returning(table.c.last_value)
    )


# Built once per dialect: building the upsert cost more than running it (every intake).
_NEXT_NUMBER = {
    True: _next_number_statement(pg_insert),
    False: _next_number_statement(sqlite_insert),
}


def next_number(session: Session, *, representation_code: str, year: int) -> int:
    """Take the next number of a post's year (the row lock is held to commit on PostgreSQL)."""
    statement = _NEXT_NUMBER[is_postgres(session)]
    parameters = {"representation_code": representation_code, "year": year}
    return int(session.connection().execute(statement, parameters).scalar_one())


def format_reference(representation_code: str, year: int, number: int) -> str:
    """``kbri-seoul``, 2026, 123 → ``KBRI-SEOUL-2026-000123``."""
    return f"{representation_code.upper()}-{year}-{number:06d}"


def next_reference(session: Session, *, representation_code: str, year: int) -> str:
    """The reference of a new case of ``representation_code`` opened in ``year``."""
    number = next_number(session, representation_code=representation_code, year=year)
    return format_reference(representation_code, year, number)


def last_numbers(session: Session) -> dict[tuple[str, int], int]:
    """The last number given per (post, year): where a bulk load's numbering starts."""
    rows = session.execute(
        select(
            CaseReferenceCounter.representation_code,
            CaseReferenceCounter.year,
            CaseReferenceCounter.last_value,
        )
    )
    return {(code, year): value for code, year, value in rows}


def advance_to(session: Session, last_values: Mapping[tuple[str, int], int]) -> None:
    """Record the numbers a bulk load gave, so the next intake continues after them."""
    table = CaseReferenceCounter.__table__
    assert isinstance(table, Table)
    insert = pg_insert if is_postgres(session) else sqlite_insert
    statement = insert(table).values(
        representation_code=bindparam("representation_code"),
        year=bindparam("year"),
        last_value=bindparam("last_value"),
    )
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.representation_code, table.c.year],
        set_={"last_value": statement.excluded.last_value},
    )
    parameters = [
        {"representation_code": code, "year": year, "last_value": value}
        for (code, year), value in last_values.items()
    ]
    if parameters:
        session.execute(statement, parameters)
