"""Officers' voice pages: calls to return, what came of calling back, and the call behind
an emergency, in the reader's language."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.audit import AuditEntry
from peduli.core.db import utcnow
from peduli.voice.models import VoiceCall
from peduli.voice.pages.staff import PER_PAGE
from tests.voice.conftest import KOREAN_CALLER, signed_post
from tests.web.officer_support import HTML, csrf, signed_in_officer

CALL = {"CallSid": "CA0042", "From": KOREAN_CALLER, "To": "+62215000000"}


def _abandoned_call(client: TestClient, *, keys: tuple[str, ...] = ("3", "2")) -> None:
    """A caller who pressed ``keys`` and hung up before any officer answered."""
    signed_post(client, "", {**CALL, "CallStatus": "ringing"})
    for step, key in zip(("language", "kind"), keys, strict=False):
        signed_post(client, f"/gather?step={step}&attempt=1", {**CALL, "Digits": key})
    signed_post(client, "/status", {**CALL, "CallStatus": "completed"})


def test_the_calls_to_return_in_english_and_indonesian(client: TestClient, db: Session) -> None:
    _abandoned_call(client)
    signed_in_officer(client, db)
    english = client.get("/officer/calls?lang=en", headers=HTML)
    assert english.status_code == 200
    assert "Calls to return" in english.text and f"tel:{KOREAN_CALLER}" in english.text
    assert (
        "arrest or detention" in english.text
        and "hung up before an officer answered" in english.text
    )
    indonesian = client.get("/officer/calls?lang=id", headers=HTML)
    assert "Panggilan untuk ditelepon balik" in indonesian.text
    assert "menutup telepon sebelum dijawab petugas" in indonesian.text
    assert "Berbahasa" in indonesian.text
    db.commit()
    assert db.scalars(select(AuditEntry).where(AuditEntry.action == "voice.callbacks")).first()


def test_not_reached_keeps_the_call_on_the_list_reached_takes_it_off(
    client: TestClient, db: Session
) -> None:
    _abandoned_call(client)
    signed_in_officer(client, db)
    call_id = db.scalars(select(VoiceCall.id)).one()
    db.commit()
    path = f"/officer/calls/{call_id}/called-back"
    for outcome, state in (("not_reached", "not_reached"), ("reached", "reached")):
        token = csrf(client.get("/officer/calls?lang=en", headers=HTML).text)
        done = client.post(path, data={"outcome": outcome, "csrf_token": token},
                           follow_redirects=False)  # fmt: skip
        assert done.status_code == 303
        db.expire_all()
        assert db.scalars(select(VoiceCall.callback_state)).one() == state
        db.commit()
    listing = client.get("/officer/calls?lang=en", headers=HTML)
    assert "No call to return." in listing.text


def test_another_posts_officer_cannot_return_the_call(client: TestClient, db: Session) -> None:
    _abandoned_call(client)
    signed_in_officer(client, db, email="kl@example.org", representation_code="kbri-kuala-lumpur")
    call_id = db.scalars(select(VoiceCall.id)).one()
    db.commit()
    listing = client.get("/officer/calls?lang=en", headers=HTML)
    assert KOREAN_CALLER not in listing.text
    token = csrf(client.get("/officer/emergencies", headers=HTML).text)
    path = f"/officer/calls/{call_id}/called-back"
    refused = client.post(path, data={"outcome": "reached", "csrf_token": token})
    assert refused.status_code == 404


def test_the_emergency_screen_shows_the_call_in_chinese(client: TestClient, db: Session) -> None:
    _abandoned_call(client)
    signed_in_officer(client, db)
    call = db.scalars(select(VoiceCall)).one()
    db.commit()
    screen = client.get(f"/officer/emergencies/{call.emergency_id}?lang=zh", headers=HTML)
    assert screen.status_code == 200 and "语音热线" in screen.text
    assert f"/officer/calls/of-emergency/{call.emergency_id}" in screen.text
    details = client.get(
        f"/officer/calls/of-emergency/{call.emergency_id}?lang=zh",
        headers={**HTML, "HX-Request": "true"},
    )
    assert "菜单语言" in details.text and "被捕或被拘留" in details.text
    assert "不是登记系统中任何人已验证的号码" in details.text


def test_the_calls_to_return_are_paged(client: TestClient, db: Session) -> None:
    signed_in_officer(client, db)  # an officer of KBRI Seoul
    now = utcnow()
    for i in range(PER_PAGE + 1):
        started = now - timedelta(minutes=100 - i)
        db.add(VoiceCall(platform_call_id=f"CA-page-{i:03d}", caller_number=f"+8210555{i:05d}",
                         representation_code="kbri-seoul", state="ended", callback_state="due",
                         started_at=started, last_event_at=now))  # fmt: skip
    db.commit()
    first = client.get("/officer/calls?lang=en", headers=HTML).text
    assert first.count('name="outcome" value="reached"') == PER_PAGE
    assert "Page 1 of 2" in first and 'href="/officer/calls?page=2"' in first
    second = client.get("/officer/calls?lang=en&page=2", headers=HTML).text
    assert second.count('name="outcome" value="reached"') == 1
    assert f"tel:+8210555{PER_PAGE:05d}" in second, "the newest call is on the last page"
