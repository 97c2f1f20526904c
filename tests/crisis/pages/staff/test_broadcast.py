"""The broadcast screens: audience, compose with SMS counts, approve, send, live figures."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.crisis.models import Broadcast
from peduli.notify import receipts
from peduli.notify.models import OutboxMessage
from peduli.notify.ports import DeliveryStatus
from peduli.registry import contacts
from peduli.registry.models import Stay
from tests.crisis.crisis_helpers import (
    add_person,
    declare_crisis,
    gateway_took_every_sms,
    worker_recorded,
)
from tests.factories import staff
from tests.web.officer_support import csrf, make_staff, sign_in

HX = {"HX-Request": "true"}
NOT_REPORTED = '<td class="delivered">not reported by this channel</td>'


@dataclass(frozen=True)
class CrisisId:
    """The crisis by id alone: a loaded row would open a transaction (and, on SQLite, hold
    the write lock) each time the test read an attribute after a commit."""

    id: uuid.UUID


@pytest.fixture
def crisis(db: Session) -> CrisisId:
    """An earthquake near Kuala Lumpur: three people of KL (one placed approximately), one of
    Johor Bahru's jurisdiction, and one far away."""
    add_person(db, latitude=3.14, longitude=101.69, language="zh", email="a@example.org")
    add_person(db, latitude=3.30, longitude=101.60, language="fr")
    near = add_person(db, latitude=3.10, longitude=101.70)
    add_person(db, latitude=3.15, longitude=101.68, post="kjri-johor-bahru", language="en")
    add_person(db, latitude=5.40, longitude=100.30)
    db.execute(update(Stay).where(Stay.id == near.stay_id).values(position_approximate=True))
    made = CrisisId(declare_crisis(db, staff(Role.HQ_ADMIN)).id)
    db.commit()
    return made


def _client(app: object, db: Session, email: str, role: Role, post: str | None) -> TestClient:
    client = TestClient(app, client=("127.0.0.1", 50001))  # type: ignore[arg-type]
    sign_in(client, email, make_staff(db, email, role, post))
    return client


@pytest.fixture
def desks(client: TestClient, db: Session) -> Iterator[dict[str, TestClient]]:
    """Signed-in staff, each in their own browser."""
    app = client.app
    people = {
        "hq": _client(app, db, "hq@example.org", Role.HQ_ADMIN, None),
        "hq2": _client(app, db, "hq2@example.org", Role.HQ_ADMIN, None),
        "kl": _client(app, db, "kl@example.org", Role.SUPERVISOR, "kbri-kuala-lumpur"),
        "jb": _client(app, db, "jb@example.org", Role.SUPERVISOR, "kjri-johor-bahru"),
        "officer": _client(app, db, "off@example.org", Role.OFFICER, "kbri-kuala-lumpur"),
    }
    yield people
    for each in people.values():
        each.close()


