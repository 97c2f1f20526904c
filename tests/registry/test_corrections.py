"""Correction requests: the post's queue, a decision with a reason, the citizen told."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import tokens
from peduli.auth.actor import Actor, Role
from peduli.auth.audit import AuditEntry
from peduli.auth.models import StaffAccount
from peduli.core.db import session_scope
from peduli.core.errors import PeduliError, ValidationFailed
from peduli.notify.models import OutboxMessage
from peduli.registry import corrections, rights, service, stays
from peduli.registry.models import DataRequest
from tests.api.test_access_matrix import _citizen_headers
from tests.factories import KUALA_LUMPUR, refreshed, report, signed_in_citizen, staff

REASON = "Birth place corrected to Cirebon after checking the passport."


def _citizen_with_request(db: Session, language: str = "id") -> tuple[Actor, DataRequest]:
    citizen = signed_in_citizen(db, "yusuf@example.org")
    service.submit_self_report(db, report=report(language=language), actor=citizen)
    citizen = refreshed(db, citizen)
    return citizen, rights.request_correction(db, actor=citizen, message="Born in Cirebon")


def test_the_request_reaches_the_post_of_the_active_stay_only(db: Session) -> None:
    _citizen, request = _citizen_with_request(db)
    total, rows = corrections.correction_queue(
        db, actor=staff(Role.OFFICER, "kbri-seoul"), limit=25, offset=0
    )
    assert total == 1 and rows[0].id == request.id and rows[0].full_name == "Muhammad Yusuf"
    assert rows[0].representation_code == "kbri-seoul"
    elsewhere = staff(Role.OFFICER, "kbri-kuala-lumpur")
    assert corrections.correction_queue(db, actor=elsewhere, limit=25, offset=0) == (0, [])
    with pytest.raises(PeduliError) as hidden:
        corrections.decide_correction(
            db, request_id=request.id, actor=elsewhere, accepted=True, reason=REASON
        )
    assert hidden.value.status == 404
    hq = staff(Role.HQ_ADMIN, None)
    assert corrections.correction_queue(db, actor=hq, limit=25, offset=0)[0] == 1
    analyst = staff(Role.HQ_ANALYST, None)
    with pytest.raises(PeduliError) as refused:
        corrections.correction_queue(db, actor=analyst, limit=25, offset=0)
    assert refused.value.status == 403


def test_an_officers_read_of_a_request_is_on_the_citizens_trail(db: Session) -> None:
    _citizen, request = _citizen_with_request(db)
    corrections.read_correction(db, request_id=request.id, actor=staff())
    read = db.scalars(select(AuditEntry).where(AuditEntry.action == "data_request.read")).one()
    assert read.subject_person_id == request.person_id and read.entity_id == str(request.id)


def test_a_move_hands_the_request_to_the_new_post(db: Session) -> None:
    citizen, request = _citizen_with_request(db)
    stay = service.own_person_view(db, actor=citizen).stays[0]
    stays.report_departure(db, stay_id=stay.id, departed_on=date(2025, 6, 1), actor=citizen)
    seoul = staff(Role.OFFICER, "kbri-seoul")
    assert corrections.correction_queue(db, actor=seoul, limit=25, offset=0)[0] == 0
    service.submit_self_report(db, report=report(**KUALA_LUMPUR), actor=citizen)
    kl = staff(Role.OFFICER, "kbri-kuala-lumpur")
    assert [r.id for r in corrections.correction_queue(db, actor=kl, limit=25, offset=0)[1]] == [
        request.id
    ]


def test_a_decision_needs_a_reason(db: Session) -> None:
    _citizen, request = _citizen_with_request(db)
    officer = staff(Role.OFFICER, "kbri-seoul")
    with pytest.raises(ValidationFailed) as short:
        corrections.decide_correction(
            db, request_id=request.id, actor=officer, accepted=False, reason="  no  "
        )
    assert short.value.problems[0].field == "reason"
    assert db.get_one(DataRequest, request.id).status == "open"
    decided = corrections.decide_correction(
        db, request_id=request.id, actor=officer, accepted=True, reason=REASON
    )
    assert decided.status == "accepted" and decided.decision_reason == REASON
    assert decided.decided_by == officer.account_id and decided.decided_at is not None
    with pytest.raises(PeduliError) as again:
        corrections.decide_correction(
            db, request_id=request.id, actor=officer, accepted=False, reason=REASON
        )
    assert again.value.status == 409
    assert corrections.correction_queue(db, actor=officer, limit=25, offset=0)[0] == 0
    actions = db.scalars(select(AuditEntry.action)).all()
    assert "data_request.accepted" in actions


@pytest.mark.parametrize(
    ("language", "words"),
    [("id", "ditolak"), ("en", "was refused"), ("zh", "拒绝"), ("fr", "refusée")],
)
def test_the_citizen_is_told_in_their_language(db: Session, language: str, words: str) -> None:
    _citizen, request = _citizen_with_request(db, language=language)
    corrections.decide_correction(
        db, request_id=request.id, actor=staff(Role.OFFICER, "kbri-seoul"), accepted=False,
        reason=REASON,
    )  # fmt: skip
    told = db.scalars(select(OutboxMessage).where(OutboxMessage.channel == "in_app")).one()
    assert told.recipient == str(request.person_id)
    assert words in told.body and REASON in told.body


def test_the_api_queue_decision_and_the_citizens_view(client: TestClient) -> None:
    headers = _citizen_headers(client, "yusuf@example.org")
    created = client.post(
        "/api/v1/self-reports", json=report().model_dump(mode="json"), headers=headers
    )
    assert created.status_code in (200, 201), created.text
    asked = client.post(
        "/api/v1/me/corrections", json={"message": "Born in Cirebon"}, headers=headers
    )
    assert asked.status_code == 201, asked.text
    officers = {}
    with session_scope() as db:
        for name, post in (("seoul", "kbri-seoul"), ("kl", "kbri-kuala-lumpur")):
            account = StaffAccount(
                email=f"{name}@kemlu.example", display_name=name, role="officer",
                representation_code=post,
            )  # fmt: skip
            db.add(account)
            db.flush()
            officers[name] = {
                "Authorization": f"Bearer {tokens.issue(db, account=account, days=1).token}"
            }
    queue = client.get("/api/v1/data-requests", headers=officers["seoul"])
    assert queue.status_code == 200 and queue.json()["total"] == 1
    request_id = queue.json()["items"][0]["id"]
    assert client.get("/api/v1/data-requests", headers=officers["kl"]).json()["total"] == 0
    url = f"/api/v1/data-requests/{request_id}/decision"
    assert (
        client.post(
            url, json={"decision": "refused", "reason": REASON}, headers=officers["kl"]
        ).status_code
        == 404
    )
    short = client.post(
        url, json={"decision": "refused", "reason": "no"}, headers=officers["seoul"]
    )
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "reason"
    decided = client.post(
        url, json={"decision": "refused", "reason": REASON}, headers=officers["seoul"]
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "refused"
    mine = client.get("/api/v1/me/corrections", headers=headers).json()
    assert mine[0]["status"] == "refused" and mine[0]["decision_reason"] == REASON
