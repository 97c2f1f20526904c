"""The SOS page works as a plain HTML form post; officers' emergency pages and roster."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.models import StaffAccount
from peduli.cases.models import Case, CaseEvent
from peduli.core.db import utcnow
from peduli.emergency import roster
from peduli.emergency.models import DutyShift, Emergency
from tests.emergency.conftest import SEOUL, sos
from tests.outbox import recipients
from tests.web.officer_support import HTML, csrf, make_staff, sign_in, signed_in_officer


def _send(client: TestClient, lang: str = "id", **fields: str | None) -> object:
    page = client.get(f"/sos?lang={lang}", headers=HTML)
    assert page.status_code == 200
    data = {k: v for k, v in sos(**fields).items() if v is not None}
    return client.post("/sos", data={**data, "csrf_token": csrf(page.text)}, headers=HTML)


def test_the_sos_form_posted_without_javascript_opens_a_critical_case(
    client: TestClient, db: Session
) -> None:
    answer = _send(client, lang="en")
    assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
    case = db.scalars(select(Case)).one()
    assert (case.priority, case.representation_code) == ("critical", SEOUL)
    assert case.reference in answer.text  # type: ignore[attr-defined]
    assert "What happens next" in answer.text  # type: ignore[attr-defined]


def test_the_page_is_small_and_speaks_indonesian_by_default(client: TestClient) -> None:
    page = client.get("/sos")
    assert page.status_code == 200
    assert 'lang="id"' in page.text and "Kirim SOS sekarang" in page.text
    assert len(page.content) < 60_000, "the SOS page must stay light"
    assert "/static/emergency/sos.js" in page.text
    script = client.get("/static/emergency/sos.js")
    assert script.status_code == 200 and len(script.content) < 2_000


def test_problems_are_shown_next_to_their_fields(client: TestClient, db: Session) -> None:
    answer = _send(client, lang="en", phone=None, country=None, name="")
    assert answer.status_code == 422  # type: ignore[attr-defined]
    text = answer.text  # type: ignore[attr-defined]
    assert 'id="phone-error"' in text and "call you back" in text
    assert "Tell us which country you are in" in text
    assert 'aria-invalid="true"' in text
    assert db.scalars(select(Case)).all() == []


def test_a_forged_form_without_the_cookie_token_is_refused(client: TestClient) -> None:
    answer = client.post("/sos", data=sos(), headers=HTML)
    assert answer.status_code == 403
    assert "Siti Aminah" in answer.text, "what was typed is kept"


def test_pressing_send_twice_gives_the_same_reference(client: TestClient, db: Session) -> None:
    first, second = _send(client), _send(client)
    assert first.status_code == second.status_code == 200  # type: ignore[attr-defined]
    assert len(db.scalars(select(Emergency)).all()) == 1


def test_an_officer_records_a_hotline_call(client: TestClient, db: Session) -> None:
    signed_in_officer(client, db)
    form = client.get("/officer/emergencies/new", headers=HTML)
    data = sos(call_notes="Caller hiding in a bathroom.")
    answer = client.post("/officer/emergencies/new", data={**data, "csrf_token": csrf(form.text)})
    assert answer.status_code == 201, answer.text
    case = db.scalars(select(Case)).one()
    kinds = set(db.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)))
    assert "call" in kinds and case.intake_channel == "emergency"


def test_the_officer_sees_and_acknowledges_the_emergencies_of_the_post(
    client: TestClient, db: Session
) -> None:
    _send(client)
    client.cookies.clear()
    _send(client, country="MY", city="Kuala Lumpur", phone="+60123456789")
    client.cookies.clear()
    signed_in_officer(client, db)
    listing = client.get("/officer/emergencies", headers=HTML)
    seoul, kl = (
        db.scalars(select(Emergency).where(Emergency.representation_code == code)).one()
        for code in (SEOUL, "kbri-kuala-lumpur")
    )
    db.commit()  # SQLite: a reading transaction would hold the write lock
    assert seoul.case_reference in listing.text and kl.case_reference not in listing.text
    done = client.post(
        f"/officer/emergencies/{seoul.id}/acknowledge",
        data={"csrf_token": csrf(listing.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    db.refresh(seoul)
    assert seoul.acknowledged_at is not None
    db.commit()
    refused = client.post(
        f"/officer/emergencies/{kl.id}/acknowledge", data={"csrf_token": csrf(listing.text)}
    )
    assert refused.status_code == 404


def test_hq_sees_every_unacknowledged_emergency(client: TestClient, db: Session) -> None:
    _send(client)
    client.cookies.clear()
    _send(client, country="MY", city="Kuala Lumpur", phone="+60123456789")
    client.cookies.clear()
    signed_in_officer(client, db, "admin@example.org", Role.HQ_ADMIN, None)
    listing = client.get("/officer/emergencies", headers=HTML)
    for emergency in db.scalars(select(Emergency)):
        assert emergency.case_reference in listing.text


def test_a_supervisor_adds_a_night_shift_on_the_roster_page(
    client: TestClient, db: Session
) -> None:
    make_staff(db, "officer@example.org")
    sign_in(client, "boss@example.org", make_staff(db, "boss@example.org", Role.SUPERVISOR))
    page = client.get("/officer/roster", headers=HTML)
    assert page.status_code == 200 and "Asia/Seoul" in page.text
    officer_id = db.scalar(
        select(StaffAccount.id).where(StaffAccount.email == "officer@example.org")
    )
    db.commit()
    now_local = roster.to_local(utcnow(), roster.zone_of(SEOUL))
    answer = client.post(
        "/officer/roster",
        data={
            "csrf_token": csrf(page.text),
            "account_id": str(officer_id),
            "day": (now_local - timedelta(hours=2)).strftime("%Y-%m-%d"),
            "start": (now_local - timedelta(hours=2)).strftime("%H:%M"),
            "end": (now_local - timedelta(hours=3)).strftime("%H:%M"),
            "rank": "0",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    shift = db.scalars(select(DutyShift)).one()
    assert shift.ends_local - shift.starts_local == timedelta(hours=23)
    db.commit()
    assert "(primary)" in client.get("/officer/roster?lang=en", headers=HTML).text
    client.cookies.clear()
    _send(client)
    assert "officer@example.org" in set(recipients(db))


def test_pages_send_signed_out_readers_to_sign_in(client: TestClient) -> None:
    for path in ("/officer/emergencies", "/officer/emergencies/new", "/officer/roster"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and "sign-in" in answer.headers["location"]


def test_a_refused_new_sos_still_gives_the_hotline(client: TestClient) -> None:
    from peduli.emergency import service

    for n in range(service.PER_IP_PER_HOUR):
        assert _send(client, phone=f"+8210222200{n:02d}").status_code == 200  # type: ignore[attr-defined]
    refused = _send(client, lang="en", phone="+821022220099")
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert "KBRI Seoul" in refused.text  # type: ignore[attr-defined]
