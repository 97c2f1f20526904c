"""Failures a sandbox can be told to answer with, to exercise retries in tests and demos."""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    """A refusal to answer instead of accepting: a status (HTTP or SMTP) and a wait hint."""

    status: int
    retry_after: int | None = None


class FaultInjector:
    """Hands out planned failures first, then random ones at ``failure_rate``; thread-safe.

    ``slow_rate`` of the accepted requests are answered only after ``slow_seconds``: the
    messages are stored, but a sender with a shorter timeout sees a time-out and re-sends.
    """

    def __init__(self, *, failure_rate: float = 0.0, status: int = 503) -> None:
        self._lock = threading.Lock()
        self._planned: deque[Fault] = deque()
        self._random = random.Random()
        self.failure_rate = failure_rate
        self.status = status
        self.slow_rate = 0.0
        self.slow_seconds = 0.0

    def delay(self) -> float:
        """Seconds to hold back the answer to the request just accepted (0: none)."""
        with self._lock:
            if self.slow_rate and self._random.random() < self.slow_rate:
                return self.slow_seconds
        return 0.0

    def fail_next(self, count: int, *, status: int, retry_after: int | None = None) -> None:
        """Refuse the next ``count`` requests with ``status``."""
        with self._lock:
            self._planned.extend(Fault(status, retry_after) for _ in range(count))

    def take(self) -> Fault | None:
        """The failure to answer the current request with, or None to accept it."""
        with self._lock:
            if self._planned:
                return self._planned.popleft()
            if self.failure_rate and self._random.random() < self.failure_rate:
                return Fault(self.status)
        return None
