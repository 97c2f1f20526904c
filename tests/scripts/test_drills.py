"""The restore drill at CI size, so it cannot rot: a small layout is backed up under load
and restored to a restore point in a new cluster (checksums, the audit chain and the
ledger of acknowledged writes agree). The reconnect after an outage is tested in
tests/core/test_connectivity.py; the full drills are commands (docs/drills.md).

Runs once per CI run (on the PostgreSQL leg: the layout has its own PostgreSQL clusters).
"""

from __future__ import annotations

import os
import random
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from benchmarks.drills import _layout, restore

from tests.scripts.own_clusters import ONCE_WITH_OWN_CLUSTERS

pytestmark = ONCE_WITH_OWN_CLUSTERS


def _free_run(length: int, taken: set[int], setting: str) -> int:
    """The first of ``length`` consecutive free ports, in the range ``setting`` names (a
    shared machine hands each user ranges of their own), else in 20000-30000."""
    low, high = map(int, os.environ.get(setting, "20000-30000").split("-"))
    for _ in range(200):
        base = random.randrange(low, high - length)
        run = set(range(base, base + length))
        if not run & taken and all(_free(port) for port in run):
            taken |= run
            return base
    raise AssertionError("no free ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture
def layout() -> Iterator[_layout.Layout]:
    parent = Path(tempfile.mkdtemp(prefix="peduli-drills-test-", dir="/tmp"))
    parent.chmod(0o755)  # PostgreSQL's own user works below it
    state = parent / "layout"
    taken: set[int] = set()
    port = _free_run(3, taken, "PEDULI_TEST_HTTP_PORTS")
    pg_port = _free_run(3, taken, "PEDULI_TEST_PG_PORTS")
    small = _layout.Layout(state, port, pg_port, serve=2, workers=1, archive=True)
    with _layout.running(small) as running:
        yield running
    parent.rmdir()
    assert all(_free(p) for p in (port, port + 1, port + 2, pg_port, pg_port + 1, pg_port + 2))


@pytest.fixture
def own_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The drill points this process at the layout's database; the tests after it must not
    be."""
    from peduli.core.config import get_settings
    from peduli.core.crypto import get_cipher
    from peduli.core.db import get_engine, get_sessionmaker

    given = os.environ.get("PEDULI_DATABASE_URL")
    if given is None:
        monkeypatch.delenv("PEDULI_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("PEDULI_DATABASE_URL", given)
    yield
    monkeypatch.undo()
    for cached in (get_settings, get_engine, get_sessionmaker, get_cipher):
        cached.cache_clear()


def test_a_backup_restored_to_a_point_in_time_matches_the_source_there(
    own_settings: None, layout: _layout.Layout, capsys: pytest.CaptureFixture[str]
) -> None:
    restored = restore.drill(layout, writes=100, clients=2, seconds=2)
    assert restored, capsys.readouterr().out
