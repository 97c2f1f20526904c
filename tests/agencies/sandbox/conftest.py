"""The immigration and BP2MI sandboxes really listening on free ports, over a slice of the
demo's people."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from peduli.agencies.sandbox.bp2mi import Bp2miSandbox
from peduli.agencies.sandbox.immigration import ImmigrationSandbox
from peduli.agencies.sandbox.population import Resident, residents

SLICE = 300


@pytest.fixture(scope="module")
def people() -> tuple[Resident, ...]:
    return tuple(residents(seed=2026, count=SLICE))


@pytest.fixture
def immigration(people: tuple[Resident, ...]) -> Iterator[ImmigrationSandbox]:
    sandbox = ImmigrationSandbox(residents=people)
    sandbox.start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def bp2mi(people: tuple[Resident, ...]) -> Iterator[Bp2miSandbox]:
    sandbox = Bp2miSandbox(residents=people)
    sandbox.start()
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
