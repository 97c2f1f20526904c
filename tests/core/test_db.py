"""What ``core.db`` sets on PostgreSQL connections and for the statements that ask for it, and
the COPY text it makes for bulk loads."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from peduli.core.db import is_postgres, joins_by_index_lookup, rows_in_copy_text


@pytest.fixture
def pg(db: Session) -> Session:
    if not is_postgres(db):
        pytest.skip("JIT, the planner's switches and COPY are PostgreSQL's")
    return db


def _setting(db: Session, name: str) -> str:
    return str(db.scalar(text(f"SHOW {name}")))


def test_the_apps_connections_do_without_jit_compilation(pg: Session) -> None:
    assert _setting(pg, "jit") == "off"


def test_index_lookups_are_asked_for_inside_the_block_only(pg: Session) -> None:
    before = (_setting(pg, "enable_hashjoin"), _setting(pg, "enable_mergejoin"))
    assert before == ("on", "on")
    with joins_by_index_lookup(pg):
        assert (_setting(pg, "enable_hashjoin"), _setting(pg, "enable_mergejoin")) == ("off", "off")
    assert (_setting(pg, "enable_hashjoin"), _setting(pg, "enable_mergejoin")) == before


def test_a_failure_inside_the_block_leaves_nothing_behind_once_rolled_back(pg: Session) -> None:
    with pytest.raises(RuntimeError), joins_by_index_lookup(pg):
        raise RuntimeError("the statement failed")
    pg.rollback()
    assert _setting(pg, "enable_hashjoin") == "on"


AWKWARD_ROWS = [
    (
        uuid.UUID("5b0f6a1e-3c2d-4e5f-8a9b-0c1d2e3f4a5b"),
        "tab\there, new\nline, back\\slash, carriage\rreturn, Dewi Ratnasari 张伟 é",
        None,
        True,
        -6.2088,
        date(1990, 5, 17),
        datetime(2026, 12, 7, 21, 5, 3, 120_000, tzinfo=UTC),
        2_147_483_647,
    ),
    (uuid.uuid4(), "", "\\N is text here", False, 0.1, date(2000, 2, 29), None, 0),
]


def test_rows_in_copy_text_come_back_from_a_copy_as_they_went_in(pg: Session) -> None:
    """The text a bulk load makes in other processes is what ``Copy.write_row`` would have
    sent: every awkward value lands in its column unchanged."""
    pg.execute(
        text(
            "CREATE TEMPORARY TABLE copied (id uuid, words text, nothing text, yes boolean,"
            " degrees double precision, born date, at timestamptz, big integer)"
        )
    )
    raw = pg.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy("COPY copied FROM STDIN") as copy:
        copy.write(rows_in_copy_text(AWKWARD_ROWS))
    back = pg.execute(text("SELECT * FROM copied")).all()
    assert [tuple(row) for row in back] == AWKWARD_ROWS
