"""A small writer load through nginx that keeps a ledger of every acknowledged write.

Clients post self-reports (staff token) and check-in answers (personal links' tokens) in
turn. A write counts as acknowledged when it was answered 2xx with its id; afterwards every
acknowledged id must be in the database. Every answer is kept with its time, status and
media type, so a drill can tell what callers saw during an outage.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from itertools import count

import httpx
import numpy as np
from sqlalchemy import create_engine, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from peduli.crisis.models import CheckIn
from peduli.registry.models import Stay

CLIENT_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Bodies:
    """What the clients send: a staff token, self-reports, check-in links' tokens."""

    token: str
    reports: list[bytes]
    check_in_tokens: list[str]


def prepare(database_url: str, *, writes: int) -> Bodies:
    """Seed the layout's database for ``writes`` writes of each kind (in this process)."""
    from benchmarks import _common
    from benchmarks.crisis_help_alert import crisis_tokens, seed_people
    from benchmarks.self_report_http import _reports

    _common.use_database(database_url)
    seed_people(writes, np.random.default_rng(18))
    return Bodies(_common.staff_token(), _reports(writes), crisis_tokens(send=False))


@dataclass(frozen=True)
class Answer:
    at: float  # time.time() when it came back
    kind: str  # self_report | check_in
    status: int  # 0: no answer within the client's time-out, or no connection
    problem: bool  # the body was problem+json
    seconds: float


@dataclass
class Ledger:
    answers: list[Answer] = field(default_factory=list)
    stays: list[str] = field(default_factory=list)  # acknowledged self-reports' stay ids
    check_ins: list[str] = field(default_factory=list)  # acknowledged check-ins' ids

    def acknowledged(self, since: float = 0.0, until: float = float("inf")) -> int:
        return sum(1 for a in self.answers if 200 <= a.status < 300 and since <= a.at < until)

    def statuses(self, since: float = 0.0, until: float = float("inf")) -> Counter[str]:
        """Answers by status, non-2xx split by whether they were problem+json."""
        return Counter(
            str(a.status) + ("" if a.status < 300 or a.problem else " (not problem+json)")
            for a in self.answers
            if since <= a.at < until
        )

    def ids(self) -> int:
        """How many distinct writes were acknowledged with their id."""
        return len(set(self.stays)) + len(set(self.check_ins))

    def first_success_after(self, moment: float) -> float | None:
        return min((a.at for a in self.answers if a.at >= moment and a.status < 300), default=None)


async def _write(
    base: str, bodies: Bodies, clients: int, first: int, stop: threading.Event
) -> Ledger:
    ledger = Ledger()
    numbers = count(first)
    headers = {"Authorization": f"Bearer {bodies.token}", "Content-Type": "application/json"}

    async def one(http: httpx.AsyncClient, n: int) -> None:
        kind = "self_report" if n % 2 == 0 else "check_in"
        started = time.monotonic()
        try:
            if kind == "self_report":
                body = bodies.reports[n // 2 % len(bodies.reports)]
                # Keyed, as a client that retries must: nginx may then pass a write in
                # flight at a process's restart on to another process (written once).
                keyed = headers | {"Idempotency-Key": str(uuid.uuid4())}
                answer = await http.post("/api/v1/self-reports", content=body, headers=keyed)
            else:
                token = bodies.check_in_tokens[n // 2 % len(bodies.check_in_tokens)]
                answer = await http.post(
                    "/api/v1/crises/check-ins", json={"token": token, "answer": "safe"}
                )
        except httpx.HTTPError:
            ledger.answers.append(Answer(time.time(), kind, 0, False, time.monotonic() - started))
            return
        problem = answer.headers.get("content-type", "").startswith("application/problem+json")
        seconds = time.monotonic() - started
        ledger.answers.append(Answer(time.time(), kind, answer.status_code, problem, seconds))
        if answer.status_code == 201:
            body = answer.json()
            if kind == "self_report":
                ledger.stays.append(body["stay"]["id"])
            else:
                ledger.check_ins.append(body["id"])

    async def client(http: httpx.AsyncClient) -> None:
        while not stop.is_set():
            await one(http, next(numbers))

    async with httpx.AsyncClient(base_url=base, timeout=CLIENT_TIMEOUT_SECONDS) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return ledger


class Load:
    """The writer load in a thread of its own, so the drill can break things meanwhile."""

    def __init__(self, base: str, bodies: Bodies, *, clients: int = 4, first: int = 0) -> None:
        """``first``: the number of the first body sent (a second load starts after the
        bodies the first one used, so it writes new people and answers new links)."""
        self._stop = threading.Event()
        self._ledger: Ledger | None = None

        def run() -> None:
            self._ledger = asyncio.run(_write(base, bodies, clients, first, self._stop))

        self._thread = threading.Thread(target=run, name="drill-load", daemon=True)
        self._thread.start()

    def stop(self) -> Ledger:
        self._stop.set()
        self._thread.join(timeout=CLIENT_TIMEOUT_SECONDS * 3)
        assert self._ledger is not None, "the load did not finish"
        return self._ledger


def missing(ledger: Ledger, database_url: str) -> dict[str, int]:
    """Acknowledged writes that are not in the database at ``database_url``, by kind."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            return {
                "self_report": _absent(session, Stay.id, ledger.stays),
                "check_in": _absent(session, CheckIn.id, ledger.check_ins),
            }
    finally:
        engine.dispose()


def _absent(session: Session, column: InstrumentedAttribute[uuid.UUID], ids: list[str]) -> int:
    wanted = {uuid.UUID(i) for i in ids}
    return len(wanted - set(session.scalars(select(column).where(column.in_(wanted)))))
