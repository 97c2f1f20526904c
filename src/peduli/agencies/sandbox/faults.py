"""The failures an agency sandbox can be switched to at run time, as real agencies fail:
slow answers, 5xx errors, a maintenance window, a rate limit, malformed answers.

Each mode is switched on with how often (``rate``, 0..1), for how many requests (``count``,
None: until switched off) and its own figure (``seconds`` of delay or of maintenance, or
``limit`` requests a second). Switched from Python (tests), or over HTTP on the sandbox
itself (``POST /_sandbox/faults``), which ``peduli agencies fault`` and the demo use.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from peduli.core.db import utcnow


class FaultMode(StrEnum):
    SLOW = "slow"  # answer only after ``seconds``
    ERROR = "error"  # answer ``status`` (5xx)
    MAINTENANCE = "maintenance"  # 503 with Retry-After until the window ends
    RATE_LIMIT = "rate_limit"  # 429 beyond ``limit`` requests a second
    MALFORMED = "malformed"  # 200 with a body that is not JSON


@dataclass
class Fault:
    """One switched-on mode."""

    mode: FaultMode
    rate: float = 1.0
    count: int | None = None
    seconds: float = 0.0
    status: int = 500
    limit: int = 1
    until: datetime | None = None  # the end of a maintenance window


@dataclass(frozen=True)
class Decision:
    """How to answer the current request: after ``delay`` seconds, and instead of the real
    answer ``status`` with ``body`` (None: answer for real)."""

    delay: float = 0.0
    status: int | None = None
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class FaultSwitch:
    """The switched-on faults of one sandbox; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[FaultMode, Fault] = {}
        self._random = random.Random()
        self._window = (0, 0)  # (second, requests in it) for the rate limit

    def switch_on(
        self,
        mode: FaultMode | str,
        *,
        rate: float = 1.0,
        count: int | None = None,
        seconds: float = 0.0,
        status: int = 500,
        limit: int = 1,
    ) -> Fault:
        """Switch ``mode`` on (replacing its earlier setting)."""
        mode = FaultMode(mode)
        if not 0 <= rate <= 1 or (count is not None and count < 0) or seconds < 0:
            raise ValueError("rate is 0..1, count and seconds are not negative")
        until = utcnow() + timedelta(seconds=seconds) if mode == FaultMode.MAINTENANCE else None
        fault = Fault(mode, rate, count, seconds, status, max(1, limit), until)
        with self._lock:
            self._faults[mode] = fault
        return fault

    def switch_off(self, mode: FaultMode | str | None = None) -> None:
        """Switch one mode off, or all of them."""
        with self._lock:
            if mode is None:
                self._faults.clear()
            else:
                self._faults.pop(FaultMode(mode), None)

    def snapshot(self) -> list[dict[str, Any]]:
        """The faults switched on, as JSON-ready dicts."""
        with self._lock:
            faults = list(self._faults.values())
        return [asdict(f) | {"until": f.until.isoformat() if f.until else None} for f in faults]

    def _fires(self, fault: Fault) -> bool:
        if fault.count is not None and fault.count <= 0:
            return False
        if fault.rate < 1 and self._random.random() >= fault.rate:
            return False
        if fault.count is not None:
            fault.count -= 1
        return True

    def decide(self) -> Decision:
        """How to answer the request just received."""
        now = utcnow()
        with self._lock:
            maintenance = self._faults.get(FaultMode.MAINTENANCE)
            if maintenance and maintenance.until and maintenance.until <= now:
                del self._faults[FaultMode.MAINTENANCE]
                maintenance = None
            if maintenance and maintenance.until and self._fires(maintenance):
                left = max(1, int((maintenance.until - now).total_seconds() + 0.999))
                body = f'{{"error": "maintenance", "until": "{maintenance.until.isoformat()}"}}'
                return Decision(status=503, body=body, headers={"Retry-After": str(left)})
            limited = self._faults.get(FaultMode.RATE_LIMIT)
            if limited:
                second = int(time.monotonic())
                seen = self._window[1] + 1 if self._window[0] == second else 1
                self._window = (second, seen)
                if seen > limited.limit and self._fires(limited):
                    body = '{"error": "rate limit exceeded"}'
                    return Decision(status=429, body=body, headers={"Retry-After": "1"})
            error = self._faults.get(FaultMode.ERROR)
            if error and self._fires(error):
                return Decision(status=error.status, body='{"error": "internal error"}')
            slow = self._faults.get(FaultMode.SLOW)
            delay = slow.seconds if slow and self._fires(slow) else 0.0
            malformed = self._faults.get(FaultMode.MALFORMED)
            if malformed and self._fires(malformed):
                return Decision(delay=delay, status=200, body="<html>Service Temporarily")
        return Decision(delay=delay)
