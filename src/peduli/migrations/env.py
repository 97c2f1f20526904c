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
    """Encrypted columns are text to the database: the migration needs no crypto. A primary
    key that carries a column in its index (``postgresql_include``, for index-only reads) is
    written with it: Alembic's own rendering leaves the option out."""
    if type_ == "type" and isinstance(obj, Sealed):
        return "sa.Text()"
    if type_ == "primary_key" and obj.dialect_kwargs.get("postgresql_include"):
        columns = ", ".join(repr(column.name) for column in obj.columns)
        include = list(obj.dialect_kwargs["postgresql_include"])
        return (
            f"sa.PrimaryKeyConstraint({columns}, name=op.f({str(obj.name)!r}),"
            f" postgresql_include={include!r})"
        )
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
