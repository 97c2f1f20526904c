"""What the locust users share in their process: the run directory, the ledger and the few
database look-ups a real person would make with their own eyes (a code on their phone).

The locust process runs under gevent; psycopg waits cooperatively there, so a look-up never
blocks the other users. Only plain SQL on the primary: the app's own code is not imported
here, except the signed link a check-in answer carries (``crisis.links``).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

import psycopg

RUN_DIR = Path(os.environ.get("LOAD_DIR", "/tmp/peduli-load-run"))
LEDGER = RUN_DIR / "ledger.jsonl"
ERRORS = RUN_DIR / "errors.jsonl"
REQUESTS = RUN_DIR / "requests.csv"
ACCOUNTS = RUN_DIR / "accounts.json"
BROADCAST = RUN_DIR / "broadcast.json"
CODE = re.compile(r"\b(\d{6})\b")
_lock = threading.Lock()


def database_url() -> str:
    """The primary (psycopg's spelling): what the users look up must be there already."""
    return os.environ["PEDULI_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")


def _append(path: Path, entry: dict[str, Any]) -> None:
    line = json.dumps(entry, default=str) + "\n"
    with _lock, path.open("a", encoding="utf-8") as handle:
        handle.write(line)


def acknowledged(kind: str, ident: object, **extra: object) -> None:
    """A write the platform answered 2xx with its id: it must be in the database afterwards."""
    _append(LEDGER, {"t": time.time(), "kind": kind, "id": str(ident), **extra})


def server_error(name: str, status: int) -> None:
    """A 5xx, with its moment, to set beside the moments processes were killed."""
    _append(ERRORS, {"t": time.time(), "name": name, "status": status})


def timed(name: str, milliseconds: float, status: int) -> None:
    """One request's moment, kind (API or page), time and status: the p95 of all pages and of
    all API calls, which locust's per-endpoint table does not give."""
    kind = "API" if name.startswith("/api/") else "baseline" if name == "/healthz" else "page"
    line = f"{time.time():.3f},{kind},{milliseconds:.1f},{status}\n"
    with _lock, REQUESTS.open("a", encoding="utf-8") as handle:
        handle.write(line)


def accounts() -> dict[str, Any]:
    """The staff accounts the driver made: officers (one each per user) and two HQ admins."""
    return dict(json.loads(ACCOUNTS.read_text(encoding="utf-8")))


def sign_in_code(address: str, *, seconds: float = 60.0) -> str | None:
    """The newest code the sandbox mail server received for ``address``, waiting for it as
    a person waits for the mail (None if none came)."""
    from gevent import sleep

    deadline = time.monotonic() + seconds
    with psycopg.connect(database_url(), autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT body FROM sandbox_message WHERE channel = 'email' AND recipient = %s"
                " ORDER BY id DESC LIMIT 1",
                (address,),
            ).fetchone()
            if row and (found := CODE.search(row[0])):
                return found.group(1)
            sleep(0.5)
    return None


class Recipients:
    """The broadcast's recipients in id order, handed out one at a time: every check-in
    answer is a person's first, as in a real storm."""

    CHUNK = 5000

    def __init__(self) -> None:
        self._ids: list[int] = []
        self._after = 0
        self._broadcast: str | None = None

    def next(self) -> int | None:
        """The next recipient who answers, or None before the broadcast (or after the last)."""
        if not self._ids:
            self._ids = self._fetch()
        return self._ids.pop() if self._ids else None

    def _fetch(self) -> list[int]:
        if self._broadcast is None:
            if not BROADCAST.exists():
                return []
            self._broadcast = json.loads(BROADCAST.read_text(encoding="utf-8"))["broadcast_id"]
        with psycopg.connect(database_url(), autocommit=True) as conn:
            rows = conn.execute(
                "SELECT id FROM crisis_recipient WHERE broadcast_id = %s::uuid AND id > %s"
                " ORDER BY id LIMIT %s",
                (self._broadcast, self._after, self.CHUNK),
            ).fetchall()
        ids = [row[0] for row in rows]
        if ids:
            self._after = ids[-1]
        return ids[::-1]
