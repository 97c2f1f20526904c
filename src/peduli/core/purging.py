"""One batch of a set-based purge: a conditional UPDATE or DELETE on at most ``limit`` rows.

Retention purges run over tables of millions of rows; each call changes one bounded batch
(``WHERE id IN (SELECT id … WHERE condition LIMIT n)``) so its transaction stays short and
never holds the SQLite writer, or PostgreSQL row locks, for long. The caller repeats it in
fresh transactions until a batch finds nothing (``peduli.retention``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session


def _changed(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def update_batch(
    session: Session,
    model: type[Any],
    *,
    key: InstrumentedAttribute[Any],
    condition: ColumnElement[bool],
    values: dict[str, Any],
    limit: int,
) -> int:
    """Set ``values`` on at most ``limit`` rows matching ``condition``; how many changed."""
    batch = select(key).where(condition).limit(limit).scalar_subquery()
    return _changed(
        session.execute(
            update(model)
            .where(key.in_(batch))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    )


def delete_batch(
    session: Session,
    model: type[Any],
    *,
    key: InstrumentedAttribute[Any],
    condition: ColumnElement[bool],
    limit: int,
) -> int:
    """Delete at most ``limit`` rows matching ``condition``; how many went."""
    batch = select(key).where(condition).limit(limit).scalar_subquery()
    return _changed(
        session.execute(
            delete(model).where(key.in_(batch)).execution_options(synchronize_session=False)
        )
    )
