"""The BP2MI sandbox over real HTTP: placements by NIK or passport, the licence list."""

from __future__ import annotations

from peduli.agencies.sandbox.bp2mi import AGENCIES_OPERATION, PLACEMENTS_OPERATION, Bp2miSandbox
from tests.agencies.sandbox.conftest import post


def test_a_worker_is_found_by_passport_or_by_nik(bp2mi: Bp2miSandbox) -> None:
    placement = next(p for p in bp2mi.records.placements if p.nik and p.agency_name)
    url = f"{bp2mi.url}/{PLACEMENTS_OPERATION}"
    by_passport = post(url, {"passport_number": placement.passport_number}).json()
    by_nik = post(url, {"nik": placement.nik}).json()
    assert by_passport == by_nik
    (found,) = by_nik["placements"]
    assert found["employer"] == placement.employer
    assert found["agency_name"] == placement.agency_name
    assert found["contract_start"] == placement.contract_start.isoformat()
    assert found["country"] == placement.country


def test_an_unknown_worker_is_404_and_no_identifier_400(bp2mi: Bp2miSandbox) -> None:
    url = f"{bp2mi.url}/{PLACEMENTS_OPERATION}"
    assert post(url, {"nik": "3171010101900001"}).status_code == 404
    assert post(url, {}).status_code == 400


def test_the_licence_list_with_an_enrolled_revoked_agency(bp2mi: Bp2miSandbox) -> None:
    agency = {"licence": "SIP3MI-99999", "name": "PT Test Tercabut", "status": "revoked",
              "revoked_on": "2026-01-05"}  # fmt: skip
    assert post(f"{bp2mi.url}/_sandbox/enrol", {"agency": agency}).status_code == 201
    listed = post(f"{bp2mi.url}/{AGENCIES_OPERATION}", {}).json()["agencies"]
    assert agency in listed
    assert any(a["status"] == "active" for a in listed)


def test_an_enrolled_placement_after_a_rate_limit(bp2mi: Bp2miSandbox) -> None:
    placement = {"placement_id": "PMI-1", "passport_number": "Y1111111",
                 "employer": "Chan family (household)", "sector": "domestic_work",
                 "country": "HK", "contract_start": "2025-01-01"}  # fmt: skip
    assert post(f"{bp2mi.url}/_sandbox/enrol", {"placement": placement}).status_code == 201
    url = f"{bp2mi.url}/{PLACEMENTS_OPERATION}"
    bp2mi.faults.switch_on("rate_limit", limit=1)
    answers = [post(url, {"passport_number": "Y1111111"}) for _ in range(3)]
    assert 429 in [a.status_code for a in answers]
    bp2mi.faults.switch_off()
    found = post(url, {"passport_number": "Y1111111"}).json()["placements"]
    assert found[0]["agency_name"] is None
