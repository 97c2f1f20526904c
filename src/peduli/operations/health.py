"""Liveness and readiness: whether to restart a process, and whether to send it traffic."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from peduli.core.db import READ_ONLY
from peduli.migrations.runner import alembic_config


@dataclass(frozen=True)
class Readiness:
    """Whether this process may take requests, and if not, why."""

    database: bool
    migrations: bool
    revision: str | None  # what the database is at
    expected: frozenset[str]  # the heads this code was built for

    @property
    def ready(self) -> bool:
        return self.database and self.migrations


@cache
def expected_heads() -> frozenset[str]:
    """The migration heads shipped with this code (read once per process)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def readiness(session: Session) -> Readiness:
    """The database answers, and its schema is at the revision this code expects.

    A process of a new version started before ``peduli db upgrade`` ran (or one of the old
    version after it) reports not ready, so the load balancer sends it nothing.
    """
    expected = expected_heads()
    try:
        connection = session.connection(execution_options={READ_ONLY: True})
        connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return Readiness(database=False, migrations=False, revision=None, expected=expected)
    try:
        revisions = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError:  # no alembic_version table: never migrated
        session.rollback()
        revisions = set()
    revision = ",".join(sorted(revisions)) or None
    return Readiness(
        database=True, migrations=revisions == expected, revision=revision, expected=expected
    )
