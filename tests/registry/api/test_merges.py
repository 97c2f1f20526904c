"""The duplicates' evidence and the undoing of a merge by API: ``POST
/api/v1/duplicates/{id}/unmerge`` and ``/merges/{id}/unmerge``, ``GET /persons/{id}/merges``;
problems as RFC 9457 problem+json."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.auth import service as auth_service
from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.registry.models import DuplicateCandidate, Person
from tests import factories
from tests.web.officer_support import reported

REASON = "Two brothers born the same day; the passports differ."
EVIDENCE = [{"comparison": "name", "outcome": "close", "weight": 4.2}]


def _token(db: Session, email: str, role: Role, post: str | None = "kbri-seoul") -> dict[str, str]:
    auth_service.create_staff(db, email=email, role=role, representation_code=post)
    token = auth_service.create_token(db, email=email)
    db.commit()
    return {"Authorization": f"Bearer {token}"}


def _merged(client: TestClient, db: Session) -> tuple[str, str, str]:
    first = reported(db, full_name="Muhammad Yusuf", nik=factories.nik())
    second = reported(db, full_name="Moh. Jusuf", nik=None, passport_number="C7654321",
                      phone="+821099998888", email="jusuf@example.org")  # fmt: skip
    db.execute(update(DuplicateCandidate).values(evidence=EVIDENCE, match_probability=0.9))
    db.commit()
    officer = _token(db, "officer@kemlu.example", Role.OFFICER)
    pairs = client.get("/api/v1/duplicates", headers=officer).json()["items"]
    assert pairs[0]["evidence"] == EVIDENCE and pairs[0]["match_probability"] == 0.9
    answer = client.post(
        f"/api/v1/duplicates/{pairs[0]['id']}/merge",
        json={"keep_person_id": str(first)},
        headers=officer,
    )
    assert answer.status_code == 200, answer.text
    return pairs[0]["id"], str(first), str(second)


def test_a_supervisor_undoes_the_merge_of_a_pair(client: TestClient, db: Session) -> None:
    pair_id, first, second = _merged(client, db)
    supervisor = _token(db, "head@kemlu.example", Role.SUPERVISOR)
    answer = client.post(
        f"/api/v1/duplicates/{pair_id}/unmerge", json={"reason": REASON}, headers=supervisor
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert (body["kept"]["id"], body["absorbed"]["id"]) == (first, second)
    assert body["absorbed"]["status"] == "active" and body["unmerge_reason"] == REASON
    assert body["moved"]["stays"] == 1 and "place_of_birth" not in body["filled_fields"]
    db.expire_all()
    assert db.get_one(Person, uuid.UUID(second)).status == "active"
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "person.unmerge")).all()
    assert len(entries) == 2 and all(entry.reason == REASON for entry in entries)
    db.rollback()  # (SQLite: let the next request write)
    again = client.post(
        f"/api/v1/duplicates/{pair_id}/unmerge", json={"reason": REASON}, headers=supervisor
    )
    assert again.status_code == 404  # the pair has no merge in force any more


def test_merges_are_listed_and_undone_by_their_id(client: TestClient, db: Session) -> None:
    _, first, second = _merged(client, db)
    admin = _token(db, "hq@kemlu.example", Role.HQ_ADMIN, None)
    listed = client.get(f"/api/v1/persons/{second}/merges", headers=admin).json()
    assert [m["kept"]["id"] for m in listed] == [first]
    merge_id = listed[0]["id"]
    body = {"reason": REASON, "reopen": True}
    assert (
        client.post(f"/api/v1/merges/{merge_id}/unmerge", json=body, headers=admin).status_code
        == 200
    )
    assert client.get("/api/v1/duplicates", headers=admin).json()["total"] == 1  # open again
    twice = client.post(f"/api/v1/merges/{merge_id}/unmerge", json=body, headers=admin)
    assert twice.status_code == 409
    assert twice.headers["content-type"].startswith("application/problem+json")
    assert twice.json()["code"] == "already_unmerged"


def test_an_officer_may_not_undo_and_a_reason_is_required(client: TestClient, db: Session) -> None:
    pair_id, _, second = _merged(client, db)
    officer = _token(db, "officer2@kemlu.example", Role.OFFICER)
    refused = client.post(
        f"/api/v1/duplicates/{pair_id}/unmerge", json={"reason": REASON}, headers=officer
    )
    assert refused.status_code == 403 and refused.json()["code"] == "role_not_allowed"
    supervisor = _token(db, "head@kemlu.example", Role.SUPERVISOR)
    short = client.post(
        f"/api/v1/duplicates/{pair_id}/unmerge", json={"reason": "wrong"}, headers=supervisor
    )
    assert short.status_code == 422
    assert short.headers["content-type"].startswith("application/problem+json")
    elsewhere = _token(db, "kl@kemlu.example", Role.SUPERVISOR, "kbri-kuala-lumpur")
    other_post = client.post(
        f"/api/v1/duplicates/{pair_id}/unmerge", json={"reason": REASON}, headers=elsewhere
    )
    assert other_post.status_code == 403
    listed = client.get(f"/api/v1/persons/{second}/merges", headers=elsewhere)
    assert listed.status_code == 403
    db.expire_all()
    assert db.scalars(select(DuplicateCandidate.status)).one() == "merged"
