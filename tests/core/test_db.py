"""What ``core.db`` sets on PostgreSQL connections and for the statements that ask for it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from peduli.core.db import is_postgres, joins_by_index_lookup


@pytest.fixture
def pg(db: Session) -> Session:
    if not is_postgres(db):
        pytest.skip("JIT and the planner's switches are PostgreSQL's")
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
