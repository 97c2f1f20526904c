"""The immigration sandbox over real HTTP: statuses, crossings, the envelope, faults."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from peduli.agencies.sandbox.immigration import CROSSINGS_PATH, STATUS_PATH, ImmigrationSandbox
from peduli.agencies.sandbox.travel_population import (
    Crossing,
    PassportRecord,
    PassportStatus,
    TravelRecords,
)
from peduli.agencies.sandbox.travel_server import FAULTS_PATH, FaultKind
from tests.agencies.sandbox.conftest import envelope, post


def test_each_status_kind_is_answered(
    immigration: ImmigrationSandbox, records: TravelRecords
) -> None:
    for status in PassportStatus:
        record = next(p for p in records.passports.values() if p.status == status)
        answer = post(immigration.url + STATUS_PATH, {"passport_number": record.number}).json()
        assert answer["status"] == status.value
        assert (answer["replaced_by"] is not None) == (status == PassportStatus.REPLACED)


def test_the_birth_date_is_matched_not_disclosed(immigration: ImmigrationSandbox) -> None:
    born = date(1990, 5, 17)
    immigration.enrol_passport(PassportRecord("Y1234567", born, date(2024, 1, 2),
                                              date(2034, 1, 1), PassportStatus.VALID))  # fmt: skip
    ask = {"passport_number": "y1234567", "date_of_birth": "1990-05-17"}
    assert post(immigration.url + STATUS_PATH, ask).json()["date_of_birth_match"] is True
    wrong = post(immigration.url + STATUS_PATH, ask | {"date_of_birth": "1990-05-18"}).json()
    assert wrong["date_of_birth_match"] is False
    assert "1990-05-17" not in str(wrong)


def test_an_unknown_passport_is_404(immigration: ImmigrationSandbox) -> None:
    answer = post(immigration.url + STATUS_PATH, {"passport_number": "Z0000000"})
    assert (answer.status_code, answer.json()) == (404, {"error": "not_found"})


def test_crossings_since_a_day_newest_last(immigration: ImmigrationSandbox) -> None:
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=900), now - timedelta(days=10)
    immigration.enrol_passport(
        PassportRecord("Y7654321", date(1990, 1, 1), date(2020, 1, 1), date(2030, 1, 1),
                       PassportStatus.VALID),
        [Crossing("Y7654321", recent, "exit", "CGK", "MY"),
         Crossing("Y7654321", old, "exit", "SUB", "SA")],
    )  # fmt: skip
    answer = post(immigration.url + CROSSINGS_PATH, {"passport_number": "Y7654321"}).json()
    assert [c["port"] for c in answer["crossings"]] == ["CGK"]
    since = (now - timedelta(days=1000)).date().isoformat()
    ask = {"passport_number": "Y7654321", "since": since}
    assert [c["port"] for c in post(immigration.url + CROSSINGS_PATH, ask).json()["crossings"]] == [
        "SUB", "CGK"
    ]  # fmt: skip


def test_a_call_without_purpose_or_replayed_is_refused(immigration: ImmigrationSandbox) -> None:
    ask = {"passport_number": "X0000001"}
    assert post(immigration.url + STATUS_PATH, ask, **{"X-Road-Purpose": ""}).status_code == 400
    headers = envelope()
    first = httpx.post(immigration.url + STATUS_PATH, json=ask, headers=headers)
    again = httpx.post(immigration.url + STATUS_PATH, json=ask, headers=headers)
    assert first.status_code == 404
    assert (again.status_code, again.json()["error"]) == (400, "replayed_message")
    bare = httpx.post(immigration.url + STATUS_PATH, json=ask)
    assert bare.status_code == 401


@pytest.mark.parametrize(
    ("kind", "status"),
    [(FaultKind.ERROR, 503), (FaultKind.RATE_LIMIT, 429), (FaultKind.MALFORMED, 200)],
)
def test_faults_are_answered_then_normal_service_resumes(
    immigration: ImmigrationSandbox, records: TravelRecords, kind: FaultKind, status: int
) -> None:
    number = next(iter(records.passports))
    immigration.faults.fail_next(1, kind)
    failed = post(immigration.url + STATUS_PATH, {"passport_number": number})
    assert failed.status_code == status
    if kind == FaultKind.RATE_LIMIT:
        assert failed.headers["Retry-After"] == "30"
    if kind == FaultKind.MALFORMED:
        assert failed.content == b'{"status": "val'
    assert post(immigration.url + STATUS_PATH, {"passport_number": number}).status_code == 200


def test_a_maintenance_window_switched_on_over_http(
    immigration: ImmigrationSandbox, records: TravelRecords
) -> None:
    number = next(iter(records.passports))
    switched = post(immigration.url + FAULTS_PATH, {"kind": "maintenance", "minutes": 2})
    assert switched.status_code == 200
    answer = post(immigration.url + STATUS_PATH, {"passport_number": number})
    assert answer.status_code == 503
    assert answer.json()["error"] == "maintenance"
    assert 60 <= int(answer.headers["Retry-After"]) <= 120
    post(immigration.url + FAULTS_PATH, {"kind": "clear"})
    assert post(immigration.url + STATUS_PATH, {"passport_number": number}).status_code == 200


def test_a_slow_answer_comes_late(immigration: ImmigrationSandbox, records: TravelRecords) -> None:
    number = next(iter(records.passports))
    immigration.faults.slow(0.5)
    started = time.perf_counter()
    with pytest.raises(httpx.TimeoutException):
        httpx.post(immigration.url + STATUS_PATH, json={"passport_number": number},
                   headers=envelope(), timeout=0.2)  # fmt: skip
    assert time.perf_counter() - started < 0.5
    immigration.faults.clear()
