"""Load first, index after: the keys, indexes and foreign keys come back as the models
define them, and a failed load leaves them as they were."""

from __future__ import annotations

import pytest
from sqlalchemy import Table, text
from sqlalchemy.orm import Session

from peduli.cases.models import Case
from peduli.core.bulk_load import indexes_built_after
from peduli.core.db import is_postgres
from peduli.registry.models import Person, Stay

SCHEMA = text(
    "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE connamespace = 'public'::regnamespace "
    "UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
)
TABLES: list[Table] = [Person.__table__, Stay.__table__, Case.__table__]  # type: ignore[list-item]


def _schema(db: Session) -> list[str]:
    return list(db.scalars(SCHEMA))


def test_keys_and_indexes_are_rebuilt_as_the_models_define_them(db: Session) -> None:
    if not is_postgres(db):
        pytest.skip("SQLite keeps its indexes during the load")
    before = _schema(db)
    with indexes_built_after(db, TABLES):
        during = _schema(db)
    db.commit()
    assert len(during) < len(before) - 10
    assert _schema(db) == before


def test_a_failed_load_leaves_the_indexes_as_they_were(db: Session) -> None:
    before = _schema(db) if is_postgres(db) else []
    with pytest.raises(RuntimeError), indexes_built_after(db, TABLES):
        raise RuntimeError("the load failed")
    db.rollback()
    assert (_schema(db) if is_postgres(db) else []) == before
    db.execute(text("SELECT 1 FROM person LIMIT 1"))
