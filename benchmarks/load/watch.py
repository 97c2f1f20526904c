"""What the machine did during the load test, for telling its misses apart.

``PortWatch`` records when each app process's port refused connections, so a 503 that
nginx gave because every process refused can be laid beside the moments when all of them
were away (a SIGKILL, and the seconds a new process takes to start). ``CpuSampler`` adds
up the CPU each part of the layout used (PostgreSQL, the app, the workers, the sandbox
gateways, the load tool), so a page's p95 can be read against who held the two cores.
``SlowStatements`` samples what PostgreSQL's slow statements wait on.
"""

from __future__ import annotations

import abc
import json
import os
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
# First match wins: a process's command line, lower-cased, names its part of the layout.
PARTS = (
    ("postgres: startup", "PostgreSQL replica replay"),
    ("walreceiver", "PostgreSQL replica replay"),
    ("postgres", "PostgreSQL"),
    (" serve ", "peduli serve"),
    (" worker", "peduli worker"),
    ("sandbox", "sandbox gateways"),
    ("locust", "locust"),
    ("nginx", "nginx"),
    ("crisis_day", "load-test driver"),
)


@dataclass
class _Poller(abc.ABC):
    """A daemon thread calling ``poll`` every ``every`` seconds until stopped."""

    every: float
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=type(self).__name__, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.poll()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.poll()

    @abc.abstractmethod
    def poll(self) -> None:
        """One look; also called once more at ``stop``."""


@dataclass
class PortWatch(_Poller):
    """Each port's spans of refusing connections, ``(port, from, to)`` in epoch seconds."""

    ports: tuple[int, ...] = ()
    spans: list[tuple[int, float, float]] = field(default_factory=list)
    _down_since: dict[int, float] = field(default_factory=dict)

    def poll(self) -> None:
        now = time.time()
        for port in self.ports:
            listening = _accepts(port)
            if not listening and port not in self._down_since:
                self._down_since[port] = now
            elif listening and port in self._down_since:
                self.spans.append((port, self._down_since.pop(port), now))

    def figures(self) -> dict[str, object]:
        """Seconds each port was away, and the spans when every port was away at once."""
        away: dict[int, float] = defaultdict(float)
        for port, start, end in self.spans:
            away[port] += end - start
        return {
            "away_seconds_by_port": {str(p): round(s, 1) for p, s in sorted(away.items())},
            "longest_away_seconds": round(max((e - s for _p, s, e in self.spans), default=0), 1),
            "all_away": [[round(s, 1), round(e, 1)] for s, e in self._all_away()],
        }

    def _all_away(self) -> list[tuple[float, float]]:
        """Spans in which every watched port refused (one process per port)."""
        common = [(s, e) for p, s, e in self.spans if p == self.ports[0]]
        for port in self.ports[1:]:
            theirs = [(s, e) for p, s, e in self.spans if p == port]
            common = [
                (max(s1, s2), min(e1, e2))
                for s1, e1 in common
                for s2, e2 in theirs
                if max(s1, s2) < min(e1, e2)
            ]
        return common


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class CpuSampler(_Poller):
    """CPU seconds per part of the layout, from ``/proc``, between ``start`` and ``stop``.

    A process that ends between two samples loses the CPU of its last interval (a SIGKILLed
    app process: at most ``every`` seconds of it)."""

    parts: tuple[tuple[str, str], ...] = PARTS
    seen: dict[int, int] = field(default_factory=dict)
    used: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    _first: bool = True

    def poll(self) -> None:
        for pid, (part, ticks) in _processes(self.parts).items():
            before = self.seen.get(pid, ticks if self._first else 0)
            self.used[part] += max(0, ticks - before) / TICKS_PER_SECOND
            self.seen[pid] = ticks
        self._first = False

    def figures(self, seconds: float) -> dict[str, object]:
        """CPU seconds per part, and each as cores busy on average over ``seconds``."""
        return {
            part: {"cpu_seconds": round(cpu, 1), "cores": round(cpu / max(seconds, 1e-9), 2)}
            for part, cpu in sorted(self.used.items(), key=lambda item: -item[1])
        }


def _processes(parts: tuple[tuple[str, str], ...]) -> dict[int, tuple[str, int]]:
    """Every process's part (the first of ``parts`` whose marker its command line holds)
    and its CPU so far, in clock ticks."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().lower()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        part = next((name for marker, name in parts if marker in f" {command} "), "other")
        found[int(entry.name)] = (part, int(fields[11]) + int(fields[12]))  # utime + stime
    return found


# Statements running SLOW_SECONDS or more, with what each waits on at this moment
# (wait_event_type/wait_event: a lock, a lightweight lock, I/O, or nothing: on the CPU).
_SLOW_STATEMENTS = """
SELECT pid, extract(epoch FROM clock_timestamp() - query_start) AS seconds,
       coalesce(wait_event_type, 'CPU') AS wait_type, coalesce(wait_event, 'CPU') AS wait,
       left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS statement
FROM pg_stat_activity
WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type <> 'walsender'
  AND datname = current_database()
  AND clock_timestamp() - query_start >= make_interval(secs => %s)
"""
SLOW_SECONDS = 2.0


@dataclass
class SlowStatements(_Poller):
    """What the statements on the database of ``url`` that ran ``SLOW_SECONDS`` or more
    were waiting on, sampled every ``every`` seconds: PostgreSQL's log names heavyweight lock
    waits only, not a wait for a buffer, the WAL or the CPU. Each sample is a line of
    ``path`` (JSON). Other databases of the server (other tests' beside it) are not sampled."""

    url: str = ""
    path: Path = Path("slow-statements.jsonl")
    samples: int = 0
    _connection: Any = None

    def poll(self) -> None:
        try:
            if self._connection is None or self._connection.closed:
                self._connection = psycopg.connect(self.url, autocommit=True, connect_timeout=2)
            rows = self._connection.execute(_SLOW_STATEMENTS, (SLOW_SECONDS,)).fetchall()
        except psycopg.Error:
            self._connection = None  # the database is being stopped or restarted: next time
            return
        now = time.time()
        with self.path.open("a") as out:
            for pid, seconds, wait_type, wait, statement in rows:
                sample = {"t": now, "pid": pid, "seconds": round(float(seconds), 1),
                          "wait": f"{wait_type}:{wait}", "statement": statement}  # fmt: skip
                out.write(json.dumps(sample) + "\n")
                self.samples += 1

    def figures(self) -> dict[str, object]:
        """How often each statement was seen slow, by what it waited on."""
        seen: dict[str, int] = defaultdict(int)
        if self.path.exists():
            for line in self.path.read_text().splitlines():
                sample = json.loads(line)
                seen[f"{sample['wait']} {sample['statement'][:60]}"] += 1
        top = sorted(seen.items(), key=lambda item: -item[1])[:15]
        return {"samples": self.samples, "by_wait_and_statement": dict(top)}
