"""The two sandboxes really listening on free ports, over a small slice of the demo's people."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from peduli.agencies.sandbox import travel_population as population
from peduli.agencies.sandbox.bp2mi import Bp2miSandbox, start_bp2mi_sandbox
from peduli.agencies.sandbox.immigration import ImmigrationSandbox, start_immigration_sandbox
from peduli.agencies.sandbox.travel_population import TravelRecords


@pytest.fixture(scope="module")
def records() -> TravelRecords:
    return population.build(seed=2026, size=300, today=date.today())


@pytest.fixture
def immigration(records: TravelRecords) -> Iterator[ImmigrationSandbox]:
    sandbox = start_immigration_sandbox(records=records)
    yield sandbox
    sandbox.stop()


@pytest.fixture
def bp2mi(records: TravelRecords) -> Iterator[Bp2miSandbox]:
    sandbox = start_bp2mi_sandbox(records=records)
    yield sandbox
    sandbox.stop()


def envelope(**overrides: str) -> dict[str, str]:
    """The headers the gateway sends: the token and an X-Road envelope with a fresh id."""
    headers = {
        "Authorization": "Bearer sandbox",
        "X-Road-Id": str(uuid.uuid4()),
        "X-Road-Client": "ID-GOV/KEMLU/PEDULI",
        "X-Road-UserId": "test",
        "X-Road-Purpose": "consular_service",
        "X-Road-Issue": "test",
    }
    return headers | overrides


def post(url: str, body: object, **headers: str) -> httpx.Response:
    return httpx.post(url, json=body, headers=envelope(**headers), timeout=5.0)
