"""The BP2MI sandbox over real HTTP: placements by NIK or passport, the licence list."""

from __future__ import annotations

from datetime import date

from peduli.agencies.sandbox.bp2mi import AGENCIES_PATH, PLACEMENTS_PATH, Bp2miSandbox
from peduli.agencies.sandbox.travel_population import (
    Agency,
    LicenceStatus,
    Placement,
    TravelRecords,
)
from peduli.agencies.sandbox.travel_server import FaultKind
from tests.agencies.sandbox.conftest import post


def test_a_worker_is_found_by_passport_or_by_nik(
    bp2mi: Bp2miSandbox, records: TravelRecords
) -> None:
    placement = next(p for p in records.placements if p.nik and p.agency_name)
    by_passport = post(bp2mi.url + PLACEMENTS_PATH, {"passport_number": placement.passport_number})
    by_nik = post(bp2mi.url + PLACEMENTS_PATH, {"nik": placement.nik})
    assert by_passport.json() == by_nik.json()
    (found,) = by_nik.json()["placements"]
    assert found["employer"] == placement.employer
    assert found["agency_name"] == placement.agency_name
    assert found["contract_start"] == placement.contract_start.isoformat()
    assert found["country"] == placement.country


def test_an_unknown_worker_is_404_and_a_question_without_identifier_400(
    bp2mi: Bp2miSandbox,
) -> None:
    assert post(bp2mi.url + PLACEMENTS_PATH, {"nik": "3171010101900001"}).status_code == 404
    assert post(bp2mi.url + PLACEMENTS_PATH, {}).status_code == 400


def test_the_licence_list_has_revoked_agencies(bp2mi: Bp2miSandbox) -> None:
    bp2mi.enrol_agency(Agency("SIP3MI-99999", "PT Test Tercabut", LicenceStatus.REVOKED,
                              date(2026, 1, 5)))  # fmt: skip
    listed = post(bp2mi.url + AGENCIES_PATH, {}).json()["agencies"]
    assert {"licence": "SIP3MI-99999", "name": "PT Test Tercabut", "status": "revoked",
            "revoked_on": "2026-01-05"} in listed  # fmt: skip
    assert any(a["status"] == "active" for a in listed)


def test_an_enrolled_placement_and_a_fault(bp2mi: Bp2miSandbox) -> None:
    household = "Chan family (household)"
    bp2mi.enrol_placement(
        Placement("PMI-1", None, "Y1111111", household, None, None, "domestic_work", "HK",
                  date(2025, 1, 1), None)
    )  # fmt: skip
    bp2mi.faults.fail_next(1, FaultKind.ERROR, status=502)
    assert post(bp2mi.url + PLACEMENTS_PATH, {"passport_number": "Y1111111"}).status_code == 502
    answer = post(bp2mi.url + PLACEMENTS_PATH, {"passport_number": "Y1111111"}).json()
    assert answer["placements"][0]["agency_name"] is None
