"""Keep-alive connections spread evenly over the processes of ``peduli serve``.

With ``SO_REUSEPORT`` the kernel places each new connection on a process by a hash of its
addresses, so 32 connections split like coin tosses: 21 and 11 in one measured run. Clients
keep their connections open, so the split lasts, and the clients of the fuller process wait
about twice as long (p50 113 ms against 57 ms): the p99 of the whole server was the median
of its busier process. A process above its fair share of all open connections therefore
answers one request with ``Connection: close``; the client reconnects, and the kernel
places the new connection afresh. Each process publishes its count in shared memory that
the supervisor hands to every process; the counts are advisory (a stale one only delays a
move), so they need no lock.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sized
from dataclasses import dataclass
from typing import Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONNECTION_CLOSE = (b"connection", b"close")


class Counts(Protocol):
    """One count per process: a ``multiprocessing`` shared array, or a list in tests."""

    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[int]: ...
    def __setitem__(self, index: int, value: int, /) -> None: ...


@dataclass
class ConnectionShares:
    """Every process's count of open connections (shared memory), and this process's slot."""

    counts: Counts
    slot: int

    def should_shed(self, mine: int) -> bool:
        """Publish ``mine``; True (and count one fewer) if it is above the fair share."""
        self.counts[self.slot] = mine
        fair = math.ceil(sum(self.counts) / len(self.counts))
        if mine <= fair:
            return False
        self.counts[self.slot] = mine - 1  # one is leaving: the next response need not shed
        return True


class ConnectionBalancer:
    """ASGI wrapper that closes a connection after its response while this process holds
    more than its share; ``open_connections`` is the server's live set of connections."""

    def __init__(self, app: ASGIApp, shares: ConnectionShares, open_connections: Sized) -> None:
        self.app = app
        self.shares = shares
        self.open_connections = open_connections

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, self._shedding(send))

    def _shedding(self, send: Send) -> Send:
        async def send_balanced(message: Message) -> None:
            if message["type"] == "http.response.start" and self.shares.should_shed(
                len(self.open_connections)
            ):
                message = {**message, "headers": [*message.get("headers", ()), CONNECTION_CLOSE]}
            await send(message)

        return send_balanced
