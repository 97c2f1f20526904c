"""A person's cases and SOS calls on the person screen (served by the cases domain) and
"open a case" from there, with the person already chosen."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.cases.models import CasePerson
from tests.cases.conftest import open_case, staff_actor
from tests.cases.pages.staff.conftest import opened_case
from tests.web.officer_support import csrf, reported, signed_in_officer


def _sections(html: str) -> tuple[str, str]:
    sos, _, cases = html.partition("<h3>Cases</h3>")
    return sos, cases


def test_the_person_screen_lists_their_sos_calls_and_cases_of_my_post(
    client: TestClient, db: Session
) -> None:
    person_id = reported(db)
    walk_in = opened_case(db, person_id=str(person_id), summary="Walk-in about wages.")
    sos = opened_case(
        db, person_id=str(person_id), intake_channel="emergency", category="detention"
    )
    other = opened_case(db, summary="Someone else.")
    kl = staff_actor(db, Role.OFFICER, "kbri-kuala-lumpur", "kl-author")
    elsewhere = open_case(db, kl, person_id=person_id).reference
    db.commit()
    signed_in_officer(client, db)
    screen = client.get(f"/officer/persons/{person_id}").text
    assert f'hx-get="/officer/persons/{person_id}/cases"' in screen
    listed = client.get(f"/officer/persons/{person_id}/cases", headers={"HX-Request": "true"})
    assert listed.status_code == 200
    assert "<html" not in listed.text, "the list alone, for the screen to put in place"
    sos_part, cases_part = _sections(listed.text)
    assert sos.reference in sos_part and walk_in.reference not in sos_part
    assert walk_in.reference in cases_part and sos.reference not in cases_part
    assert other.reference not in listed.text and elsewhere not in listed.text
    assert "<html" in client.get(f"/officer/persons/{person_id}/cases").text, "a page without htmx"
    db.expire_all()
    trail = db.scalars(
        select(AuditEntry.action).where(AuditEntry.subject_person_id == person_id)
    ).all()
    db.rollback()
    assert "case.list_for_person" in trail


def test_a_person_without_cases_says_so(client: TestClient, db: Session) -> None:
    person_id = reported(db)
    signed_in_officer(client, db)
    listed = client.get(f"/officer/persons/{person_id}/cases", headers={"HX-Request": "true"})
    assert 'id="no-sos"' in listed.text and 'id="no-cases"' in listed.text


def test_open_a_case_from_the_person_screen_with_the_person_chosen(
    client: TestClient, db: Session
) -> None:
    person_id = reported(db)
    signed_in_officer(client, db)
    listed = client.get(f"/officer/persons/{person_id}/cases", headers={"HX-Request": "true"})
    link = re.search(r'id="open-case" href="([^"]+)"', listed.text)
    assert link
    form = client.get(link.group(1).replace("&amp;", "&"))
    assert form.status_code == 200
    assert re.search(rf'value="{person_id}" checked> Muhammad Yusuf', form.text)
    answer = client.post(
        "/officer/cases/new",
        data={
            "category": "labour",
            "summary": "Came to the embassy about unpaid wages.",
            "intake_channel": "walk_in",
            "person_id": str(person_id),
            "csrf_token": csrf(form.text),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    db.expire_all()
    linked = db.scalars(select(CasePerson.person_id)).all()
    db.rollback()
    assert linked == [person_id]


def test_a_person_out_of_reach_is_not_chosen_for_me(client: TestClient, db: Session) -> None:
    person_id = reported(db)
    signed_in_officer(client, db, "kl@example.org", Role.OFFICER, "kbri-kuala-lumpur")
    form = client.get(f"/officer/cases/new?person_id={person_id}")
    assert form.status_code == 200
    assert "Muhammad Yusuf" not in form.text and str(person_id) not in form.text
