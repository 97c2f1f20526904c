"""Alembic environment: runs against the connection the runner hands over, or the settings."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

from peduli.core.crypto import Sealed
from peduli.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from peduli.core.db import get_engine

        with get_engine().begin() as conn:
            _run(conn)
    else:
        _run(connection)


def _render_item(type_: str, obj: Any, _context: AutogenContext) -> str | Literal[False]:
    """Encrypted columns are text to the database: the migration needs no crypto."""
    if type_ == "type" and isinstance(obj, Sealed):
        return "sa.Text()"
    return False


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
