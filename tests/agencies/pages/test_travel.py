"""The passport, crossings and placements panel of the person screen: what the worker stored,
shown to officers of the person's post (a read never calls an agency), audited; the agency
without licence flagged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.agencies import licences, travel, travel_records
from peduli.agencies.sandbox import AgencySandboxes
from peduli.agencies.sandbox.travel_population import Crossing, LicenceStatus, PassportStatus
from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.core.db import utcnow
from peduli.web.i18n import LANGUAGE_COOKIE
from tests.agencies.travel_helpers import (
    QUESTION,
    agency,
    bp2mi_of,
    immigration_of,
    passport,
    placement,
    worker_in_kuala_lumpur,
)
from tests.factories import staff
from tests.web.officer_support import signed_in_officer

HTMX = {"HX-Request": "true"}
KL = "kbri-kuala-lumpur"


@pytest.fixture(autouse=True)
def english(client: TestClient) -> None:
    client.cookies.set(LANGUAGE_COOKIE, "en")


def _fetched(db: Session, agencies: AgencySandboxes) -> object:
    """A worker whose passport was reported lost, placed by an agency whose licence was
    revoked; the worker's checks and the licence refresh have run."""
    immigration_of(agencies).add(
        passport("Y3000001", PassportStatus.LOST),
        [Crossing("Y3000001", datetime.now(UTC) - timedelta(days=30), "exit", "CGK", "MY")],
    )
    bp2mi = bp2mi_of(agencies)
    bp2mi.add_placement(placement("Y3000001", agency="PT Sinar Jaya Abadi",
                                  licence="SIP3MI-00001"))  # fmt: skip
    bp2mi.add_agency(agency("SIP3MI-00001", "PT Sinar Jaya Abadi", LicenceStatus.REVOKED))
    person_id = worker_in_kuala_lumpur(db, passport="Y3000001")
    travel.check_passport(db, person_id=person_id, question=QUESTION)
    travel.check_placements(db, person_id=person_id, question=QUESTION)
    licences.refresh(db, utcnow())
    db.commit()
    return person_id


def test_officers_of_the_post_see_what_the_agencies_said_without_a_call(
    client: TestClient, db: Session, agencies: AgencySandboxes
) -> None:
    person_id = _fetched(db, agencies)
    signed_in_officer(client, db, representation_code=KL)
    screen = client.get(f"/officer/persons/{person_id}").text
    assert f'hx-get="/officer/persons/{person_id}/travel"' in screen
    asked = sum(len(agencies[a].received) for a in ("immigration", "bp2mi"))
    panel = client.get(f"/officer/persons/{person_id}/travel", headers=HTMX)
    assert panel.status_code == 200
    assert "<html" not in panel.text
    assert sum(len(agencies[a].received) for a in ("immigration", "bp2mi")) == asked
    assert "Reported lost" in panel.text
    assert "Left Indonesia" in panel.text and "CGK" in panel.text
    assert "Tan family (household)" in panel.text
    assert "PT Sinar Jaya Abadi" in panel.text and "licence revoked" in panel.text
    assert 'id="unlicensed-agency"' in panel.text
    assert "<html" in client.get(f"/officer/persons/{person_id}/travel").text
    db.expire_all()
    trail = db.scalars(
        select(AuditEntry.action).where(AuditEntry.subject_person_id == person_id)
    ).all()
    db.rollback()
    assert "agencies.travel.read" in trail


def test_a_person_not_checked_yet_says_so(client: TestClient, db: Session) -> None:
    person_id = worker_in_kuala_lumpur(db, passport="Y3000002")
    signed_in_officer(client, db, representation_code=KL)
    panel = client.get(f"/officer/persons/{person_id}/travel", headers=HTMX).text
    for empty in ("no-passport-status", "no-crossings", "no-placements"):
        assert f'id="{empty}"' in panel
    assert 'id="unlicensed-agency"' not in panel, "no list fetched: no agency judged"


def test_another_posts_officer_and_an_analyst_are_refused_and_audited(
    client: TestClient, db: Session, agencies: AgencySandboxes
) -> None:
    person_id = _fetched(db, agencies)
    signed_in_officer(client, db, email="seoul@example.org", representation_code="kbri-seoul")
    refused = client.get(f"/officer/persons/{person_id}/travel", headers=HTMX)
    assert refused.status_code == 403
    assert "Reported lost" not in refused.text
    db.expire_all()
    denied = db.scalars(
        select(AuditEntry.outcome).where(
            AuditEntry.subject_person_id == person_id, AuditEntry.action == "agencies.travel.read"
        )
    ).all()
    db.rollback()
    assert denied == ["denied"]
    client.cookies.clear()
    client.cookies.set(LANGUAGE_COOKIE, "en")
    signed_in_officer(client, db, email="analyst@example.org", role=Role.HQ_ANALYST,
                      representation_code=None)  # fmt: skip
    assert client.get(f"/officer/persons/{person_id}/travel").status_code == 403


def test_an_hq_admin_reads_any_post(
    client: TestClient, db: Session, agencies: AgencySandboxes
) -> None:
    person_id = _fetched(db, agencies)
    signed_in_officer(client, db, email="hq@example.org", role=Role.HQ_ADMIN,
                      representation_code=None)  # fmt: skip
    assert "Reported lost" in client.get(f"/officer/persons/{person_id}/travel").text


def test_a_worker_placed_without_an_agency_is_not_flagged(
    db: Session, agencies: AgencySandboxes
) -> None:
    bp2mi = bp2mi_of(agencies)
    bp2mi.add_placement(placement("Y3000003"))
    bp2mi.add_agency(agency("SIP3MI-00001", "PT Sinar Jaya Abadi"))
    person_id = worker_in_kuala_lumpur(db, passport="Y3000003")
    travel.check_placements(db, person_id=person_id, question=QUESTION)
    licences.refresh(db, utcnow())
    view = travel_records.travel_of(db, actor=staff(representation_code=KL), person_id=person_id)
    (placed,) = view.placements
    assert placed.licence is None and not view.unlicensed
