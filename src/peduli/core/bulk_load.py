"""Load first, index after: a bulk load into (nearly) empty PostgreSQL tables.

Maintaining a B-tree row by row costs a random page visit per row and per index once the
index outgrows the shared buffers (random UUID keys spread every insert over the whole
tree): loading 10,000,000 stays into the indexed ``stay`` table ran for minutes where 1,000,000
took seconds. Building each index once, from all the rows, is one sort. So the keys,
indexes and foreign keys of the loaded tables are dropped, the rows copied in, and the same
objects created again from the models' own definitions (``Table.indexes``, ``constraints``
and ``foreign_key_constraints``: never a hand-kept list), then ``ANALYZE``.

Everything happens in the caller's one transaction: PostgreSQL's DDL is transactional, so a
failed load, or rows that break a unique key, leaves the tables and their indexes as they
were. The tables stay locked (``ACCESS EXCLUSIVE``) until the commit, which is why callers
use this only for a load that dwarfs what is there already. SQLite has no such cost at the
sizes it is used for: there the block runs with the indexes in place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import (
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Session
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

from peduli.core.db import is_postgres

# Memory for each index build's sort: big sorts spill to disk in small pieces otherwise.
INDEX_BUILD_MEMORY = "1GB"


def _keys(table: Table) -> list[PrimaryKeyConstraint | UniqueConstraint]:
    """The primary key first, then the unique constraints (foreign keys point at them)."""
    uniques = [c for c in table.constraints if isinstance(c, UniqueConstraint)]
    return [table.primary_key, *sorted(uniques, key=lambda c: str(c.name))]


def _foreign_keys(tables: Sequence[Table]) -> list[ForeignKeyConstraint]:
    """Every foreign key from or to one of ``tables`` (one pointing at a dropped key must go
    first, and one checked row by row during the load is what we are avoiding)."""
    names = {table.name for table in tables}
    return [
        constraint
        for table in tables[0].metadata.sorted_tables
        for constraint in sorted(table.foreign_key_constraints, key=lambda c: str(c.name))
        if table.name in names or constraint.referred_table.name in names
    ]


def _indexes(table: Table) -> list[Index]:
    return sorted(table.indexes, key=lambda index: str(index.name))


@contextmanager
def indexes_built_after(
    session: Session,
    tables: Sequence[Table],
    *,
    on_phase: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Run the block with ``tables`` stripped of keys and indexes; rebuild them after.

    ``on_phase`` (a callable taking a sentence) hears when the rebuild starts.
    """
    if not is_postgres(session) or not tables:
        yield
        return
    connection = session.connection()
    connection.execute(text(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'"))
    foreign_keys = _foreign_keys(tables)
    for foreign_key in foreign_keys:
        connection.execute(DropConstraint(foreign_key, if_exists=True))
    for table in tables:
        for index in _indexes(table):
            connection.execute(DropIndex(index, if_exists=True))
        for key in reversed(_keys(table)):
            connection.execute(DropConstraint(key, if_exists=True))
    yield
    if on_phase is not None:
        on_phase("Building indexes")
    for table in tables:
        for key in _keys(table):
            connection.execute(AddConstraint(key))
        for index in _indexes(table):
            connection.execute(CreateIndex(index))
    for foreign_key in foreign_keys:
        connection.execute(AddConstraint(foreign_key))
    connection.execute(text(f"ANALYZE {', '.join(table.name for table in tables)}"))
