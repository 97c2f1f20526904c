"""A published November 2026 release of a population with small groups; an empty replica."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from peduli.auth.actor import SYSTEM
from peduli.core.config import get_settings
from peduli.core.db import Base, make_engine
from peduli.core.read_replica import get_lagging_read_engine, get_lagging_read_sessionmaker
from peduli.stats import releases
from tests.stats.population import SMALL_GROUPS, add_people


@pytest.fixture
def november(db: Session) -> date:
    """November 2026 published (committed, so the app's requests see it)."""
    add_people(db, SMALL_GROUPS)
    month = date(2026, 11, 1)
    releases.publish(db, month=month, actor=SYSTEM, now=datetime(2026, 12, 2, tzinfo=UTC))
    db.commit()
    return month


@pytest.fixture
def empty_replica(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``PEDULI_READ_DATABASE_URL`` set to a database with the schema and no rows: whatever
    the primary holds, a read from the replica finds nothing."""
    import peduli.models  # noqa: F401  (every table in the metadata)

    url = f"sqlite:///{tmp_path / 'replica.db'}"
    replica = make_engine(url)
    Base.metadata.create_all(replica)
    replica.dispose()
    monkeypatch.setenv("PEDULI_READ_DATABASE_URL", url)
    _clear()
    yield
    get_lagging_read_engine().dispose()
    monkeypatch.delenv("PEDULI_READ_DATABASE_URL")
    _clear()


def _clear() -> None:
    get_settings.cache_clear()
    get_lagging_read_engine.cache_clear()
    get_lagging_read_sessionmaker.cache_clear()
