"""API bearer tokens: hashed, prefixed, scoped, expiring, revocable; CSRF not needed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.auth import accounts, tokens
from peduli.auth import service as auth_service
from peduli.auth.actor import Role
from peduli.auth.models import ApiToken
from peduli.core.errors import Forbidden, NotAuthenticated, ValidationFailed
from tests.auth.conftest import API, Staff, sign_in

MakeStaff = Callable[..., Staff]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _row(db: Session, token: str) -> ApiToken:
    db.commit()  # keep what the code under test wrote, then read the row afresh
    digest = hashlib.sha256(token.encode()).hexdigest()
    query = select(ApiToken).where(ApiToken.token_hash == digest)
    row = db.scalars(query.execution_options(populate_existing=True)).one()
    db.commit()
    return row


def test_a_token_is_prefixed_random_and_stored_only_as_a_hash(
    db: Session, make_staff: MakeStaff
) -> None:
    staff = make_staff()
    first = accounts.create_token(db, email=staff.email)
    second = accounts.create_token(db, email=staff.email)
    db.commit()
    assert first.startswith("pdl_") and len(first) > 40
    assert first != second
    row = _row(db, first)
    assert first not in (row.token_hash, row.prefix, row.scopes)
    assert first.startswith(row.prefix)


def test_default_scopes_follow_the_role_and_requests_are_checked(
    db: Session, make_staff: MakeStaff
) -> None:
    officer = make_staff()
    token = accounts.create_token(db, email=officer.email)
    assert set(_row(db, token).scopes.split()) == tokens.ROLE_SCOPES[Role.OFFICER]
    narrow = accounts.create_token(db, email=officer.email, scopes=["registry:read"])
    assert _row(db, narrow).scopes == "registry:read"
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_token(db, email=officer.email, scopes=["audit:read"])
    assert refused.value.problems[0].field == "scopes"
    with pytest.raises(ValidationFailed):
        accounts.create_token(db, email=officer.email, scopes=["registry:delete"])
    with pytest.raises(ValidationFailed):
        accounts.create_token(db, email=officer.email, days=0)


def test_the_actor_of_a_token_carries_its_scopes(db: Session, make_staff: MakeStaff) -> None:
    staff = make_staff()
    token = accounts.create_token(db, email=staff.email, scopes=["registry:read"], days=5)
    actor = auth_service.resolve_actor(
        db, bearer_token=token, session_token=None, ip="192.0.2.1", method="POST", csrf_token=None
    )
    assert actor is not None
    assert actor.via == "token"
    assert actor.account_id == staff.account.id
    assert actor.has_scope("registry:read")
    assert not actor.has_scope("registry:write")
    row = _row(db, token)
    assert row.last_used_at is not None
    assert row.expires_at - row.created_at == timedelta(days=5)


def test_no_credentials_is_anonymous(db: Session) -> None:
    actor = auth_service.resolve_actor(
        db, bearer_token=None, session_token=None, ip="192.0.2.1", method="POST", csrf_token=None
    )
    assert actor is None


def test_expired_revoked_and_unknown_tokens_are_refused(
    client: TestClient, db: Session, make_staff: MakeStaff
) -> None:
    staff = make_staff()
    token = accounts.create_token(db, email=staff.email)
    db.commit()
    assert client.get(f"{API}/tokens", headers=_bearer(token)).status_code == 200
    row = _row(db, token)
    db.execute(update(ApiToken).where(ApiToken.id == row.id).values(expires_at=row.created_at))
    db.commit()
    expired = client.get(f"{API}/tokens", headers=_bearer(token))
    assert (expired.status_code, expired.json()["code"]) == (401, "token_expired")
    unknown = client.get(f"{API}/tokens", headers=_bearer("pdl_" + "x" * 43))
    assert (unknown.status_code, unknown.json()["code"]) == (401, "token_invalid")


def test_a_bearer_request_needs_no_csrf_token_and_can_revoke_itself(
    client: TestClient, db: Session, make_staff: MakeStaff
) -> None:
    staff = make_staff()
    token = accounts.create_token(db, email=staff.email)
    db.commit()
    listed = client.get(f"{API}/tokens", headers=_bearer(token)).json()
    assert [t["prefix"] for t in listed] == [token[:12]]
    assert "token" not in listed[0]
    response = client.delete(f"{API}/tokens/{listed[0]['id']}", headers=_bearer(token))
    assert response.status_code == 204
    after = client.get(f"{API}/tokens", headers=_bearer(token))
    assert (after.status_code, after.json()["code"]) == (401, "token_revoked")


def test_a_signed_in_staff_member_creates_a_token_with_csrf(
    client: TestClient, db: Session, make_staff: MakeStaff
) -> None:
    staff = make_staff()
    session = sign_in(client, staff)
    without = client.post(f"{API}/tokens", json={"scopes": ["registry:read"]})
    assert (without.status_code, without.json()["code"]) == (403, "csrf_failed")
    created = client.post(
        f"{API}/tokens",
        json={"scopes": ["registry:read"], "days": 30},
        headers={"X-CSRF-Token": session["csrf_token"]},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["scopes"] == ["registry:read"]
    assert body["token"].startswith(body["prefix"])
    assert created.headers["cache-control"] == "no-store"
    client.cookies.clear()
    assert client.get(f"{API}/tokens", headers=_bearer(body["token"])).status_code == 200


def test_a_token_cannot_mint_tokens(client: TestClient, db: Session, make_staff: MakeStaff) -> None:
    staff = make_staff()
    token = accounts.create_token(db, email=staff.email)
    db.commit()
    response = client.post(f"{API}/tokens", json={}, headers=_bearer(token))
    assert (response.status_code, response.json()["code"]) == (403, "session_required")


def test_only_an_hq_admin_creates_tokens_for_an_agency(db: Session, make_staff: MakeStaff) -> None:
    admin = make_staff(email="admin@example.org", role=Role.HQ_ADMIN, representation_code=None)
    officer = make_staff()
    make_staff(email="dukcapil@example.org", role=Role.AGENCY, representation_code=None)
    admin_actor = auth_service.staff_actor(admin.account, ip=None, via="session")
    officer_actor = auth_service.staff_actor(officer.account, ip=None, via="session")
    issued = accounts.create_token_for(
        db, actor=admin_actor, email="dukcapil@example.org", scopes=None, days=None
    )
    assert set(issued.row.scopes.split()) == tokens.ROLE_SCOPES[Role.AGENCY]
    with pytest.raises(Forbidden):
        accounts.create_token_for(
            db, actor=officer_actor, email="dukcapil@example.org", scopes=None, days=None
        )
    with pytest.raises(Forbidden):  # not for another staff member either
        accounts.create_token_for(
            db, actor=admin_actor, email=officer.email, scopes=None, days=None
        )


def test_an_agency_token_works_although_agencies_cannot_sign_in(
    db: Session, make_staff: MakeStaff
) -> None:
    make_staff(email="bp2mi@example.org", role=Role.AGENCY, representation_code=None)
    token = accounts.create_token(db, email="bp2mi@example.org", scopes=["registry:read"])
    actor = auth_service.resolve_actor(
        db, bearer_token=token, session_token=None, ip="192.0.2.1", method="GET", csrf_token=None
    )
    assert actor is not None and actor.role == Role.AGENCY
    accounts.disable_staff(db, email="bp2mi@example.org")
    with pytest.raises(NotAuthenticated):
        auth_service.resolve_actor(
            db, bearer_token=token, session_token=None, ip="x", method="GET", csrf_token=None
        )
