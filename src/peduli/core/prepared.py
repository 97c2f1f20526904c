"""Statements compiled once and run on the database driver's own cursor: the hottest writes.

Executing a Core statement through SQLAlchemy looks it up in the compiled cache, processes
its parameters, dispatches events and wraps a result, on every call. On SQLite, where a
check-in's three statements take tens of microseconds each in the database, that work was
most of an answer's time (cProfile, ``docs/performance.md``, issue 13). ``Prepared``
compiles its statement once per dialect, with SQLAlchemy's own bind processors, and runs it
on the DBAPI connection of the session's transaction, which SQLAlchemy began (on SQLite:
the writer's turn and ``BEGIN IMMEDIATE``) and will commit. The driver keeps the statement
prepared in its cache keyed by the SQL text (``sqlite3``'s statement cache). Beside
``core/db.py``, which holds the other throughput tricks but has no room left under the
400-line limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


class Prepared:
    """A Core statement with named parameters, compiled once per dialect and run raw, on a
    driver with positional parameters (SQLite; PostgreSQL's psycopg names them)."""

    def __init__(self, statement: ClauseElement) -> None:
        self._statement = statement
        self._compiled: dict[str, tuple[str, list[tuple[str, Any]]]] = {}

    def _for(self, dialect: Dialect) -> tuple[str, list[tuple[str, Any]]]:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self._statement.compile(dialect=dialect)
            # Positional parameters (SQLite's qmark style), in the statement's order.
            assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
            processors = compiled._bind_processors  # what SQLAlchemy applies on each execute
            names = compiled.positiontup
            found = (str(compiled), [(name, processors.get(name)) for name in names])
            self._compiled[dialect.name] = found
        return found

    def run(self, session: Session, values: Mapping[str, Any]) -> Sequence[tuple[Any, ...]]:
        """Run in the session's transaction; the rows it returns, as the driver gives them
        (no type processing: UUIDs as stored, for instance)."""
        connection = session.connection()
        sql, binds = self._for(connection.dialect)
        parameters = [
            values[name] if process is None else process(values[name]) for name, process in binds
        ]
        driver = connection.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            cursor.execute(sql, parameters)
            return cursor.fetchall() if cursor.description else ()
        finally:
            cursor.close()
