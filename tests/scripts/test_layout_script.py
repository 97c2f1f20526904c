"""scripts/layout.sh brings up nginx, app processes, workers, a primary and its streaming
replica; a write through nginx reads back, and the replica catches up; stop ends it all.

Runs once per CI run (on the PostgreSQL leg: the layout has its own PostgreSQL clusters)."""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.scripts.own_clusters import ONCE_WITH_OWN_CLUSTERS

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "scripts" / "layout.sh"

pytestmark = ONCE_WITH_OWN_CLUSTERS


def _free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _free_run(length: int) -> int:
    """The first of ``length`` consecutive free ports."""
    for _ in range(200):
        base = random.randrange(20000, 30000)
        if all(_free(base + offset) for offset in range(length)):
            return base
    raise AssertionError("no free ports")


@dataclass(frozen=True)
class Layout:
    state: Path
    port: int
    pg_port: int
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(SCRIPT), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def peduli(self, *args: str) -> str:
        """A ``peduli`` command with the layout's settings (the primary)."""
        command = f'set -a; . "{self.state}/peduli.env"; exec "$0" "$@"'
        done = subprocess.run(
            ["bash", "-c", command, str(ROOT / ".venv" / "bin" / "peduli"), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout

    def replica_sql(self, sql: str) -> str:
        psql = next(Path("/usr/lib/postgresql").glob("*/bin")) / "psql"
        return subprocess.run(
            [str(psql), "-h", "127.0.0.1", "-p", str(self.pg_port + 1), "-U", "postgres",
             "-d", "peduli", "-XAtq", "-c", sql],
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout.strip()  # fmt: skip


@pytest.fixture
def layout() -> Iterator[Layout]:
    state = Path(tempfile.mkdtemp(prefix="peduli-layout-test-", dir="/tmp"))
    state.chmod(0o755)  # PostgreSQL's own user works in it
    port, pg_port = _free_run(3), _free_run(2)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PEDULI_", "PROMETHEUS_"))
    }
    env |= {
        "PEDULI_LAYOUT_DIR": str(state),
        "PEDULI_LAYOUT_PORT": str(port),
        "PEDULI_LAYOUT_PG_PORT": str(pg_port),
        "PEDULI_LAYOUT_SERVE": "2",
        "PEDULI_LAYOUT_WORKERS": "1",
    }
    running = Layout(state, port, pg_port, env)
    try:
        yield running
    finally:
        stopped = running.run("stop", "--purge", timeout=120)
        shutil.rmtree(state, ignore_errors=True)
        assert stopped.returncode == 0, stopped.stderr
        # Nothing left behind: nginx, both app processes and both clusters are gone.
        assert all(_free(p) for p in (port, port + 1, port + 2, pg_port, pg_port + 1))


def _on_replica(layout: Layout, emergency_id: uuid.UUID) -> bool:
    query = f"SELECT count(*) FROM emergency WHERE id = '{emergency_id}'"  # noqa: S608 (a UUID)
    return layout.replica_sql(query) == "1"


def test_the_layout_serves_through_nginx_and_the_replica_follows(layout: Layout) -> None:
    started = layout.run("start")
    assert started.returncode == 0, started.stdout + started.stderr
    base = f"http://127.0.0.1:{layout.port}"

    email = f"hq-{uuid.uuid4().hex[:8]}@layout.example"
    layout.peduli("staff", "create", "--email", email, "--role", "hq_admin")
    token = layout.peduli("token", "create", "--email", email).strip().splitlines()[-1]

    sos = {"name": "Dewi", "country": "KR", "city": "Ansan", "kind": "violence",
           "phone": "+821077778888"}  # fmt: skip
    with httpx.Client(base_url=base, timeout=30) as client:
        written = client.post("/api/v1/emergencies", json=sos)
        assert written.status_code == 201, written.text
        emergency_id = written.json()["id"]
        assert len(written.headers["x-request-id"]) == 32  # nginx's $request_id, passed on
        # Read back at once, through nginx, by another process maybe: from the primary.
        listed = client.get("/api/v1/emergencies", headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 200, listed.text
        assert emergency_id in {item["id"] for item in listed.json()["items"]}

        # The replica is a hot standby that replays the write within moments.
        assert layout.replica_sql("SELECT pg_is_in_recovery()") == "t"
        deadline = time.monotonic() + 15
        while not _on_replica(layout, uuid.UUID(emergency_id)):
            assert time.monotonic() < deadline, "the replica did not catch up in 15 s"
            time.sleep(0.2)

        scraped = client.get("/metrics")
        assert scraped.status_code == 200
        assert 'route="/api/v1/emergencies",status="201"' in scraped.text

    status = layout.run("status", timeout=60)
    assert status.returncode == 0, status.stdout
    assert "streaming" in status.stdout
