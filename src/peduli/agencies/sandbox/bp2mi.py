"""The sandbox migrant-worker agency (BP2MI): a worker's placements and the licence list.

``POST /v1/placements`` {"nik"?, "passport_number"?} answers ``{"placements": [{"placement_id",
"employer", "agency_licence", "agency_name", "sector", "country", "contract_start",
"contract_end"}]}``, or ``404 {"error": "not_found"}`` when BP2MI knows no worker by either;
``POST /v1/agencies`` {} answers ``{"as_of", "agencies": [{"licence", "name", "status"
(active | revoked), "revoked_on"}]}``. ``POST /_sandbox/enrol`` {"placement": {…}} or
{"agency": {…}} adds one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from http import HTTPStatus
from typing import Any

from peduli.agencies.sandbox import travel_population as population
from peduli.agencies.sandbox.population import Resident
from peduli.agencies.sandbox.server import AgencySandbox, Answer
from peduli.agencies.sandbox.travel_population import Agency, LicenceStatus, Placement

PLACEMENTS_OPERATION = "v1/placements"
AGENCIES_OPERATION = "v1/agencies"


def _text(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    return (value.strip().upper() or None) if isinstance(value, str) else None


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


class Bp2miSandbox(AgencySandbox):
    """BP2MI's placement and licence services over the demo's people."""

    agency = "bp2mi"

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
        self.operations[PLACEMENTS_OPERATION] = self.placements
        self.operations[AGENCIES_OPERATION] = self.agencies

    def add_placement(self, placement: Placement) -> None:
        """Add a placement."""
        self.records.placements.append(placement)

    def add_agency(self, agency: Agency) -> None:
        """Add (or replace) a listed agency."""
        self.records.agencies[agency.licence] = agency

    def enrol(self, record: Mapping[str, Any]) -> Answer:
        try:
            if "agency" in record:
                a = record["agency"]
                agency = Agency(str(a["licence"]), str(a["name"]), LicenceStatus(a["status"]),
                                _day(a.get("revoked_on")))  # fmt: skip
                self.add_agency(agency)
                return HTTPStatus.CREATED, {"enrolled": agency.licence}
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
                contract_end=_day(p.get("contract_end")),
            )
        except (KeyError, TypeError, ValueError) as problem:
            return HTTPStatus.BAD_REQUEST, {"error": f"not a placement or agency: {problem}"}
        self.add_placement(placement)
        return HTTPStatus.CREATED, {"enrolled": placement.placement_id}

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
            "as_of": datetime.now(UTC).date().isoformat(),
            "agencies": [
                {"licence": a.licence, "name": a.name, "status": a.status.value,
                 "revoked_on": a.revoked_on.isoformat() if a.revoked_on else None}
                for a in sorted(self.records.agencies.values(), key=lambda a: a.licence)
            ],
        }  # fmt: skip
