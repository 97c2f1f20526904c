"""Officers' emergency pages: the hotline-call form, acknowledging, the roster."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.auth.audit import AuditEntry
from peduli.auth.models import StaffAccount
from peduli.cases.models import Case, CaseEvent
from peduli.core.db import utcnow
from peduli.emergency import roster, service
from peduli.emergency.models import DutyShift, Emergency
from peduli.emergency.schemas import EmergencyCreate
from tests.emergency.conftest import SEOUL, sos
from tests.emergency.pages.sos_form import send_sos_form as _send
from tests.outbox import recipients
from tests.web.officer_support import (
    HTML,
    csrf,
    make_staff,
    reported,
    sign_in,
    signed_in_officer,
)


def test_an_officer_records_a_hotline_call(client: TestClient, db: Session) -> None:
    signed_in_officer(client, db)
    form = client.get("/officer/emergencies/new", headers=HTML)
    data = sos(call_notes="Caller hiding in a bathroom.", language="fr")
    answer = client.post("/officer/emergencies/new", data={**data, "csrf_token": csrf(form.text)})
    assert answer.status_code == 201, answer.text
    case = db.scalars(select(Case)).one()
    kinds = set(db.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)))
    assert "call" in kinds and case.intake_channel == "emergency"
    assert db.scalars(select(Emergency.caller_language)).one() == "fr"


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


def _officer_id(db: Session, email: str = "officer@example.org") -> object:
    found = db.scalar(select(StaffAccount.id).where(StaffAccount.email == email))
    db.commit()
    return found


def test_the_list_and_the_screen_say_who_and_where_and_acknowledging_opens_the_case(
    client: TestClient, db: Session
) -> None:
    _send(client, lang="fr")  # asked for help on the French page
    client.cookies.clear()
    signed_in_officer(client, db)
    emergency = db.scalars(select(Emergency)).one()
    db.commit()
    listing = client.get("/officer/emergencies?lang=en", headers=HTML).text
    screen = client.get(f"/officer/emergencies/{emergency.id}?lang=en", headers=HTML)
    assert screen.status_code == 200
    for page in (listing, screen.text):
        for said in ("Siti Aminah", 'href="tel:+821012345678"', "Ansan, South Korea", "French",
                     "KBRI Seoul", "violence or threats"):  # fmt: skip
            assert said in page, said
        assert ">kbri-seoul<" not in page and ">violence<" not in page
    assert f'href="/officer/emergencies/{emergency.id}"' in listing
    in_indonesian = client.get(f"/officer/emergencies/{emergency.id}?lang=id", headers=HTML).text
    assert "Korea Selatan" in in_indonesian and "kekerasan atau ancaman" in in_indonesian
    done = client.post(
        f"/officer/emergencies/{emergency.id}/acknowledge",
        data={"csrf_token": csrf(screen.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/officer/cases/{emergency.case_id}?done=acknowledged"
    case = db.get_one(Case, emergency.case_id)
    assert case.assigned_officer_id == _officer_id(db)
    landed = client.get(done.headers["location"] + "&lang=en", headers=HTML)
    assert landed.status_code == 200 and "the case is yours" in landed.text
    again = client.get(f"/officer/emergencies/{emergency.id}?lang=en", headers=HTML).text
    assert "Acknowledged by" in again and f'href="/officer/cases/{emergency.case_id}"' in again
    reads = db.scalars(select(AuditEntry.action).where(AuditEntry.action == "emergency.read"))
    assert len(reads.all()) == 3, "each opening of the screen is audited"


def test_the_screen_links_to_the_person_of_a_signed_in_sos(client: TestClient, db: Session) -> None:
    person_id = reported(db)
    citizen = Actor(role=Role.CITIZEN, account_id=uuid.uuid4(), person_id=person_id, display="c")
    data = EmergencyCreate.model_validate(sos(name=None))
    emergency = service.report_emergency(db, data=data, actor=citizen, ip="10.0.0.3").emergency
    db.commit()
    signed_in_officer(client, db)
    screen = client.get(f"/officer/emergencies/{emergency.id}?lang=en", headers=HTML).text
    assert f'href="/officer/persons/{person_id}"' in screen


def test_hq_analysts_see_no_caller_on_the_list(client: TestClient, db: Session) -> None:
    _send(client)
    client.cookies.clear()
    signed_in_officer(client, db, "analyst@example.org", Role.HQ_ANALYST, None)
    emergency = db.scalars(select(Emergency)).one()
    db.commit()
    listing = client.get("/officer/emergencies?lang=en", headers=HTML).text
    assert emergency.case_reference in listing
    assert "Siti Aminah" not in listing and "+821012345678" not in listing
    screen = client.get(f"/officer/emergencies/{emergency.id}", headers=HTML)
    assert screen.status_code in (403, 404)


def test_an_hq_admin_keeps_the_hq_desk_on_the_roster_page(client: TestClient, db: Session) -> None:
    signed_in_officer(client, db, "admin@example.org", Role.HQ_ADMIN, None)
    page = client.get("/officer/roster?representation=hq&lang=en", headers=HTML)
    assert page.status_code == 200 and "Asia/Jakarta" in page.text
    assert "HQ duty desk" in page.text and "every HQ admin" in page.text
    admin_id = _officer_id(db, "admin@example.org")
    now_local = roster.to_local(utcnow(), roster.zone_of(roster.HQ_DESK))
    answer = client.post(
        "/officer/roster",
        data={
            "csrf_token": csrf(page.text), "representation": "hq", "account_id": str(admin_id),
            "day": (now_local - timedelta(hours=1)).strftime("%Y-%m-%d"),
            "start": (now_local - timedelta(hours=1)).strftime("%H:%M"),
            "end": (now_local + timedelta(hours=6)).strftime("%H:%M"), "rank": "0",
        },
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303, answer.text
    assert db.scalars(select(DutyShift.representation_code)).one() == "hq"
    db.commit()
    client.cookies.clear()
    _send(client, country="SA", city="Riyadh", phone="+966501234567")
    assert set(recipients(db)) == {"admin@example.org"}
