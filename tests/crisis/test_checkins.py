"""Check-ins over the API, the page (no JavaScript) and SMS replies; the board and exports."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from peduli.auth import service as auth_service
from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.core.db import session_scope
from peduli.crisis import links
from peduli.crisis.models import CheckIn, Recipient
from peduli.crisis.schemas import CheckInRead
from peduli.notify.models import OutboxMessage, OutboxStatus
from tests.crisis.crisis_helpers import add_person
from tests.outbox import all_messages, opened

STAFF = {
    "hq": (Role.HQ_ADMIN, None),
    "hq2": (Role.HQ_ADMIN, None),
    "analyst": (Role.HQ_ANALYST, None),
    "officer_kl": (Role.OFFICER, "kbri-kuala-lumpur"),
    "officer_jb": (Role.OFFICER, "kjri-johor-bahru"),
    "partner": (Role.PARTNER, None),
}


@dataclass
class Sent:
    client: TestClient
    headers: dict[str, dict[str, str]]
    crisis_id: str
    tokens: dict[str, str]  # phone → token
    phones: list[str]


def _headers() -> dict[str, dict[str, str]]:
    headers = {}
    with session_scope() as db:
        for name, (role, post) in STAFF.items():
            email = f"{name}@kemlu.example"
            auth_service.create_staff(db, email=email, role=role, representation_code=post)
            headers[name] = {
                "Authorization": f"Bearer {auth_service.create_token(db, email=email)}"
            }
    return headers


@pytest.fixture
def sent(client: TestClient, clean_engine: Engine) -> Sent:
    headers = _headers()
    with session_scope() as db:
        people = [
            add_person(
                db,
                latitude=3.14,
                longitude=101.69,
                name="Ani Lestari",
                language="en",
                email="ani@example.org",
            ),
            add_person(db, latitude=3.12, longitude=101.66, name="Budi Santoso"),
            add_person(
                db, latitude=3.16, longitude=101.70, name='=HYPERLINK("x")', post="kjri-johor-bahru"
            ),
        ]
    phones = [p.phone for p in people]
    area = {"circle": {"lat": 3.139, "lon": 101.687, "radius_km": 25}}
    created = client.post(
        "/api/v1/crises",
        json={"title": "Gempa KL", "kind": "earthquake", "severity": "severe", "area": area},
        headers=headers["hq"],
    )
    assert created.status_code == 201, created.text
    crisis_id = created.json()["id"]
    drafted = client.post(
        f"/api/v1/crises/{crisis_id}/broadcasts",
        json={
            "messages": {"id": "Gempa. Jauhi gedung.", "en": "Earthquake. Stay outside."},
            "channels": ["sms", "email"],
        },
        headers=headers["hq"],
    )
    assert drafted.status_code == 201, drafted.text
    path = f"/api/v1/crises/{crisis_id}/broadcasts/{drafted.json()['id']}"
    assert client.post(f"{path}/approve", headers=headers["hq"]).status_code == 409
    assert client.post(f"{path}/send", headers=headers["hq"]).status_code == 409
    assert client.post(f"{path}/approve", headers=headers["hq2"]).status_code == 200
    result = client.post(f"{path}/send", headers=headers["hq"])
    assert result.status_code == 200, result.text
    assert result.json()["queued"] == {"sms": 3, "email": 1}
    with session_scope() as db:
        rows = [m for m in all_messages(db) if m.channel == "sms"]
        tokens = {opened(m): m.body.rsplit("/c/", 1)[1] for m in rows}
    return Sent(client, headers, crisis_id, tokens, phones)


def test_api_check_in_with_a_genuine_token_and_not_a_forged_one(sent: Sent) -> None:
    token = sent.tokens[sent.phones[0]]
    answer = {
        "token": token,
        "answer": "need_help",
        "latitude": 3.1,
        "longitude": 101.6,
        "note": "Rumah rusak",
    }
    done = sent.client.post("/api/v1/crises/check-ins", json=answer)
    assert done.status_code == 201, done.text
    assert done.json()["answer"] == "need_help"
    CheckInRead.model_validate(done.json())  # served pre-serialised, still the documented shape
    number, _sig = token.split(".")
    forged = sent.client.post(
        "/api/v1/crises/check-ins", json=answer | {"token": f"{int(number) + 1}.{_sig}"}
    )
    assert forged.status_code == 404
    half = sent.client.post("/api/v1/crises/check-ins", json=answer | {"longitude": None})
    assert half.status_code == 422
    with session_scope() as db:
        assert db.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_page_works_without_javascript_in_the_recipients_language(sent: Sent) -> None:
    token = sent.tokens[sent.phones[0]]  # Ani reads English
    first = sent.client.get(f"/c/{token}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].endswith("?lang=en")
    page = sent.client.get(f"/c/{token}?lang=en")
    assert page.status_code == 200 and "Are you safe?" in page.text
    assert 'name="answer" value="safe"' in page.text
    bad = sent.client.post(f"/c/{token}", data={"answer": "safe", "latitude": "abc"})
    assert bad.status_code == 422
    done = sent.client.post(f"/c/{token}", data={"answer": "safe", "place": "Masjid Negara"})
    assert done.status_code == 200 and "marked safe" in done.text
    assert sent.client.get("/c/1.00000000000000000000").status_code == 404


def test_sms_replies_match_the_latest_broadcast_by_phone(sent: Sent) -> None:
    gateway = {"X-Gateway-Token": "sandbox"}
    reply = {"sender": sent.phones[1], "text": "tolong air naik"}
    assert sent.client.post("/api/v1/crises/sms-replies", json=reply).status_code == 401
    done = sent.client.post("/api/v1/crises/sms-replies", json=reply, headers=gateway)
    assert done.status_code == 201, done.text
    assert done.json()["answer"] == "need_help"
    safe = sent.client.post(
        "/api/v1/crises/sms-replies",
        json={"sender": sent.phones[1], "text": "AMAN"},
        headers=gateway,
    )
    assert safe.json()["answer"] == "safe"
    unknown = sent.client.post(
        "/api/v1/crises/sms-replies",
        json={"sender": sent.phones[1], "text": "hello"},
        headers=gateway,
    )
    assert unknown.status_code == 422
    stranger = sent.client.post(
        "/api/v1/crises/sms-replies",
        json={"sender": "+15550000000", "text": "SAFE"},
        headers=gateway,
    )
    assert stranger.status_code == 404
    with session_scope() as db:
        answers = db.scalars(select(Recipient.answer).where(Recipient.answer.is_not(None))).all()
        assert answers == ["safe"]
        note = db.scalar(select(CheckIn.note).where(CheckIn.answer == "need_help"))
        assert note == "air naik"


def _board(sent: Sent, who: str) -> dict[str, Any]:
    response = sent.client.get(f"/api/v1/crises/{sent.crisis_id}/board", headers=sent.headers[who])
    assert response.status_code == 200, response.text
    return response.json()


def test_board_counts_delivery_and_answers_per_post(sent: Sent) -> None:
    sent.client.post(
        "/api/v1/crises/check-ins", json={"token": sent.tokens[sent.phones[0]], "answer": "safe"}
    )
    sent.client.post(
        "/api/v1/crises/check-ins",
        json={"token": sent.tokens[sent.phones[1]], "answer": "need_help"},
    )
    with session_scope() as db:  # the worker delivered two SMS and gave up on the third
        by_phone = {opened(m): m.id for m in all_messages(db)}
        ids = [by_phone[phone] for phone in sent.phones]
        db.execute(
            OutboxMessage.__table__.update()
            .where(OutboxMessage.id.in_(ids[:2]))
            .values(status=OutboxStatus.SENT)
        )
        db.execute(
            OutboxMessage.__table__.update()
            .where(OutboxMessage.id == ids[2])
            .values(status=OutboxStatus.DEAD)
        )
    totals = _board(sent, "hq")["totals"]
    assert {
        k: totals[k] for k in ("targeted", "delivered", "failed", "safe", "need_help", "no_answer")
    } == {
        "targeted": 3,
        "delivered": 2,
        "failed": 1,
        "safe": 1,
        "need_help": 1,
        "no_answer": 1,
    }
    kl = _board(sent, "officer_kl")
    assert kl["totals"]["targeted"] == 2
    assert [r["key"] for r in kl["by_representation"]] == ["kbri-kuala-lumpur"]
    assert (
        sent.client.get(
            f"/api/v1/crises/{sent.crisis_id}/board", headers=sent.headers["partner"]
        ).status_code
        == 403
    )
    page = sent.client.get(f"/officer/crises/{sent.crisis_id}", headers=sent.headers["hq"])
    assert page.status_code == 200 and 'hx-trigger="every 10s"' in page.text
    assert 'http-equiv="refresh"' in page.text
    board_url = f"/officer/crises/{sent.crisis_id}/board"
    polled = sent.client.get(board_url, headers=sent.headers["hq"] | {"HX-Request": "true"})
    assert polled.status_code == 200 and "<html" not in polled.text
    whole = sent.client.get(board_url, headers=sent.headers["hq"])
    assert whole.status_code == 200 and "<html" in whole.text, "a whole page when opened"


def _export(sent: Sent, who: str, file_format: str = "csv") -> Any:
    return sent.client.get(
        f"/api/v1/crises/{sent.crisis_id}/evacuation-list?format={file_format}",
        headers=sent.headers[who],
    )


def test_evacuation_list_content_scope_and_audit(sent: Sent, clean_engine: Engine) -> None:
    sent.client.post(
        "/api/v1/crises/check-ins",
        json={"token": sent.tokens[sent.phones[1]], "answer": "need_help", "place": "Masjid Jamek"},
    )
    everything = _export(sent, "hq")
    assert everything.status_code == 200
    rows = list(csv.reader(io.StringIO(everything.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Name", "Phone", "Email"]
    assert len(rows) == 4
    assert (
        rows[1][0] == "Budi Santoso"
        and rows[1][10] == "need_help"
        and rows[1][12] == "Masjid Jamek"
    )
    names = [r[0] for r in rows[1:]]
    assert '\'=HYPERLINK("x")' in names  # a formula is quoted, never run by a spreadsheet
    assert sent.phones[0] in {r[1] for r in rows}
    kl = list(csv.reader(io.StringIO(_export(sent, "officer_kl").content.decode("utf-8-sig"))))
    assert len(kl) == 3 and all(r[8] == "kbri-kuala-lumpur" for r in kl[1:])
    book = load_workbook(io.BytesIO(_export(sent, "officer_jb", "xlsx").content))
    sheet = list(book.active.values)
    assert len(sheet) == 2 and sheet[1][8] == "kjri-johor-bahru"
    assert _export(sent, "analyst").status_code == 403
    assert _export(sent, "partner").status_code == 403
    with clean_engine.connect() as conn:
        exports = conn.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "crisis.evacuation_export", AuditEntry.outcome == "allowed")
        )
    assert exports == 3


def test_token_of_link_is_what_python_signs(sent: Sent) -> None:
    for token in sent.tokens.values():
        assert links.read_token(token) is not None


def test_need_help_opens_one_critical_case_per_person(sent: Sent) -> None:
    from peduli.cases.models import Case, CasePerson

    token = sent.tokens[sent.phones[1]]
    for note in ("Air naik sampai dada", "Masih menunggu"):
        answer = {"token": token, "answer": "need_help", "note": note, "place": "Klang"}
        assert sent.client.post("/api/v1/crises/check-ins", json=answer).status_code == 201
    sent.client.post("/api/v1/crises/check-ins", json={"token": token, "answer": "safe"})
    with session_scope() as db:
        cases = db.scalars(select(Case)).all()
        assert len(cases) == 1
        case = cases[0]
        assert case.category == "disaster_conflict" and case.subcategory == "natural_disaster"
        assert case.representation_code == "kbri-kuala-lumpur" and case.danger_to_life
        assert case.intake_channel == "emergency" and "Air naik sampai dada" in case.summary
        linked = db.scalars(select(CheckIn.case_id).where(CheckIn.answer == "need_help")).all()
        assert linked == [case.id, case.id]
        named = db.scalar(select(CasePerson.name).where(CasePerson.case_id == case.id))
        assert named == "Budi Santoso"
