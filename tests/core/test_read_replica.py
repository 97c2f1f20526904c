"""Reads that may lag go to PEDULI_READ_DATABASE_URL when set, else to the primary."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from peduli.core.config import get_settings
from peduli.core.db import get_engine
from peduli.core.read_replica import (
    get_lagging_read_engine,
    get_lagging_read_sessionmaker,
    lagging_read_session,
)


def _clear() -> None:
    get_settings.cache_clear()
    get_lagging_read_engine.cache_clear()
    get_lagging_read_sessionmaker.cache_clear()


@pytest.fixture
def replica_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "ops-replica.db"
    monkeypatch.setenv("PEDULI_READ_DATABASE_URL", f"sqlite:///{path}")
    _clear()
    yield path
    monkeypatch.delenv("PEDULI_READ_DATABASE_URL")
    _clear()


def test_unset_the_lagging_reads_use_the_primary(engine: Engine) -> None:
    _clear()
    assert get_lagging_read_engine() is get_engine()


def test_set_the_lagging_reads_use_the_replica_and_write_nothing(
    engine: Engine, replica_file: Path
) -> None:
    replica = get_lagging_read_engine()
    assert replica is not get_engine()
    with replica.begin() as connection:
        connection.execute(text("CREATE TABLE marker (side TEXT)"))
        connection.execute(text("INSERT INTO marker VALUES ('replica')"))
    with lagging_read_session() as session:
        assert session.scalar(text("SELECT side FROM marker")) == "replica"
        session.execute(text("INSERT INTO marker VALUES ('written')"))
    with lagging_read_session() as session:  # rolled back: a read session never commits
        assert session.scalar(text("SELECT count(*) FROM marker")) == 1
