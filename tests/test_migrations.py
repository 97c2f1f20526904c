"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from peduli.models import Base


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "run: python -m peduli.migrations.regen"


def test_regenerated_boolean_defaults_are_portable() -> None:
    from peduli.migrations.regen import portable_booleans

    sqlite_rendered = (
        "sa.Column('a', sa.Boolean(), server_default=sa.text('0'), nullable=False),\n"
        "sa.Column('b', sa.Boolean(), server_default=sa.text('1'), nullable=False),\n"
        "sa.Column('n', sa.Integer(), server_default=sa.text('0'), nullable=False),"
    )
    assert portable_booleans(sqlite_rendered) == (
        "sa.Column('a', sa.Boolean(), server_default=sa.false(), nullable=False),\n"
        "sa.Column('b', sa.Boolean(), server_default=sa.true(), nullable=False),\n"
        "sa.Column('n', sa.Integer(), server_default=sa.text('0'), nullable=False),"
    )
