"""Officers' emergency pages: the hotline-call form, acknowledging, the roster."""

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
from tests.emergency.pages.sos_form import send_sos_form as _send
from tests.outbox import recipients
from tests.web.officer_support import HTML, csrf, make_staff, sign_in, signed_in_officer


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
