"""The sandbox immigration service (Imigrasi): passport status and recent border crossings.

``POST /v1/passports/status`` with ``{"passport_number": …, "date_of_birth": "YYYY-MM-DD"?}``
answers ``{"passport_number", "status" (valid | expired | reported_lost | revoked | replaced),
"issued_on", "expires_on", "status_since", "replaced_by", "date_of_birth_match"}``;
``POST /v1/crossings`` with ``{"passport_number": …, "since": "YYYY-MM-DD"?}`` answers
``{"passport_number", "crossings": [{"at", "direction" (exit | entry), "port", "country"}]}``.
An unknown passport is ``404 {"error": "not_found"}``. Identifiers travel in bodies only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus
from typing import Any

from peduli.agencies.sandbox import travel_population as population
from peduli.agencies.sandbox.travel_population import (
    Crossing,
    PassportRecord,
    PassportStatus,
    TravelRecords,
)
from peduli.agencies.sandbox.travel_server import AgencyHandler, AgencySandbox, Route

STATUS_PATH = "/v1/passports/status"
CROSSINGS_PATH = "/v1/crossings"
RECENT_DAYS = 730


class ImmigrationSandbox(AgencySandbox):
    """Imigrasi's passport and border-crossing services over ``records``."""

    thread_name = "immigration-sandbox"

    def __init__(self, *, records: TravelRecords, host: str = "127.0.0.1", port: int = 0,
                 token: str = "sandbox") -> None:  # noqa: S107 - the sandbox's token  # fmt: skip
        self.records = records
        super().__init__(host=host, port=port, token=token)

    def routes(self) -> dict[tuple[str, str], Route]:
        """The two services."""
        return {("POST", STATUS_PATH): _status, ("POST", CROSSINGS_PATH): _crossings}

    def enrol_passport(self, record: PassportRecord, crossings: Sequence[Crossing] = ()) -> None:
        """Add (or replace) a passport and its crossings, for a test."""
        self.records.passports[record.number] = record
        self.records.crossings[record.number] = list(crossings)


def _number(body: Any) -> str | None:
    if not isinstance(body, dict) or not isinstance(body.get("passport_number"), str):
        return None
    return str(body["passport_number"]).strip().upper() or None


def _day(body: dict[str, Any], key: str) -> date | None:
    value = body.get(key)
    return date.fromisoformat(value) if isinstance(value, str) else None


def _status(handler: AgencyHandler, body: Any) -> tuple[int, Any]:
    number = _number(body)
    if number is None:
        return HTTPStatus.BAD_REQUEST, {"error": 'send {"passport_number": …}'}
    sandbox: ImmigrationSandbox = handler.sandbox  # type: ignore[assignment]
    record = sandbox.records.passports.get(number)
    if record is None:
        return HTTPStatus.NOT_FOUND, {"error": "not_found"}
    today = datetime.now(UTC).date()
    if record.status == PassportStatus.VALID and record.expires_on < today:
        record = replace(record, status=PassportStatus.EXPIRED, status_since=record.expires_on)
    try:
        born = _day(body, "date_of_birth")
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


def _crossings(handler: AgencyHandler, body: Any) -> tuple[int, Any]:
    number = _number(body)
    if number is None:
        return HTTPStatus.BAD_REQUEST, {"error": 'send {"passport_number": …}'}
    sandbox: ImmigrationSandbox = handler.sandbox  # type: ignore[assignment]
    if number not in sandbox.records.passports:
        return HTTPStatus.NOT_FOUND, {"error": "not_found"}
    try:
        since = _day(body, "since") or datetime.now(UTC).date() - timedelta(days=RECENT_DAYS)
    except ValueError:
        return HTTPStatus.BAD_REQUEST, {"error": "since must be YYYY-MM-DD"}
    rows = [c for c in sandbox.records.crossings.get(number, []) if c.at.date() >= since]
    return HTTPStatus.OK, {
        "passport_number": number,
        "crossings": [
            {"at": c.at.isoformat(), "direction": c.direction, "port": c.port,
             "country": c.country}
            for c in sorted(rows, key=lambda c: c.at)
        ],
    }  # fmt: skip


def start_immigration_sandbox(*, records: TravelRecords | None = None, seed: int = 2026,
                              size: int = 2000, host: str = "127.0.0.1", port: int = 0,
                              token: str = "sandbox") -> ImmigrationSandbox:  # noqa: S107  # fmt: skip
    """Start the sandbox on ``port`` (0: a free one) over ``records`` or the demo's people."""
    if records is None:
        records = population.build(seed=seed, size=size, today=datetime.now(UTC).date())
    sandbox = ImmigrationSandbox(records=records, host=host, port=port, token=token)
    sandbox.start()
    return sandbox
