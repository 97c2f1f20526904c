"""Regenerate the initial revision from the models while the schema has never shipped.

Until the first release the schema lives in one revision, ``0001``; after that, new
revisions are added with ``alembic revision --autogenerate`` as usual.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from peduli.core.db import make_engine
from peduli.migrations.runner import MIGRATIONS_DIR, alembic_config

INITIAL_REVISION_FILE = "2026_11_24_0001_initial_schema.py"


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
    print("regenerated", stable)


if __name__ == "__main__":
    main()
