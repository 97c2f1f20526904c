"""The sandbox immigration service (Imigrasi): passport status and recent border crossings.

``POST /v1/passports/status`` {"passport_number", "date_of_birth"?: "YYYY-MM-DD"} answers
``{"passport_number", "status" (valid | expired | reported_lost | revoked | replaced),
"issued_on", "expires_on", "status_since", "replaced_by", "date_of_birth_match"}`` (the
birth date is matched, never disclosed); ``POST /v1/crossings`` {"passport_number",
"since"?} answers ``{"passport_number", "crossings": [{"at", "direction" (exit | entry),
"port", "country"}]}``, oldest first. An unknown passport is ``404 {"error": "not_found"}``.
``POST /_sandbox/enrol`` {"passport": {…PassportRecord}, "crossings"?: [{…}]} adds one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus
from typing import Any

from peduli.agencies.sandbox import travel_population as population
from peduli.agencies.sandbox.population import Resident
from peduli.agencies.sandbox.server import AgencySandbox, Answer
from peduli.agencies.sandbox.travel_population import Crossing, PassportRecord, PassportStatus

STATUS_OPERATION = "v1/passports/status"
CROSSINGS_OPERATION = "v1/crossings"
RECENT_DAYS = 730


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


class ImmigrationSandbox(AgencySandbox):
    """Imigrasi's passport and border-crossing services over the demo's people."""

    agency = "immigration"

    def __init__(
        self,
        *,
        residents: Iterable[Resident] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = "sandbox",  # noqa: S107 - the sandboxes' well-known token
    ) -> None:
        super().__init__(host=host, port=port, token=token)
        self.records = population.of_citizens(
            (r.citizen for r in residents), today=datetime.now(UTC).date()
        )
        self.operations[STATUS_OPERATION] = self.status
        self.operations[CROSSINGS_OPERATION] = self.crossings

    def add(self, record: PassportRecord, crossings: Sequence[Crossing] = ()) -> None:
        """Add (or replace) a passport and its crossings."""
        self.records.passports[record.number] = record
        self.records.crossings[record.number] = list(crossings)

    def enrol(self, record: Mapping[str, Any]) -> Answer:
        try:
            given = record["passport"]
            passport = PassportRecord(
                number=str(given["number"]).upper(),
                date_of_birth=date.fromisoformat(given["date_of_birth"]),
                issued_on=date.fromisoformat(given["issued_on"]),
                expires_on=date.fromisoformat(given["expires_on"]),
                status=PassportStatus(given.get("status", "valid")),
                status_since=_day(given.get("status_since")),
                replaced_by=given.get("replaced_by"),
            )
            crossings = [
                Crossing(passport.number, datetime.fromisoformat(c["at"]), c["direction"],
                         c["port"], c["country"])
                for c in record.get("crossings", [])
            ]  # fmt: skip
        except (KeyError, TypeError, ValueError) as problem:
            return HTTPStatus.BAD_REQUEST, {"error": f"not a passport record: {problem}"}
        self.add(passport, crossings)
        return HTTPStatus.CREATED, {"enrolled": passport.number}

    def _passport(self, request: Mapping[str, Any]) -> PassportRecord | Answer:
        number = request.get("passport_number")
        if not isinstance(number, str) or not number.strip():
            return HTTPStatus.BAD_REQUEST, {"error": "passport_number is required"}
        record = self.records.passports.get(number.strip().upper())
        if record is None:
            return HTTPStatus.NOT_FOUND, {"error": "not_found"}
        return record

    def status(self, request: Mapping[str, Any], envelope: Mapping[str, str]) -> Answer:
        """The passport's status; the birth date given is matched, not disclosed."""
        record = self._passport(request)
        if not isinstance(record, PassportRecord):
            return record
        today = datetime.now(UTC).date()
        if record.status == PassportStatus.VALID and record.expires_on < today:
            record = replace(record, status=PassportStatus.EXPIRED, status_since=record.expires_on)
        try:
            born = _day(request.get("date_of_birth"))
        except ValueError:
            return HTTPStatus.BAD_REQUEST, {"error": "date_of_birth must be YYYY-MM-DD"}
        return HTTPStatus.OK, {
            "passport_number": record.number,
            "status": record.status.value,
            "issued_on": record.issued_on.isoformat(),
            "expires_on": record.expires_on.isoformat(),
            "status_since": record.status_since.isoformat() if record.status_since else None,
            "replaced_by": record.replaced_by,
            "date_of_birth_match": None if born is None else born == record.date_of_birth,
        }

    def crossings(self, request: Mapping[str, Any], envelope: Mapping[str, str]) -> Answer:
        """The passport's border crossings since a day (two years by default), oldest first."""
        record = self._passport(request)
        if not isinstance(record, PassportRecord):
            return record
        try:
            since = _day(request.get("since"))
        except ValueError:
            return HTTPStatus.BAD_REQUEST, {"error": "since must be YYYY-MM-DD"}
        since = since or datetime.now(UTC).date() - timedelta(days=RECENT_DAYS)
        rows = [c for c in self.records.crossings.get(record.number, []) if c.at.date() >= since]
        return HTTPStatus.OK, {
            "passport_number": record.number,
            "crossings": [
                {"at": c.at.isoformat(), "direction": c.direction, "port": c.port,
                 "country": c.country}
                for c in sorted(rows, key=lambda c: c.at)
            ],
        }  # fmt: skip
