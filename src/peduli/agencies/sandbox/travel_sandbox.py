"""What the sandboxes serving the demo citizens' travel records share (immigration, BP2MI):
the records built from the residents, and enrolment of a record a subclass reads (``take``),
a record it cannot read answered 400."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from http import HTTPStatus
from typing import Any, ClassVar

from peduli.agencies.sandbox import travel_population as population
from peduli.agencies.sandbox.population import Resident
from peduli.agencies.sandbox.server import AgencySandbox, Answer


def day(value: Any) -> date | None:
    """A ``YYYY-MM-DD`` field, or None when absent (ValueError when malformed)."""
    return date.fromisoformat(value) if isinstance(value, str) else None


def today() -> date:
    return datetime.now(UTC).date()


class TravelSandbox(AgencySandbox):
    """An agency sandbox over the travel records of the residents' citizens."""

    record_kind: ClassVar[str] = "a record"

    def load(self, residents: Iterable[Resident]) -> None:
        self.records = population.of_citizens((r.citizen for r in residents), today=today())

    def take(self, record: Mapping[str, Any]) -> str:
        """Add one enrolled record; its number (KeyError, TypeError, ValueError: unreadable)."""
        raise NotImplementedError

    def enrol(self, record: Mapping[str, Any]) -> Answer:
        try:
            return HTTPStatus.CREATED, {"enrolled": self.take(record)}
        except (KeyError, TypeError, ValueError) as problem:
            return HTTPStatus.BAD_REQUEST, {"error": f"not {self.record_kind}: {problem}"}
