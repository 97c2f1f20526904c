"""What ``core.db`` sets on PostgreSQL connections and for the statements that ask for it."""

from __future__ import annotations

import pytest
from sqlalchemy import Integer, select, text
from sqlalchemy.orm import Session

from peduli.core.db import among_ids, is_postgres, joins_by_index_lookup, plans_for_these_values


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


def test_plans_are_made_for_the_values_inside_the_block_only(pg: Session) -> None:
    with plans_for_these_values(pg):
        assert _setting(pg, "plan_cache_mode") == "force_custom_plan"
    assert _setting(pg, "plan_cache_mode") == "auto"


def test_tens_of_thousands_of_ids_are_one_bound_value_on_either_database(db: Session) -> None:
    """More ids than SQLite takes bound values in one statement (32,766)."""
    counting = text(
        "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 50000) "
        "SELECT n FROM s"
    )
    numbers = counting.columns(n=Integer).subquery()
    wanted = [n for n in range(1, 50_001) if n % 5] + [70_000]  # 40,000, and one not there

    found = db.scalars(select(numbers.c.n).where(among_ids(db, numbers.c.n, wanted)))

    assert sorted(found) == wanted[:-1]