def _post(client: TestClient, path: str, page: str, **data: str | list[str]) -> object:
    token = csrf(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def _compose(client: TestClient, crisis: CrisisId, **data: str | list[str]) -> object:
    new = f"/officer/crises/{crisis.id}/broadcasts/new"
    return _post(client, new, new, **data)


def _draft(client: TestClient, crisis: CrisisId, **extra: str) -> str:
    fields = {"message_id": "Gempa kuat. Jauhi gedung.", "message_en": "Strong earthquake."}
    answer = _compose(client, crisis, **fields, channels=["sms", "email"], go="save", **extra)
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    return str(answer.headers["location"])  # type: ignore[attr-defined]


def test_the_audience_by_post_language_and_channel_in_the_readers_language(
    desks: dict[str, TestClient], crisis: CrisisId
) -> None:
    page = desks["hq"].get(f"/officer/crises/{crisis.id}/broadcasts?lang=en")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    assert "4 people in the area, 1 of them placed only approximately" in text
    assert "KBRI Kuala Lumpur</th><td>3" in text
    assert "Chinese</th><td>1" in text and "Indonesian</th><td>1" in text
    assert "SMS</th><td>4" in text and "Email</th><td>1" in text
    assert "Earthquake · Severe · Active" in text
    assert "kbri-kuala-lumpur" not in text  # post names, never codes
    french = desks["hq"].get(f"/officer/crises/{crisis.id}/broadcasts?lang=fr")
    assert "Séisme · Grave · Active" in french.text and "Chinois" in french.text
    johor = desks["jb"].get(f"/officer/crises/{crisis.id}/broadcasts?lang=en").text
    assert "1 people in the area" in johor and "Kuala Lumpur</th>" not in johor


def test_the_audience_counts_people_by_the_chat_they_prefer(
    desks: dict[str, TestClient], crisis: CrisisId, db: Session
) -> None:
    person = add_person(db, latitude=3.14, longitude=101.69)
    contacts.record_chat_contact(db, person_id=person.person_id, channel="telegram", address="9")
    db.commit()

    english = re.sub(
        r"\s+", " ", desks["hq"].get(f"/officer/crises/{crisis.id}/broadcasts?lang=en").text
    )
    indonesian = desks["hq"].get(f"/officer/crises/{crisis.id}/broadcasts?lang=id").text

    assert "Preferred chat (they get broadcasts there instead of SMS)" in english
    assert "Telegram</th><td>1</td>" in english.split("audience-chats")[1]
    assert "WhatsApp</th><td>0</td>" in english.split("audience-chats")[1]
    assert "Obrolan pilihan (siaran dikirim ke sana, bukan lewat SMS)" in indonesian


def test_the_board_links_to_the_broadcasts(desks: dict[str, TestClient], crisis: CrisisId) -> None:
    board = desks["officer"].get(f"/officer/crises/{crisis.id}?lang=en")
    assert f'href="/officer/crises/{crisis.id}/broadcasts"' in board.text
    # An officer follows the broadcasts but never writes one.
    assert (
        "Write a broadcast"
        not in desks["officer"].get(f"/officer/crises/{crisis.id}/broadcasts?lang=en").text
    )
    assert desks["officer"].get(f"/officer/crises/{crisis.id}/broadcasts/new").status_code == 403


def test_compose_starts_from_the_kinds_template_and_counts_each_sms(
    desks: dict[str, TestClient], crisis: CrisisId
) -> None:
    page = desks["hq"].get(f"/officer/crises/{crisis.id}/broadcasts/new?lang=en").text
    assert "Strong earthquake. Stay outside, away from buildings." in page
    assert "Gempa kuat. Tetap di luar, jauhi gedung." in page
    assert "强震！请到室外空旷处。" in page
    assert "Fort séisme. Restez dehors, loin des immeubles." in page
    assert page.count(", 1 SMS (GSM-7)") == 3
    assert page.count(", 1 SMS (UCS-2 (Unicode))") == 1  # Chinese: one SMS as well
    assert 'src="/static/sms-length.js?v=' in page
    long = "Gempa kuat. " * 10
    counted = _compose(desks["hq"], crisis, message_id=long, message_fr="Tempête", go="count")
    assert counted.status_code == 200  # type: ignore[attr-defined]
    body = counted.text  # type: ignore[attr-defined]
    assert long.strip() in body  # what was typed is kept
    assert "characters, 2 SMS (GSM-7)" in body  # the reader chose English above
    assert "characters, 3 SMS (UCS-2 (Unicode))" in body  # ê makes the French SMS Unicode
    from peduli.crisis import message_templates

    expected = message_templates.sample_sms(long.strip(), "id")
    assert f"{len(expected)} characters" in body


def test_compose_refuses_bad_input_with_field_errors(
    desks: dict[str, TestClient], crisis: CrisisId
) -> None:
    answer = _compose(desks["hq"], crisis, message_id="", remind_after_minutes="soon", go="save")
    assert answer.status_code == 422  # type: ignore[attr-defined]
    text = answer.text  # type: ignore[attr-defined]
    assert "Pilih salah satu." in text  # no channel: in the reader's Indonesian
    assert "Tulis jumlah menit dari 5 sampai 10080." in text
    assert 'href="#compose-channels"' in text and 'href="#compose-remind_after_minutes"' in text
    missing = _compose(desks["hq"], crisis, message_id=" ", channels=["sms"], go="save")
    assert missing.status_code == 422  # type: ignore[attr-defined]
    assert 'href="#compose-message_id"' in missing.text  # type: ignore[attr-defined]
    assert "Teks bahasa Indonesia wajib diisi" in missing.text  # type: ignore[attr-defined]


def test_compose_approve_send_and_follow_live(
    desks: dict[str, TestClient], crisis: CrisisId, db: Session
) -> None:
    path = _draft(desks["hq"], crisis)
    page = desks["hq"].get(path + "?lang=en").text
    assert "Waiting for a second person" in page and "s approval" in page
    assert "You wrote this broadcast: a second person must approve it." in page
    own = _post(desks["hq"], path + "/approve", path)
    assert own.status_code == 409  # type: ignore[attr-defined]
    assert "not by its author" in own.text  # type: ignore[attr-defined]
    early = _post(desks["hq2"], path + "/send", path)
    assert early.status_code == 409  # type: ignore[attr-defined]
    approved = _post(desks["hq2"], path + "/approve", path)
    assert approved.status_code == 303  # type: ignore[attr-defined]
    assert "Approved, not sent yet" in desks["hq"].get(path + "?lang=en").text
    sent = _post(desks["hq"], path + "/send", path)
    assert sent.status_code == 303  # type: ignore[attr-defined]
    live = desks["hq"].get(path + "/live?lang=en", headers=HX)
    assert live.text.lstrip().startswith('<section id="broadcast-live"')
    assert "<html" not in live.text
    figures = re.sub(r"\s+", " ", live.text)
    assert 'SMS</th><td>4</td><td>0</td><td class="delivered">0</td><td>0</td>' in figures
    assert f"Email</th><td>1</td><td>0</td>{NOT_REPORTED}<td>0</td>" in figures
    gateway_took_every_sms(db)
    worker_recorded(db, channel="email", status=DeliveryStatus.REJECTED)
    db.commit()
    token = db.scalars(select(OutboxMessage.body).where(OutboxMessage.channel == "sms")).first()
    assert token is not None
    db.rollback()  # end the read: the check-in below writes
    desks["hq"].post("/c/" + token.rsplit("/c/", 1)[1], data={"answer": "need_help"})
    again = re.sub(r"\s+", " ", desks["hq"].get(path + "/live?lang=en", headers=HX).text)
    assert 'SMS</th><td>0</td><td>4</td><td class="delivered">0</td><td>0</td>' in again
    assert f"Email</th><td>0</td><td>0</td>{NOT_REPORTED}<td>1</td>" in again
    assert (
        '<td>4</td><td class="answer-safe">0</td><td class="answer-help">1</td><td>3</td>' in again
    )
    whole = desks["hq"].get(path + "?lang=en").text
    assert 'http-equiv="refresh"' in whole and 'hx-trigger="every 5s"' in whole
    # Johor Bahru's supervisor sees their own post's person only.
    johor = re.sub(r"\s+", " ", desks["jb"].get(path + "/live?lang=en", headers=HX).text)
    assert 'SMS</th><td>0</td><td>1</td><td class="delivered">0</td><td>0</td>' in johor


def test_the_live_figures_show_what_the_gateway_reported_delivered(
    desks: dict[str, TestClient], crisis: CrisisId, db: Session
) -> None:
    path = _draft(desks["hq"], crisis)
    _post(desks["hq2"], path + "/approve", path)
    _post(desks["hq"], path + "/send", path)
    gateway_took_every_sms(db)
    db.commit()
    delivered, expired = (
        receipts.SmsReport("sms-1", "delivered"),
        receipts.SmsReport("sms-2", "expired"),
    )
    receipts.record_sms_reports(db, [receipts.SmsReport("sms-0", "delivered"), delivered])
    receipts.record_sms_reports(db, [delivered, expired])
    db.commit()

    english = re.sub(r"\s+", " ", desks["hq"].get(path + "/live?lang=en", headers=HX).text)
    indonesian = re.sub(r"\s+", " ", desks["hq"].get(path + "/live?lang=id", headers=HX).text)

    assert '<th scope="col">Delivered to the phone</th>' in english
    # Two reported delivered; the expired one is a failure, no longer counted as sent.
    assert 'SMS</th><td>0</td><td>3</td><td class="delivered">2</td><td>1</td>' in english
    assert '<th scope="col">Terkirim ke ponsel</th>' in indonesian
    assert 'SMS</th><td>0</td><td>3</td><td class="delivered">2</td><td>1</td>' in indonesian
    assert "tidak dilaporkan oleh saluran ini" in indonesian


def test_the_supervisor_of_an_affected_post_approves_for_its_own_people(
    desks: dict[str, TestClient], crisis: CrisisId, db: Session
) -> None:
    page = desks["hq"].get(f"/officer/crises/{crisis.id}/broadcasts/new?lang=en").text
    assert '<option value="kbri-kuala-lumpur">KBRI Kuala Lumpur</option>' in page
    for_kl = _draft(desks["hq"], crisis, representation_code="kbri-kuala-lumpur")
    to_all = _draft(desks["hq"], crisis)
    refused = _post(desks["jb"], for_kl + "/approve", for_kl)
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert "perwakilan Anda sendiri" in refused.text  # type: ignore[attr-defined]
    assert _post(desks["kl"], to_all + "/approve", to_all).status_code == 403  # type: ignore[attr-defined]
    assert _post(desks["kl"], for_kl + "/approve", for_kl).status_code == 303  # type: ignore[attr-defined]
    approved = db.scalars(select(Broadcast).where(Broadcast.status == "approved")).one()
    assert approved.representation_code == "kbri-kuala-lumpur"
    db.rollback()  # end the read: the pages below write
    # A supervisor's own draft goes to their post's people; the other supervisor cannot act.
    theirs = _draft(desks["kl"], crisis)
    assert _post(desks["jb"], theirs + "/send", theirs).status_code == 403  # type: ignore[attr-defined]
