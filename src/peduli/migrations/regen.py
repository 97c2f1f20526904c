"""Regenerate the initial revision from the models while the schema has never shipped.

Until the first release the schema lives in one revision, ``0001``; after that, new
revisions are added with ``alembic revision --autogenerate`` as usual.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from alembic import command

from peduli.core.db import make_engine
from peduli.migrations.runner import MIGRATIONS_DIR, alembic_config

INITIAL_REVISION_FILE = "2026_11_24_0001_initial_schema.py"


# Generated against SQLite, ``server_default=false()`` comes out as the integer 0, which
# PostgreSQL refuses for a boolean column; sa.false()/sa.true() render right on both.
_BOOLEAN_DEFAULT = re.compile(r"(sa\.Boolean\(\), server_default=)sa\.text\('([01])'\)")


def portable_booleans(source: str) -> str:
    """Boolean server defaults written so that every supported database accepts them."""
    return _BOOLEAN_DEFAULT.sub(
        lambda m: m.group(1) + ("sa.true()" if m.group(2) == "1" else "sa.false()"), source
    )


def unlogged_on_postgresql(source: str) -> str:
    """Each table the models mark ``info={"unlogged": True}`` made UNLOGGED on PostgreSQL
    right after it is created (Alembic renders no such option, and SQLite has none)."""
    from peduli.models import Base

    for table in Base.metadata.sorted_tables:
        if not table.info.get("unlogged"):
            continue
        created = re.compile(rf"(    op\.create_table\('{table.name}',\n.*?\n    \)\n)", re.DOTALL)
        statement = (
            "    if op.get_bind().dialect.name == 'postgresql':\n"
            f"        op.execute('ALTER TABLE {table.name} SET UNLOGGED')\n"
        )
        source = created.sub(rf"\g<1>{statement}", source, count=1)
    return source


def main() -> None:
    for old in (MIGRATIONS_DIR / "versions").glob("*_0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'empty.db'}")
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.revision(config, message="initial schema", autogenerate=True, rev_id="0001")
    # The revision keeps the name of its first day, so regenerating never renames it.
    generated = next((MIGRATIONS_DIR / "versions").glob("*_0001_*.py"))
    stable = generated.with_name(INITIAL_REVISION_FILE)
    generated.rename(stable)
    source = portable_booleans(stable.read_text("utf-8"))
    stable.write_text(unlogged_on_postgresql(source), "utf-8")
    print("regenerated", stable)


if __name__ == "__main__":
    main()
