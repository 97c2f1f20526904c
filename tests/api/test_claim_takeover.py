"""The two-report takeover by API: knowing a NIK gives neither the record nor the account.

Before the fix, the first report attached the attacker's passport, phone and email to the
victim's record (current and primary) and the second linked the attacker's account, after
which ``/api/v1/me``, the export and ``DELETE /api/v1/me`` were the victim's.
"""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select

from peduli.core.db import session_scope
from peduli.notify.models import OutboxMessage
from peduli.registry import service
from peduli.registry.models import ContactPoint, Passport, Person, Stay
from tests.factories import report, staff
from tests.outbox import messages_to, opened

VICTIM_NAME = "Muhammad Yusuf Victim"
ATTACKER = {
    "full_name": "Someone Else",
    "email": "attacker@example.org",
    "phone": "+821099998888",
    "passport_number": "C7777777",
}


def _sign_in(client: TestClient, address: str) -> dict[str, str]:
    assert client.post("/api/v1/auth/citizen/code", json={"address": address}).status_code == 202
    with session_scope() as db:
        body = messages_to(db, address)[0].body
    code = re.search(r"\b(\d{6})\b", body).group(1)  # type: ignore[union-attr]
    signed_in = client.post("/api/v1/auth/citizen/verify", json={"address": address, "code": code})
    assert signed_in.status_code == 200, signed_in.text
    return {"X-CSRF-Token": signed_in.json()["csrf_token"]}


def _victim() -> str:
    with session_scope() as db:
        outcome = service.submit_self_report(
            db,
            report=report(full_name=VICTIM_NAME, email="victim@example.org", phone="+821011112222"),
            actor=staff(),
        )
        return str(outcome.person.id)  # type: ignore[union-attr]


def test_two_reports_with_someone_elses_nik_take_nothing_over(client: TestClient) -> None:
    victim_id = _victim()
    headers = _sign_in(client, "attacker@example.org")
    body = report(**ATTACKER).model_dump(mode="json")
    answers = [client.post("/api/v1/self-reports", json=body, headers=headers) for _ in range(2)]
    me = client.get("/api/v1/me")
    assert me.status_code == 404, "the attacker's account now reads the victim's record"
    assert client.post("/api/v1/me/export").status_code in (404, 405)
    assert client.get("/api/v1/me/export").status_code == 404
    assert client.delete("/api/v1/me", headers=headers).status_code == 404
    for answer in answers:
        assert answer.status_code == 202, answer.text
        assert set(answer.json()) == {"claim_id", "status", "message", "representation"}
        assert answer.json()["status"] == "pending"
        assert VICTIM_NAME not in answer.text and victim_id not in answer.text
    with session_scope() as db:
        person = db.get_one(Person, uuid.UUID(victim_id))
        assert person.full_name == VICTIM_NAME
        stays = db.scalars(select(Stay).where(Stay.person_id == person.id)).all()
        assert len(stays) == 1
        contacts = db.scalars(select(ContactPoint).where(ContactPoint.person_id == person.id))
        assert {c.value for c in contacts} == {"victim@example.org", "+821011112222"}
        passports = db.scalars(select(Passport).where(Passport.person_id == person.id)).all()
        assert len(passports) == 1


def test_the_claimant_proves_the_claim_with_the_code_sent_to_the_record(
    client: TestClient,
) -> None:
    victim_id = _victim()
    headers = _sign_in(client, "newaddress@example.org")
    body = report(email="newaddress@example.org", phone=None).model_dump(mode="json")
    claim_id = client.post("/api/v1/self-reports", json=body, headers=headers).json()["claim_id"]
    mine = client.get("/api/v1/me/claims")
    assert [c["id"] for c in mine.json()] == [claim_id]
    sent = client.post(f"/api/v1/me/claims/{claim_id}/code", headers=headers)
    assert sent.status_code == 202
    with session_scope() as db:
        message = db.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.like("claim-code:%"))
        ).first()
        assert message is not None and opened(message) in {"victim@example.org", "+821011112222"}
        code = re.search(r"\b(\d{6})\b", message.body).group(1)  # type: ignore[union-attr]
    wrong = client.post(
        f"/api/v1/me/claims/{claim_id}/proof", json={"code": "99999999"}, headers=headers
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "code"
    proven = client.post(
        f"/api/v1/me/claims/{claim_id}/proof", json={"code": code}, headers=headers
    )
    assert proven.status_code == 200 and proven.json()["status"] == "proven"
    assert client.get("/api/v1/me").json()["id"] == victim_id
