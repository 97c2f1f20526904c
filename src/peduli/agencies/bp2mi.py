"""The BP2MI adapter: a migrant worker's placements and the list of licensed placement
agencies, asked through the gateway and read into typed answers (a 404 for a worker is an
answer: BP2MI knows no worker by these identifiers)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from peduli.agencies import gateway
from peduli.agencies.envelope import Purpose
from peduli.agencies.gateway import AgencyRefused
from peduli.agencies.immigration import NOT_FOUND, Question, day, malformed
from peduli.agencies.travel_models import LicenceState

AGENCY = "bp2mi"
PLACEMENTS_OPERATION = "v1/placements"
AGENCIES_OPERATION = "v1/agencies"
KEEP_PLACEMENTS = timedelta(minutes=10)
KEEP_LICENCES = timedelta(hours=1)  # the list changes by decree, a few times a month
LICENCE_LIST_CAUSE = "licence-list-refresh"


@dataclass(frozen=True)
class PlacementAnswer:
    """One placement of the worker."""

    placement_id: str
    employer: str
    agency_licence: str | None
    agency_name: str | None
    sector: str
    country: str
    contract_start: date
    contract_end: date | None


@dataclass(frozen=True)
class AgencyAnswer:
    """One agency of the licence list."""

    licence: str
    name: str
    status: LicenceState
    revoked_on: date | None


def placements(
    session: Session, *, nik: str | None, passport_number: str | None, question: Question
) -> list[PlacementAnswer] | None:
    """The worker's placements (None: BP2MI knows no worker by these identifiers)."""
    request = {k: v for k, v in (("nik", nik), ("passport_number", passport_number)) if v}
    try:
        answer = gateway.call(
            session,
            agency=AGENCY,
            operation=PLACEMENTS_OPERATION,
            request=request,
            purpose=question.purpose,
            cause=question.cause,
            actor=question.actor,
            person_id=question.person_id,
            cache_for=KEEP_PLACEMENTS,
        )
    except AgencyRefused as refused:
        if refused.answer_status == NOT_FOUND and not refused.malformed:
            return None
        raise
    return read_placements(answer)


def licensed_agencies(session: Session, *, actor: str) -> list[AgencyAnswer]:
    """BP2MI's licence list (cached for ``KEEP_LICENCES``)."""
    answer = gateway.call(
        session,
        agency=AGENCY,
        operation=AGENCIES_OPERATION,
        request={},
        purpose=Purpose.CONSULAR_SERVICE,
        cause=LICENCE_LIST_CAUSE,
        actor=actor,
        cache_for=KEEP_LICENCES,
    )
    return read_agencies(answer)


def _text(row: Mapping[str, Any], key: str, *, required: bool = True) -> str | None:
    value = row.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise malformed(f"{key} is missing", AGENCY)
    return value.strip()


def read_placements(answer: Mapping[str, Any]) -> list[PlacementAnswer]:
    """A placements answer, checked row by row."""
    rows = answer.get("placements")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise malformed("placements is not a list of objects", AGENCY)
    found = []
    for row in rows:
        country = str(_text(row, "country")).upper()
        if len(country) != 2:
            raise malformed("country is not an ISO 3166 code", AGENCY)
        found.append(
            PlacementAnswer(
                placement_id=str(_text(row, "placement_id"))[:40],
                employer=str(_text(row, "employer"))[:200],
                agency_licence=(_text(row, "agency_licence", required=False) or None),
                agency_name=(_text(row, "agency_name", required=False) or None),
                sector=str(_text(row, "sector"))[:40],
                country=country,
                contract_start=day(row, "contract_start", required=True) or date.min,
                contract_end=day(row, "contract_end"),
            )
        )
    return found


def read_agencies(answer: Mapping[str, Any]) -> list[AgencyAnswer]:
    """A licence list, checked row by row."""
    rows = answer.get("agencies")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise malformed("agencies is not a list of objects", AGENCY)
    found = []
    for row in rows:
        status = row.get("status")
        if status not in {LicenceState.ACTIVE, LicenceState.REVOKED}:
            raise malformed("a licence is neither active nor revoked", AGENCY)
        found.append(
            AgencyAnswer(
                licence=str(_text(row, "licence"))[:40],
                name=str(_text(row, "name"))[:200],
                status=LicenceState(status),
                revoked_on=day(row, "revoked_on"),
            )
        )
    return found
