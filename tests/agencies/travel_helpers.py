"""People and agency records for the immigration and BP2MI tests."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from peduli.agencies.envelope import Purpose
from peduli.agencies.immigration import Question
from peduli.agencies.sandbox import AgencySandboxes
from peduli.agencies.sandbox.bp2mi import Bp2miSandbox
from peduli.agencies.sandbox.immigration import ImmigrationSandbox
from peduli.agencies.sandbox.travel_population import (
    Agency,
    LicenceStatus,
    PassportRecord,
    PassportStatus,
    Placement,
)
from peduli.registry import service
from peduli.registry.service import SelfReportOutcome
from tests.factories import KUALA_LUMPUR, nik, report, staff

BORN = date(1990, 5, 17)
QUESTION = Question(Purpose.CONSULAR_SERVICE, "test", "worker")


def immigration_of(agencies: AgencySandboxes) -> ImmigrationSandbox:
    server = agencies["immigration"]
    assert isinstance(server, ImmigrationSandbox)
    return server


def bp2mi_of(agencies: AgencySandboxes) -> Bp2miSandbox:
    server = agencies["bp2mi"]
    assert isinstance(server, Bp2miSandbox)
    return server


def worker_in_kuala_lumpur(db: Session, *, passport: str, serial: int = 1,
                           **overrides: Any) -> uuid.UUID:  # fmt: skip
    """A domestic worker in Kuala Lumpur, reported by the post's officer."""
    values: dict[str, Any] = {
        "nik": nik(born=BORN, sex="F", serial=serial), "passport_number": passport,
        "full_name": "Siti Aminah", "sex": "F", "date_of_birth": BORN,
        "phone": f"+6012345{serial:04d}", "email": None, **KUALA_LUMPUR,
        "address": "Jalan Ampang 5", "sector": "domestic_work",
        "employer": "Tan family (household)", "placement_agency": "PT Sinar Jaya Abadi",
        **overrides,
    }  # fmt: skip
    outcome = service.submit_self_report(
        db, report=report(**values), actor=staff(representation_code="kbri-kuala-lumpur")
    )
    assert isinstance(outcome, SelfReportOutcome)
    db.commit()
    return outcome.person.id


def passport(number: str, status: PassportStatus = PassportStatus.VALID, *,
             born: date = BORN, replaced_by: str | None = None) -> PassportRecord:  # fmt: skip
    return PassportRecord(number, born, date(2022, 1, 3), date(2032, 1, 2), status,
                          date(2026, 6, 1) if status != PassportStatus.VALID else None,
                          replaced_by)  # fmt: skip


def placement(passport_number: str, *, country: str = "MY", agency: str | None = None,
              licence: str | None = None) -> Placement:  # fmt: skip
    return Placement(f"PMI-{passport_number}", None, passport_number, "Tan family (household)",
                     licence, agency, "domestic_work", country, date(2024, 3, 1),
                     date(2026, 3, 1))  # fmt: skip


def agency(licence: str, name: str, status: LicenceStatus = LicenceStatus.ACTIVE) -> Agency:
    revoked = date(2026, 2, 1) if status == LicenceStatus.REVOKED else None
    return Agency(licence, name, status, revoked)
