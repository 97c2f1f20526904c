"""Officers' agency pages: a person's checks with the form that queues one, and the work
queue's tab of checks that need an officer, in the reader's language."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.agencies import verification
from peduli.agencies.models import PersonVerification
from peduli.agencies.sandbox.civil_registry import CivilRecord, CivilRegistrySandbox
from peduli.core.db import get_sessionmaker, utcnow
from tests.factories import nik
from tests.web.officer_support import HTML, post_form, reported, signed_in_officer


def _turn(db: Session) -> None:
    db.rollback()
    now = utcnow()
    verification.run_due(get_sessionmaker(), now, since=now - timedelta(days=1))


def _enrol(sandbox: CivilRegistrySandbox, place: str = "Bogor") -> None:
    sandbox.add(
        CivilRecord(
            nik=nik(), full_name="Muhammad Yusuf", date_of_birth="1990-05-17",
            place_of_birth=place, sex="M", mother_name="Sri Wahyuni",
        )
    )  # fmt: skip


def test_the_person_screen_shows_the_check_and_queues_another(
    client: TestClient, db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    _enrol(civil_registry)
    person = reported(db, place_of_birth="Bogor")
    _turn(db)
    signed_in_officer(client, db)
    screen = client.get(f"/officer/persons/{person}", headers=HTML)
    assert f'hx-get="/officer/persons/{person}/verifications"' in screen.text
    page = f"/officer/persons/{person}/verifications"
    english = client.get(page + "?lang=en", headers=HTML)
    assert english.status_code == 200
    assert "Civil registry (Dukcapil)" in english.text and "verified" in english.text
    indonesian = client.get(page + "?lang=id", headers={**HTML, "HX-Request": "true"})
    assert "terverifikasi" in indonesian.text
    assert "<html" not in indonesian.text  # the list alone, for the person screen
    refused = post_form(client, page, {"purpose": "protection_case", "cause": ""}, page)
    assert refused.status_code == 422
    assert "Sebutkan kasus atau permohonan" in refused.text  # the reader chose Indonesian
    queued = post_form(client, page, {"purpose": "protection_case", "cause": "case 7"}, page)
    assert queued.status_code == 303
    db.expire_all()
    check = db.scalars(
        select(PersonVerification).where(PersonVerification.source == "civil_registry")
    ).one()  # immigration and BP2MI were asked about the new worker too
    assert (check.purpose, check.cause, check.due_at is not None) == (
        "protection_case", "case 7", True,
    )  # fmt: skip


def test_a_mismatch_is_in_the_agency_checks_tab_of_its_post_only(
    client: TestClient, db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    _enrol(civil_registry, place="Jakarta")
    reported(db, place_of_birth="Bogor")
    _turn(db)
    signed_in_officer(client, db)
    tab = client.get("/officer/agency-checks?lang=en", headers=HTML)
    assert tab.status_code == 200
    assert "Muhammad Yusuf" in tab.text and "on: place of birth" in tab.text
    queue = client.get("/officer?lang=en", headers=HTML)
    assert 'href="/officer/agency-checks"' in queue.text
    client.cookies.clear()
    signed_in_officer(client, db, email="kl@example.org", representation_code="kbri-kuala-lumpur")
    other = client.get("/officer/agency-checks?lang=en", headers=HTML)
    assert "Muhammad Yusuf" not in other.text
