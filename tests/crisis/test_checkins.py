"""Check-ins: by API, by SMS reply, and the help they open."""

from __future__ import annotations

from sqlalchemy import func, select

from peduli.core.db import session_scope
from peduli.crisis.models import CheckIn, Recipient
from peduli.crisis.schemas import CheckInRead
from tests.crisis.conftest import Sent


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
