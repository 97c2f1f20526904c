"""Case references: per representation and year, gap-free and unique under concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.cases import references
from peduli.core.db import session_scope
from tests.cases.conftest import open_case


def test_references_count_per_post_and_year(db: Session) -> None:
    take = references.next_reference
    assert take(db, representation_code="kbri-seoul", year=2026) == "KBRI-SEOUL-2026-000001"
    assert take(db, representation_code="kbri-seoul", year=2026) == "KBRI-SEOUL-2026-000002"
    assert take(db, representation_code="kjri-hong-kong", year=2026) == "KJRI-HONG-KONG-2026-000001"
    assert take(db, representation_code="kbri-seoul", year=2027) == "KBRI-SEOUL-2027-000001"


def test_a_new_case_gets_the_next_reference(db: Session, officer: Actor) -> None:
    first = open_case(db, officer)
    second = open_case(db, officer)
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


def test_concurrent_intakes_never_share_a_number(clean_engine: Engine) -> None:
    """Real concurrent transactions (PostgreSQL runs them in parallel; SQLite queues them)."""

    def take(_: int) -> str:
        with session_scope() as session:
            return references.next_reference(session, representation_code="kbri-seoul", year=2026)

    with ThreadPoolExecutor(max_workers=8) as pool:
        taken = list(pool.map(take, range(80)))
    assert len(set(taken)) == 80
    assert sorted(int(r[-6:]) for r in taken) == list(range(1, 81))
