"""The immigration sandbox over real HTTP: status kinds, crossings, enrolment, faults."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from peduli.agencies.sandbox.immigration import (
    CROSSINGS_OPERATION,
    STATUS_OPERATION,
    ImmigrationSandbox,
)
from peduli.agencies.sandbox.travel_population import PassportRecord, PassportStatus
from tests.agencies.sandbox.conftest import envelope, post


def _status(sandbox: ImmigrationSandbox, body: object) -> httpx.Response:
    return post(f"{sandbox.url}/{STATUS_OPERATION}", body)


def test_the_demo_peoples_passports_have_each_status(immigration: ImmigrationSandbox) -> None:
    seen = set()
    for record in immigration.records.passports.values():
        answer = _status(immigration, {"passport_number": record.number}).json()
        seen.add(answer["status"])
        assert (answer["replaced_by"] is not None) == (answer["status"] == "replaced")
    assert seen == {s.value for s in PassportStatus}


def test_the_birth_date_is_matched_not_disclosed(immigration: ImmigrationSandbox) -> None:
    immigration.add(PassportRecord("Y1234567", date(1990, 5, 17), date(2024, 1, 2),
                                   date(2034, 1, 1), PassportStatus.VALID))  # fmt: skip
    ask = {"passport_number": "y1234567", "date_of_birth": "1990-05-17"}
    assert _status(immigration, ask).json()["date_of_birth_match"] is True
    wrong = _status(immigration, ask | {"date_of_birth": "1990-05-18"})
    assert wrong.json()["date_of_birth_match"] is False
    assert "1990-05-17" not in wrong.text


def test_an_unknown_passport_is_404(immigration: ImmigrationSandbox) -> None:
    answer = _status(immigration, {"passport_number": "Z0000000"})
    assert (answer.status_code, answer.json()) == (404, {"error": "not_found"})


def test_crossings_enrolled_over_http_are_answered_since_a_day(
    immigration: ImmigrationSandbox,
) -> None:
    now = datetime.now(UTC)
    record = {
        "passport": {"number": "Y7654321", "date_of_birth": "1990-01-01",
                     "issued_on": "2020-01-01", "expires_on": "2030-01-01"},
        "crossings": [
            {"at": (now - timedelta(days=10)).isoformat(), "direction": "exit", "port": "CGK",
             "country": "MY"},
            {"at": (now - timedelta(days=900)).isoformat(), "direction": "exit", "port": "SUB",
             "country": "SA"},
        ],
    }  # fmt: skip
    assert post(f"{immigration.url}/_sandbox/enrol", record).status_code == 201
    url = f"{immigration.url}/{CROSSINGS_OPERATION}"
    recent = post(url, {"passport_number": "Y7654321"}).json()["crossings"]
    assert [c["port"] for c in recent] == ["CGK"]
    since = (now - timedelta(days=1000)).date().isoformat()
    every = post(url, {"passport_number": "Y7654321", "since": since}).json()["crossings"]
    assert [c["port"] for c in every] == ["SUB", "CGK"]


def test_a_call_without_purpose_or_replayed_is_refused(immigration: ImmigrationSandbox) -> None:
    url, ask = f"{immigration.url}/{STATUS_OPERATION}", {"passport_number": "X0000001"}
    assert post(url, ask, **{"X-Road-Purpose": ""}).status_code == 400
    headers = envelope()
    assert httpx.post(url, json=ask, headers=headers).status_code == 404
    assert httpx.post(url, json=ask, headers=headers).status_code == 409
    assert httpx.post(url, json=ask).status_code == 401


@pytest.mark.parametrize(("mode", "status"), [("error", 503), ("malformed", 200)])
def test_a_fault_is_answered_then_service_resumes(
    immigration: ImmigrationSandbox, mode: str, status: int
) -> None:
    number = next(iter(immigration.records.passports))
    immigration.faults.switch_on(mode, count=1, status=503)
    failed = _status(immigration, {"passport_number": number})
    assert failed.status_code == status
    if mode == "malformed":
        assert not failed.text.startswith("{")
    assert _status(immigration, {"passport_number": number}).status_code == 200


def test_a_maintenance_window_switched_on_over_http(immigration: ImmigrationSandbox) -> None:
    number = next(iter(immigration.records.passports))
    switched = post(f"{immigration.url}/_sandbox/faults", {"mode": "maintenance", "seconds": 120})
    assert switched.status_code == 200
    answer = _status(immigration, {"passport_number": number})
    assert answer.status_code == 503
    assert 60 <= int(answer.headers["Retry-After"]) <= 120
    immigration.faults.switch_off()
    assert _status(immigration, {"passport_number": number}).status_code == 200
