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

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from http import HTTPStatus
from typing import Any, ClassVar

from peduli.agencies.sandbox.server import Answer
from peduli.agencies.sandbox.travel_population import Crossing, PassportRecord, PassportStatus
from peduli.agencies.sandbox.travel_sandbox import TravelSandbox, day, today

STATUS_OPERATION = "v1/passports/status"
CROSSINGS_OPERATION = "v1/crossings"
RECENT_DAYS = 730


class ImmigrationSandbox(TravelSandbox):
    """Imigrasi's passport and border-crossing services over the demo's people."""

    agency = "immigration"
    served: ClassVar[dict[str, str]] = {
        STATUS_OPERATION: "status",
        CROSSINGS_OPERATION: "crossings",
    }
    record_kind = "a passport record"

    def add(self, record: PassportRecord, crossings: Sequence[Crossing] = ()) -> None:
        """Add (or replace) a passport and its crossings."""
        self.records.passports[record.number] = record
        self.records.crossings[record.number] = list(crossings)

    def take(self, record: Mapping[str, Any]) -> str:
        given = record["passport"]
        passport = PassportRecord(
            number=str(given["number"]).upper(),
            date_of_birth=date.fromisoformat(given["date_of_birth"]),
            issued_on=date.fromisoformat(given["issued_on"]),
            expires_on=date.fromisoformat(given["expires_on"]),
            status=PassportStatus(given.get("status", "valid")),
            status_since=day(given.get("status_since")),
            replaced_by=given.get("replaced_by"),
        )
        crossings = [
            Crossing(passport.number, datetime.fromisoformat(c["at"]), c["direction"],
                     c["port"], c["country"])
            for c in record.get("crossings", [])
        ]  # fmt: skip
        self.add(passport, crossings)
        return passport.number

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
        if record.status == PassportStatus.VALID and record.expires_on < today():
            record = replace(record, status=PassportStatus.EXPIRED, status_since=record.expires_on)
        try:
            born = day(request.get("date_of_birth"))
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
            since = day(request.get("since"))
        except ValueError:
            return HTTPStatus.BAD_REQUEST, {"error": "since must be YYYY-MM-DD"}
        since = since or today() - timedelta(days=RECENT_DAYS)
        rows = [c for c in self.records.crossings.get(record.number, []) if c.at.date() >= since]
        return HTTPStatus.OK, {
            "passport_number": record.number,
            "crossings": [
                {"at": c.at.isoformat(), "direction": c.direction, "port": c.port,
                 "country": c.country}
                for c in sorted(rows, key=lambda c: c.at)
            ],
        }  # fmt: skip
