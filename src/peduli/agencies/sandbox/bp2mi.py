"""The sandbox migrant-worker agency (BP2MI): placements of a worker and licensed agencies.

``POST /v1/placements`` with ``{"nik": …?, "passport_number": …?}`` answers
``{"placements": [{"placement_id", "employer", "agency_licence", "agency_name", "sector",
"country", "contract_start", "contract_end"}]}`` or ``404 {"error": "not_found"}`` when BP2MI
knows no worker by either identifier; ``POST /v1/agencies`` (or GET) answers the licence list
``{"as_of", "agencies": [{"licence", "name", "status" (active | revoked), "revoked_on"}]}``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from peduli.agencies.sandbox import travel_population as population
from peduli.agencies.sandbox.travel_population import Agency, Placement, TravelRecords
from peduli.agencies.sandbox.travel_server import AgencyHandler, AgencySandbox, Route

PLACEMENTS_PATH = "/v1/placements"
AGENCIES_PATH = "/v1/agencies"


class Bp2miSandbox(AgencySandbox):
    """BP2MI's placement and licence services over ``records``."""

    thread_name = "bp2mi-sandbox"

    def __init__(self, *, records: TravelRecords, host: str = "127.0.0.1", port: int = 0,
                 token: str = "sandbox") -> None:  # noqa: S107 - the sandbox's token  # fmt: skip
        self.records = records
        super().__init__(host=host, port=port, token=token)

    def routes(self) -> dict[tuple[str, str], Route]:
        """The two services."""
        return {
            ("POST", PLACEMENTS_PATH): _placements,
            ("POST", AGENCIES_PATH): _agencies,
            ("GET", AGENCIES_PATH): _agencies,
        }

    def enrol_placement(self, placement: Placement) -> None:
        """Add a placement, for a test."""
        self.records.placements.append(placement)

    def enrol_agency(self, agency: Agency) -> None:
        """Add (or replace) a listed agency, for a test."""
        self.records.agencies[agency.licence] = agency


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    return value.strip().upper() or None if isinstance(value, str) else None


def _placements(handler: AgencyHandler, body: Any) -> tuple[int, Any]:
    nik = _text(body, "nik") if isinstance(body, dict) else None
    passport = _text(body, "passport_number") if isinstance(body, dict) else None
    if nik is None and passport is None:
        return HTTPStatus.BAD_REQUEST, {"error": "send a nik or a passport_number"}
    sandbox: Bp2miSandbox = handler.sandbox  # type: ignore[assignment]
    found = sandbox.records.placements_of(nik=nik, passport=passport)
    if not found:
        return HTTPStatus.NOT_FOUND, {"error": "not_found"}
    return HTTPStatus.OK, {"placements": [_placement(p) for p in found]}


def _placement(p: Placement) -> dict[str, Any]:
    return {
        "placement_id": p.placement_id,
        "employer": p.employer,
        "agency_licence": p.agency_licence,
        "agency_name": p.agency_name,
        "sector": p.sector,
        "country": p.country,
        "contract_start": p.contract_start.isoformat(),
        "contract_end": p.contract_end.isoformat() if p.contract_end else None,
    }


def _agencies(handler: AgencyHandler, body: Any) -> tuple[int, Any]:
    sandbox: Bp2miSandbox = handler.sandbox  # type: ignore[assignment]
    return HTTPStatus.OK, {
        "as_of": datetime.now(UTC).date().isoformat(),
        "agencies": [
            {"licence": a.licence, "name": a.name, "status": a.status.value,
             "revoked_on": a.revoked_on.isoformat() if a.revoked_on else None}
            for a in sorted(sandbox.records.agencies.values(), key=lambda a: a.licence)
        ],
    }  # fmt: skip


def start_bp2mi_sandbox(*, records: TravelRecords | None = None, seed: int = 2026,
                        size: int = 2000, host: str = "127.0.0.1", port: int = 0,
                        token: str = "sandbox") -> Bp2miSandbox:  # noqa: S107  # fmt: skip
    """Start the sandbox on ``port`` (0: a free one) over ``records`` or the demo's people."""
    if records is None:
        records = population.build(seed=seed, size=size, today=datetime.now(UTC).date())
    sandbox = Bp2miSandbox(records=records, host=host, port=port, token=token)
    sandbox.start()
    return sandbox
