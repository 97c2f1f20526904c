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


def main() -> None:
    for old in (MIGRATIONS_DIR / "versions").glob("*_0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'empty.db'}")
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.revision(config, message="initial schema", autogenerate=True, rev_id="0001")
    print("regenerated", next((MIGRATIONS_DIR / "versions").glob("*_0001_*.py")))


if __name__ == "__main__":
    main()
