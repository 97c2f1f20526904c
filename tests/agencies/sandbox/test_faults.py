"""The fault switch of the agency sandboxes: each mode, switched from Python and over HTTP
on the running sandbox (as ``peduli agencies fault`` does), and its token."""

from __future__ import annotations

import time

import httpx
import pytest
from typer.testing import CliRunner

from peduli.agencies.sandbox import SandboxUnreachable, switch_fault
from peduli.agencies.sandbox.civil_registry import CivilRegistrySandbox
from peduli.agencies.sandbox.faults import FaultMode, FaultSwitch
from peduli.cli.main import app


def test_a_counted_fault_hits_only_the_next_requests() -> None:
    switch = FaultSwitch()
    switch.switch_on(FaultMode.ERROR, count=2, status=502)
    assert [switch.decide().status for _ in range(3)] == [502, 502, None]


def test_a_maintenance_window_ends_by_itself() -> None:
    switch = FaultSwitch()
    switch.switch_on(FaultMode.MAINTENANCE, seconds=0.3)
    during = switch.decide()
    assert during.status == 503 and during.headers["Retry-After"] == "1"
    time.sleep(0.35)
    assert switch.decide().status is None
    assert switch.snapshot() == []


def test_the_rate_limit_refuses_beyond_its_requests_a_second() -> None:
    switch = FaultSwitch()
    switch.switch_on(FaultMode.RATE_LIMIT, limit=2)
    statuses = [switch.decide().status for _ in range(3)]
    assert statuses[:2] == [None, None] and statuses[2] in (429, None)  # a second may turn


def test_slow_and_malformed_answers() -> None:
    switch = FaultSwitch()
    switch.switch_on(FaultMode.SLOW, seconds=0.2)
    switch.switch_on(FaultMode.MALFORMED, count=1)
    first, second = switch.decide(), switch.decide()
    assert (first.delay, first.status, first.body) == (0.2, 200, "<html>Service Temporarily")
    assert (second.delay, second.status) == (0.2, None)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="rate"):
        FaultSwitch().switch_on(FaultMode.ERROR, rate=2.0)
    with pytest.raises(ValueError, match="earthquake"):
        FaultSwitch().switch_on("earthquake")


def test_faults_switch_over_http_with_the_token(civil_registry: CivilRegistrySandbox) -> None:
    on = switch_fault(civil_registry.url, token="sandbox", mode="maintenance", seconds=60)
    assert [f["mode"] for f in on] == ["maintenance"]
    answer = httpx.post(
        f"{civil_registry.url}/nik/verify",
        json={"nik": "1" * 16},
        headers={"Authorization": "Bearer sandbox", "X-Road-Purpose": "identity_verification",
                 "X-Road-Id": "m-1"},
    )  # fmt: skip
    assert answer.status_code == 503 and answer.json()["error"] == "maintenance"
    assert switch_fault(civil_registry.url, token="sandbox", mode=None, on=False) == []
    with pytest.raises(SandboxUnreachable):
        switch_fault(civil_registry.url, token="wrong", mode="slow")
    with pytest.raises(SandboxUnreachable):
        switch_fault(civil_registry.url, token="sandbox", mode="earthquake")


def test_the_sandbox_refuses_no_purpose_and_a_replay(civil_registry: CivilRegistrySandbox) -> None:
    headers = {"Authorization": "Bearer sandbox", "X-Road-Id": "m-2"}
    url = f"{civil_registry.url}/nik/verify"
    assert httpx.post(url, json={}, headers=headers).status_code == 400
    headers["X-Road-Purpose"] = "identity_verification"
    headers["X-Road-Id"] = "m-3"
    assert httpx.post(url, json={"nik": "1" * 16}, headers=headers).status_code == 200
    assert httpx.post(url, json={"nik": "1" * 16}, headers=headers).status_code == 409


def test_the_cli_switches_a_running_sandbox(civil_registry: CivilRegistrySandbox) -> None:
    runner = CliRunner()
    on = runner.invoke(app, ["agencies", "fault", "civil_registry", "maintenance"])
    assert on.exit_code == 0, on.output
    assert "faults now on: maintenance" in on.output
    assert civil_registry.faults.snapshot()[0]["mode"] == "maintenance"
    off = runner.invoke(app, ["agencies", "fault", "civil_registry", "--off"])
    assert off.exit_code == 0 and civil_registry.faults.snapshot() == []
    wrong = runner.invoke(app, ["agencies", "fault", "civil_registry", "earthquake"])
    assert wrong.exit_code != 0
