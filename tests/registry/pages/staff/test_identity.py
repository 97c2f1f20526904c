"""The identity correction form: reached from the person screen by the person's post and
HQ, typed input kept with each problem at its field, the change audited and on the trail."""

from __future__ import annotations

import json
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.registry.models import Person
from peduli.web.i18n import LANGUAGE_COOKIE
from tests.factories import nik, report
from tests.web.officer_support import csrf, reported, signed_in_officer

FORM = {
    "full_name": "Muhammad Yusuf",
    "date_of_birth": "1990-05-17",
    "place_of_birth": "",
    "sex": "M",
}


def _save(client: TestClient, person_id: object, **changes: str) -> object:
    page = client.get(f"/officer/persons/{person_id}/identity")
    return client.post(
        f"/officer/persons/{person_id}/identity",
        data=FORM | changes | {"csrf_token": csrf(page.text)},
        follow_redirects=False,
    )


def test_an_officer_corrects_the_identity_from_the_person_screen(
    client: TestClient, db: Session
) -> None:
    client.cookies.set(LANGUAGE_COOKIE, "en")
    person_id = reported(db)
    signed_in_officer(client, db)
    screen = client.get(f"/officer/persons/{person_id}").text
    assert f'href="/officer/persons/{person_id}/identity"' in screen
    form = client.get(f"/officer/persons/{person_id}/identity")
    assert form.status_code == 200
    assert 'value="Muhammad Yusuf"' in form.text and 'value="1990-05-17"' in form.text
    answer = _save(client, person_id, full_name="Muhamad Yusuf", place_of_birth="Indramayu")
    assert answer.status_code == 303  # type: ignore[attr-defined]
    back = client.get(answer.headers["location"])  # type: ignore[attr-defined]
    assert "The identity is corrected" in back.text
    assert "Muhamad Yusuf" in back.text and "Indramayu" in back.text
    trail = back.text.split('id="trail-title"')[1]
    assert "Corrected the identity: Full name, Place of birth" in trail
    db.expire_all()
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "person.edit_identity")).one()
    assert json.loads(entry.fields) == ["full_name", "place_of_birth"]
    db.rollback()


def test_a_refused_correction_keeps_what_was_typed_with_the_problem_at_its_field(
    client: TestClient, db: Session
) -> None:
    client.cookies.set(LANGUAGE_COOKIE, "en")
    person_id = reported(db)
    signed_in_officer(client, db)
    typed = _save(client, person_id, full_name="Muhammad Yusuf bin Ali", date_of_birth="17/05/1990")
    assert typed.status_code == 422  # type: ignore[attr-defined]
    html = typed.text  # type: ignore[attr-defined]
    assert 'value="Muhammad Yusuf bin Ali"' in html and 'value="17/05/1990"' in html
    assert 'id="date_of_birth-error"' in html and "YYYY-MM-DD" in html
    mismatch = _save(client, person_id, full_name="Muhammad Yusuf bin Ali", sex="F")
    assert mismatch.status_code == 422  # type: ignore[attr-defined]
    assert 'id="sex-error"' in mismatch.text  # type: ignore[attr-defined]
    assert 'value="Muhammad Yusuf bin Ali"' in mismatch.text  # type: ignore[attr-defined]
    db.expire_all()
    assert db.scalar(select(Person.full_name).where(Person.id == person_id)) == "Muhammad Yusuf"
    db.rollback()


def test_the_problems_are_in_the_readers_language(client: TestClient, db: Session) -> None:
    client.cookies.set(LANGUAGE_COOKIE, "id")
    person_id = reported(db)
    signed_in_officer(client, db)
    answer = _save(client, person_id, full_name=" ", date_of_birth="kemarin")
    assert answer.status_code == 422  # type: ignore[attr-defined]
    html = answer.text  # type: ignore[attr-defined]
    assert "The full name cannot be empty." not in html
    assert 'id="full_name-error"' in html and 'id="date_of_birth-error"' in html


def test_another_post_gets_no_form_and_hq_does(client: TestClient, db: Session) -> None:
    client.cookies.set(LANGUAGE_COOKIE, "en")
    person_id = reported(db)
    signed_in_officer(client, db, "kl@example.org", Role.OFFICER, "kbri-kuala-lumpur")
    refused = client.get(f"/officer/persons/{person_id}/identity")
    assert refused.status_code == 403
    assert "Muhammad Yusuf" not in refused.text and 'name="full_name"' not in refused.text
    client.cookies.clear()
    client.cookies.set(LANGUAGE_COOKIE, "en")
    signed_in_officer(client, db, "admin@example.org", Role.HQ_ADMIN, None)
    assert _save(client, person_id, place_of_birth="Cirebon").status_code == 303  # type: ignore[attr-defined]


def test_a_nik_on_another_record_is_refused_at_its_field_with_the_way_forward(
    client: TestClient, db: Session
) -> None:
    client.cookies.set(LANGUAGE_COOKIE, "en")
    person_id = reported(db)
    taken = nik(born=date(1990, 5, 17), sex="M", serial=77)
    reported(db, nik=taken, passport_number="C7777777", full_name="Ahmad Dahlan")
    signed_in_officer(client, db)
    form = client.get(f"/officer/persons/{person_id}/identity").text
    assert f'value="{report().nik}"' in form  # the NIK is on the form, to correct
    answer = _save(client, person_id, nik=taken)
    assert answer.status_code == 422  # type: ignore[attr-defined]
    html = answer.text  # type: ignore[attr-defined]
    assert 'id="nik-error"' in html and "already on another record" in html
    assert "merge them" in html and f'value="{taken}"' in html
    queue = client.get("/officer/duplicates").text
    assert "Ahmad Dahlan" in queue  # the pair waits there, to merge


def test_the_officer_is_told_when_the_corrected_record_looks_like_another(
    client: TestClient, db: Session
) -> None:
    client.cookies.set(LANGUAGE_COOKIE, "en")
    reported(db)  # Muhammad Yusuf, born 1990-05-17
    twin = reported(db, nik=None, passport_number="C5555555", full_name="Siti Aminah")
    signed_in_officer(client, db)
    answer = _save(client, twin, full_name="Muhamad Yusuf")
    back = client.get(answer.headers["location"])  # type: ignore[attr-defined]
    assert "now looks like another one" in back.text
    assert 'href="/officer/duplicates"' in back.text
