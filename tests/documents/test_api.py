"""The documents API: the cacheable trust list, verification, revocation (problem+json)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.auth import tokens
from peduli.auth.actor import Role
from peduli.auth.models import StaffAccount
from peduli.documents import keys
from peduli.registry.models import Person
from tests.documents.conftest import KL, SEOUL, issue, tampered

VERIFY = "/api/v1/documents/verify"


@pytest.fixture
def bearer(db: Session) -> dict[str, dict[str, str]]:
    headers: dict[str, dict[str, str]] = {}
    for name, role, post in (("officer", Role.OFFICER, SEOUL), ("officer_kl", Role.OFFICER, KL),
                             ("analyst", Role.HQ_ANALYST, None)):  # fmt: skip
        account = StaffAccount(email=f"{name}@kemlu.example", display_name=name,
                               role=role.value, representation_code=post)  # fmt: skip
        db.add(account)
        db.flush()
        headers[name] = {
            "Authorization": f"Bearer {tokens.issue(db, account=account, days=1).token}"
        }
    db.commit()
    return headers


def test_trust_list_is_public_signed_and_cacheable(client: TestClient, db: Session,
                                                   person: Person) -> None:  # fmt: skip
    issue(db, person)
    answer = client.get("/api/v1/documents/trust-list")
    assert answer.status_code == 200
    assert (
        "public" in answer.headers["cache-control"] and "max-age" in answer.headers["cache-control"]
    )
    listed = answer.json()
    assert [k["state"] for k in listed["keys"]] == ["active"]
    assert listed["keys"][0]["jwk"]["crv"] == "P-256"
    assert keys.read_signed_list(listed["signed"]) == {
        k: v for k, v in listed.items() if k != "signed"
    }
    again = client.get("/api/v1/documents/trust-list",
                       headers={"If-None-Match": answer.headers["etag"]})  # fmt: skip
    assert again.status_code == 304


def test_verify_valid_forged_revoked(client: TestClient, db: Session, person: Person,
                                     bearer: dict[str, dict[str, str]]) -> None:  # fmt: skip
    issued = issue(db, person)
    valid = client.post(VERIFY, json={"payload": issued.payload})
    assert valid.status_code == 200 and valid.headers["cache-control"] == "no-store"
    body = valid.json()
    assert body["status"] == "valid"
    assert body["document"]["name"] == person.full_name
    assert body["document"]["birth_date"] == person.date_of_birth.isoformat()
    assert body["document"]["representation"] == SEOUL
    forged = client.post(VERIFY, json={"payload": tampered(issued.payload)}).json()
    assert forged == {"status": "forged", "key_id": None, "document": None,
                      "revoked_at": None, "revocation_reason": None}  # fmt: skip

    path = f"/api/v1/documents/{issued.document.id}/revoke"
    other_post = client.post(path, json={"reason": "lost"}, headers=bearer["officer_kl"])
    assert other_post.status_code == 404
    assert other_post.headers["content-type"] == "application/problem+json"
    assert client.post(path, json={"reason": "lost"}, headers=bearer["analyst"]).status_code == 403
    assert client.post(path, json={"reason": "lost"}).status_code == 401
    bad_reason = client.post(path, json={"reason": "whim"}, headers=bearer["officer"])
    assert bad_reason.status_code == 422
    done = client.post(path, json={"reason": "replaced", "note": "new one issued"},
                       headers=bearer["officer"])  # fmt: skip
    assert done.status_code == 200 and done.json()["revocation_reason"] == "replaced"
    revoked = client.post(VERIFY, json={"payload": issued.payload}).json()
    assert revoked["status"] == "revoked" and revoked["revocation_reason"] == "replaced"
    assert revoked["document"]["number"] == issued.document.number
    twice = client.post(path, json={"reason": "lost"}, headers=bearer["officer"])
    assert twice.status_code == 409


@pytest.mark.parametrize(
    "body",
    [{"payload": "hello"}, {"payload": "PDL1:%%%%"}, {"payload": 42}, {}, {"payload": "x" * 5000}],
)
def test_garbage_is_a_problem_not_a_500(client: TestClient, body: dict[str, object]) -> None:
    answer = client.post(VERIFY, json=body)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert "payload" in answer.text
