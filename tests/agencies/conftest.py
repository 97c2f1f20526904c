"""Fixtures of the agencies tests: the real sandbox civil registry on a free port, the
settings pointed at it, and a few residents enrolled."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from peduli.agencies.sandbox import SANDBOXES, AgencySandboxes, start_agency_sandboxes
from peduli.agencies.sandbox.civil_registry import CivilRecord, CivilRegistrySandbox
from peduli.core.config import get_settings

SITI = CivilRecord(
    nik="3201014506900001",
    full_name="Siti Nurhaliza binti Ahmad",
    date_of_birth="1990-06-05",
    place_of_birth="Bogor",
    sex="F",
    mother_name="Aminah Rahayu",
)
LATE = CivilRecord(
    nik="3273010101700002",
    full_name="Bambang Suharto",
    date_of_birth="1970-01-01",
    place_of_birth="Bandung",
    sex="M",
    mother_name="Sri Wahyuni",
    alive=False,
)


@pytest.fixture
def agencies(clean_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[AgencySandboxes]:
    """The agency sandboxes on free ports, known to the settings, with SITI and LATE."""
    handles = start_agency_sandboxes(ports=dict.fromkeys(SANDBOXES, 0), residents=())
    registry = handles["civil_registry"]
    assert isinstance(registry, CivilRegistrySandbox)
    registry.add(SITI)
    registry.add(LATE)
    for agency, url in handles.urls().items():
        monkeypatch.setenv(f"PEDULI_AGENCY_{agency.upper()}_URL", url)
    monkeypatch.setenv("PEDULI_AGENCY_TIMEOUT_SECONDS", "0.5")
    monkeypatch.setenv("PEDULI_AGENCY_BREAKER_FAILURES", "2")
    monkeypatch.setenv("PEDULI_AGENCY_BREAKER_OPEN_SECONDS", "0.5")
    get_settings.cache_clear()
    yield handles
    handles.stop()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def civil_registry(agencies: AgencySandboxes) -> CivilRegistrySandbox:
    server = agencies["civil_registry"]
    assert isinstance(server, CivilRegistrySandbox)
    return server


from tests.agencies.exports import data_dir  # noqa: E402, F401  (uploads in a fresh directory)
