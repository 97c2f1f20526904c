"""The layout as the drills drive it: ``scripts/layout.sh``, its clusters, its app logs."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "scripts" / "layout.sh"
# The newest PostgreSQL installed (Debian's layout); a path that does not exist if none is.
PG_BIN = max(
    Path("/usr/lib/postgresql").glob("*/bin"),
    key=lambda path: int(path.parent.name),
    default=Path("/usr/lib/postgresql/none/bin"),
)


@dataclass(frozen=True)
class Layout:
    """One layout: its state directory and ports (nginx, then the app processes; the primary,
    then the replica)."""

    state: Path
    port: int
    pg_port: int
    serve: int = 2
    workers: int = 1
    archive: bool = False

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def archive_dir(self) -> Path:
        return self.state / "wal-archive"

    def cluster(self, name: str) -> Path:
        return self.state / "pg" / name

    def database_url(self, port: int | None = None) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{port or self.pg_port}/peduli"

    def env(self) -> dict[str, str]:
        """The caller's environment without its own Peduli settings, plus the layout's."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PEDULI_", "PROMETHEUS_"))}
        return env | {
            "PEDULI_LAYOUT_DIR": str(self.state),
            "PEDULI_LAYOUT_PORT": str(self.port),
            "PEDULI_LAYOUT_PG_PORT": str(self.pg_port),
            "PEDULI_LAYOUT_SERVE": str(self.serve),
            "PEDULI_LAYOUT_WORKERS": str(self.workers),
            "PEDULI_LAYOUT_ARCHIVE": "1" if self.archive else "",
            # A shared machine may take minutes to start the app processes.
            "PEDULI_LAYOUT_READY_SECONDS": "600",
        }

    def run(self, *args: str, timeout: float = 900) -> str:
        """``layout.sh ARGS``; its output, or an error carrying it."""
        done = subprocess.run(
            ["bash", str(SCRIPT), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"layout.sh {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def peduli(
        self, *args: str, database_url: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """A ``peduli`` command with the layout's settings (another database if given)."""
        command = f'set -a; . "{self.state}/peduli.env"; exec "$0" "$@"'
        env = self.env() | ({"DRILL_DATABASE_URL": database_url} if database_url else {})
        if database_url:
            command = command.replace("exec", 'PEDULI_DATABASE_URL="$DRILL_DATABASE_URL" exec')
        return subprocess.run(
            ["bash", "-c", command, str(ROOT / ".venv" / "bin" / "peduli"), *args],
            env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip

    def app_log(self) -> list[dict[str, Any]]:
        """Every JSON line the app and worker processes logged."""
        lines = []
        for path in sorted((self.state / "log").glob("*.log")):
            if not path.name.startswith(("serve-", "worker-")):
                continue
            for line in path.read_text(errors="replace").splitlines():
                if line.startswith("{"):
                    entry = json.loads(line)
                    entry["process"] = path.stem
                    lines.append(entry)
        return lines

    def nginx_failures(self) -> Counter[str]:
        """Why nginx answered a request itself (its error log's ``upstream …`` reasons, with
        the method), counted: what a 502 in a drill was."""
        path = self.state / "log" / "nginx-error.log"
        lines = path.read_text(errors="replace").splitlines() if path.exists() else []
        reasons: Counter[str] = Counter()
        for line in lines:
            found = _NGINX_REASON.search(line)
            method = _NGINX_METHOD.search(line)
            if found:
                reasons[f"{method.group(1) if method else '?'}: {found.group(1)}"] += 1
        return reasons


# "... upstream prematurely closed connection while reading response header from upstream,
# client: ..., request: "POST /api/v1/self-reports HTTP/1.1", upstream: ..."
_NGINX_REASON = re.compile(r"\] \d+#\d+: \*\d+ (.+?)(?: \(\d+: [^)]*\))?(?: while [^,]*)?, client:")
_NGINX_METHOD = re.compile(r'request: "([A-Z]+) ')


def as_postgres(*command: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """A PostgreSQL program, as the ``postgres`` user when run as root (its programs refuse
    root), failing loudly."""
    args = [str(part) for part in command]
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=True)


def pg_ctl(cluster: Path, *args: str, log: Path | None = None) -> None:
    as_postgres(PG_BIN / "pg_ctl", "-D", cluster, *(["-l", str(log)] if log else []), *args)


def sql(port: int, statement: str, database: str = "peduli") -> list[tuple[Any, ...]]:
    """Run one statement outside a transaction on the cluster at ``port``; its rows."""
    url = f"postgresql://postgres@127.0.0.1:{port}/{database}"
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        cursor = connection.execute(statement)
        return cursor.fetchall() if cursor.description else []


@contextmanager
def running(layout: Layout, *, keep: bool = False) -> Iterator[Layout]:
    """The layout started from a fresh state directory, stopped (and removed) afterwards."""
    if layout.state.exists():
        layout.run("stop", "--purge")
    layout.state.mkdir(parents=True)
    layout.state.chmod(0o755)  # PostgreSQL's own user works in it
    try:
        layout.run("start")
        yield layout
    finally:
        layout.run("stop", *([] if keep else ["--purge"]))


def arguments(
    description: str | None, *, state: str, port: int, pg_port: int
) -> argparse.ArgumentParser:
    """The options every drill has: how much to write, and where its layout lives."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--writes", type=int, default=3000, help="bodies of each kind")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--state", type=Path, default=Path(state))
    parser.add_argument("--port", type=int, default=port, help="nginx; the app the next ones")
    parser.add_argument("--pg-port", type=int, default=pg_port, help="the primary; then replica")
    return parser


def judge(checks: dict[str, bool]) -> bool:
    """Print each check's verdict and the drill's; True if every check passed."""
    for name, passed in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}: {name}")
    passed = all(checks.values())
    print(f"verdict: {'PASS' if passed else 'FAIL'}")
    return passed
