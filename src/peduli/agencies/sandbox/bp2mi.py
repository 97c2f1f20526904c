"""The sandbox migrant-worker agency (BP2MI): a worker's placements and the licence list.

``POST /v1/placements`` {"nik"?, "passport_number"?} answers ``{"placements": [{"placement_id",
"employer", "agency_licence", "agency_name", "sector", "country", "contract_start",
"contract_end"}]}``, or ``404 {"error": "not_found"}`` when BP2MI knows no worker by either;
``POST /v1/agencies`` {} answers ``{"as_of", "agencies": [{"licence", "name", "status"
(active | revoked), "revoked_on"}]}``. ``POST /_sandbox/enrol`` {"placement": {…}} or
{"agency": {…}} adds one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from http import HTTPStatus
from typing import Any, ClassVar

from peduli.agencies.sandbox.server import Answer
from peduli.agencies.sandbox.travel_population import Agency, LicenceStatus, Placement
from peduli.agencies.sandbox.travel_sandbox import TravelSandbox, day, today

PLACEMENTS_OPERATION = "v1/placements"
AGENCIES_OPERATION = "v1/agencies"


def _text(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    return (value.strip().upper() or None) if isinstance(value, str) else None


class Bp2miSandbox(TravelSandbox):
    """BP2MI's placement and licence services over the demo's people."""

    agency = "bp2mi"
    served: ClassVar[dict[str, str]] = {
        PLACEMENTS_OPERATION: "placements",
        AGENCIES_OPERATION: "agencies",
    }
    record_kind = "a placement or agency"

    def add_placement(self, placement: Placement) -> None:
        """Add a placement."""
        self.records.placements.append(placement)

    def add_agency(self, agency: Agency) -> None:
        """Add (or replace) a listed agency."""
        self.records.agencies[agency.licence] = agency

    def take(self, record: Mapping[str, Any]) -> str:
        if "agency" in record:
            a = record["agency"]
            agency = Agency(str(a["licence"]), str(a["name"]), LicenceStatus(a["status"]),
                            day(a.get("revoked_on")))  # fmt: skip
            self.add_agency(agency)
            return agency.licence
        p = record["placement"]
        placement = Placement(
            placement_id=str(p["placement_id"]),
            nik=p.get("nik"),
            passport_number=p.get("passport_number"),
            employer=str(p["employer"]),
            agency_licence=p.get("agency_licence"),
            agency_name=p.get("agency_name"),
            sector=str(p["sector"]),
            country=str(p["country"]),
            contract_start=date.fromisoformat(p["contract_start"]),
            contract_end=day(p.get("contract_end")),
        )
        self.add_placement(placement)
        return placement.placement_id

    def placements(self, request: Mapping[str, Any], envelope: Mapping[str, str]) -> Answer:
        """The placements of the worker with this NIK or passport."""
        nik, passport = _text(request, "nik"), _text(request, "passport_number")
        if nik is None and passport is None:
            return HTTPStatus.BAD_REQUEST, {"error": "send a nik or a passport_number"}
        found = self.records.placements_of(nik=nik, passport=passport)
        if not found:
            return HTTPStatus.NOT_FOUND, {"error": "not_found"}
        return HTTPStatus.OK, {
            "placements": [
                {"placement_id": p.placement_id, "employer": p.employer,
                 "agency_licence": p.agency_licence, "agency_name": p.agency_name,
                 "sector": p.sector, "country": p.country,
                 "contract_start": p.contract_start.isoformat(),
                 "contract_end": p.contract_end.isoformat() if p.contract_end else None}
                for p in found
            ]
        }  # fmt: skip

    def agencies(self, request: Mapping[str, Any], envelope: Mapping[str, str]) -> Answer:
        """The licence list."""
        return HTTPStatus.OK, {
            "as_of": today().isoformat(),
            "agencies": [
                {"licence": a.licence, "name": a.name, "status": a.status.value,
                 "revoked_on": a.revoked_on.isoformat() if a.revoked_on else None}
                for a in sorted(self.records.agencies.values(), key=lambda a: a.licence)
            ],
        }  # fmt: skip
