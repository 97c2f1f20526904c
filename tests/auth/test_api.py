"""Staff sign-in over HTTP: password + TOTP, enrolment, throttling, sessions, CSRF, sign-out."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.api.deps import SESSION_COOKIE
from peduli.auth import accounts
from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.auth.models import AuthSession, StaffAccount
from peduli.core.config import Settings
from tests.auth.conftest import API, Staff, sign_in

MakeStaff = Callable[..., Staff]


def _problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    assert body["detail"]
    return body


def _session_row(db: Session, cookie: str) -> AuthSession:
    db.expire_all()
    token_hash = hashlib.sha256(cookie.encode()).hexdigest()
    row = db.scalars(select(AuthSession).where(AuthSession.token_hash == token_hash)).one()
    db.commit()  # end the read: SQLite lets one transaction at a time hold the database
    return row


def test_sign_in_sets_a_hardened_cookie_and_returns_the_csrf_token(
    client: TestClient, db: Session, make_staff: MakeStaff
) -> None:
    staff = make_staff()
    response = client.post(
        f"{API}/login",
        json={"email": "Officer@Example.org", "password": staff.password, "totp": staff.code()},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["role"] == "officer"
    assert body["representation_code"] == "kbri-seoul"
    assert len(body["csrf_token"]) >= 32
    assert response.headers["cache-control"] == "no-store"
    cookie_header = response.headers["set-cookie"].lower()
    for attribute in ("httponly", "samesite=lax", "path=/"):
        assert attribute in cookie_header
    cookie = client.cookies[SESSION_COOKIE]
    row = _session_row(db, cookie)  # only the SHA-256 of the cookie is stored
    assert row.csrf_token == body["csrf_token"]
    assert cookie not in {row.token_hash, row.csrf_token}
    me = client.get(f"{API}/session")
    assert me.status_code == 200
    assert me.json()["account_id"] == str(staff.account.id)
    assert me.headers["cache-control"] == "no-store"


def test_cookie_is_secure_when_configured(
    client: TestClient, make_staff: MakeStaff, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "cookie_secure", True)
    staff = make_staff()
    response = client.post(
        f"{API}/login",
        json={"email": staff.email, "password": staff.password, "totp": staff.code()},
    )
    assert "secure" in response.headers["set-cookie"].lower()


def test_wrong_password_and_wrong_code_are_the_same_401(
    client: TestClient, make_staff: MakeStaff
) -> None:
    staff = make_staff()
    wrong_password = client.post(
        f"{API}/login", json={"email": staff.email, "password": "x" * 14, "totp": staff.code()}
    )
    wrong_code = client.post(
        f"{API}/login", json={"email": staff.email, "password": staff.password, "totp": "000000"}
    )
    unknown = client.post(
        f"{API}/login", json={"email": "nobody@example.org", "password": "x" * 14, "totp": "1"}
    )
    bodies = [
        _problem(r, 401, "invalid_credentials") for r in (wrong_password, wrong_code, unknown)
    ]
    assert len({b["detail"] for b in bodies}) == 1  # nothing tells which part was wrong
    assert wrong_password.headers["www-authenticate"] == "Bearer"


def test_totp_is_required_for_an_enrolled_account(
    client: TestClient, make_staff: MakeStaff
) -> None:
    staff = make_staff()
    response = client.post(f"{API}/login", json={"email": staff.email, "password": staff.password})
    _problem(response, 401, "totp_required")
    assert SESSION_COOKIE not in client.cookies


def test_a_totp_code_cannot_be_replayed(client: TestClient, make_staff: MakeStaff) -> None:
    staff = make_staff()
    code = staff.code()
    credentials = {"email": staff.email, "password": staff.password, "totp": code}
    assert client.post(f"{API}/login", json=credentials).status_code == 200
    _problem(client.post(f"{API}/login", json=credentials), 401, "totp_replayed")
    # An earlier step is a replay too; the next step is accepted once.
    _problem(
        client.post(f"{API}/login", json={**credentials, "totp": staff.code(-1)}),
        401,
        "totp_replayed",
    )
    assert (
        client.post(f"{API}/login", json={**credentials, "totp": staff.code(1)}).status_code == 200
    )


def test_enrolment_flow_end_to_end(client: TestClient, db: Session, make_staff: MakeStaff) -> None:
    staff = make_staff(enrolled=False)
    login = {"email": staff.email, "password": staff.password}
    body = _problem(client.post(f"{API}/login", json=login), 403, "totp_enrolment_required")
    token = body["enrolment_token"]

    enrol = client.post(f"{API}/totp/enrol", json={"enrolment_token": token})
    assert enrol.status_code == 200, enrol.text
    assert enrol.headers["cache-control"] == "no-store"
    key = enrol.json()
    assert key["otpauth_uri"].startswith("otpauth://totp/Peduli:")
    assert key["secret"] == staff.secret  # the key provisioned at creation, not a new one
    import base64

    assert base64.b64decode(key["qr_png_base64"]).startswith(b"\x89PNG\r\n\x1a\n")

    wrong = client.post(f"{API}/totp/confirm", json={"enrolment_token": token, "totp": "000000"})
    _problem(wrong, 401, "invalid_credentials")
    confirm = client.post(
        f"{API}/totp/confirm", json={"enrolment_token": token, "totp": staff.code()}
    )
    assert confirm.status_code == 200, confirm.text
    assert client.get(f"{API}/session").json()["display"] == staff.email

    # Enrolled now: the password alone no longer suffices, and enrolment cannot restart.
    _problem(client.post(f"{API}/login", json=login), 401, "totp_required")
    again = client.post(f"{API}/totp/enrol", json={"enrolment_token": token})
    _problem(again, 409, "totp_enrolled")
    db.expire_all()
    assert db.get_one(StaffAccount, staff.account.id).totp_confirmed_at is not None


def test_forged_or_tampered_enrolment_tokens_are_refused(
    client: TestClient, make_staff: MakeStaff
) -> None:
    staff = make_staff(enrolled=False)
    login = {"email": staff.email, "password": staff.password}
    token = client.post(f"{API}/login", json=login).json()["enrolment_token"]
    account_id, expires, signature = token.split(".")
    for forged in (
        f"{account_id}.{int(expires) + 3600}.{signature}",
        f"{account_id}.{expires}.{'0' * 64}",
        "not-a-token",
    ):
        response = client.post(f"{API}/totp/enrol", json={"enrolment_token": forged})
        _problem(response, 401, "enrolment_token_invalid")


def test_agency_accounts_cannot_sign_in_interactively(
    client: TestClient, make_staff: MakeStaff
) -> None:
    make_staff(email="bp2mi@example.org", role=Role.AGENCY, representation_code=None)
    response = client.post(
        f"{API}/login", json={"email": "bp2mi@example.org", "password": "anything-at-all"}
    )
    _problem(response, 401, "invalid_credentials")


def test_account_lockout_after_too_many_failures(
    client: TestClient,
    db: Session,
    make_staff: MakeStaff,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "login_max_failures", 3)
    staff = make_staff()
    bad = {"email": staff.email, "password": "wrong password!", "totp": "123456"}
    for _ in range(3):
        _problem(client.post(f"{API}/login", json=bad), 401, "invalid_credentials")
    good = {"email": staff.email, "password": staff.password, "totp": staff.code()}
    locked = client.post(f"{API}/login", json=good)
    _problem(locked, 429, "rate_limited")
    retry_after = int(locked.headers["retry-after"])
    assert 0 < retry_after <= settings.login_lockout_minutes * 60
    actions = db.scalars(
        select(AuditEntry.action).where(AuditEntry.outcome == "denied").order_by(AuditEntry.seq)
    ).all()
    assert actions.count("auth.sign_in") == 3  # each failure audited although it rolled back
    assert "auth.lockout" in actions
    # Another address's account is not affected.
    other = make_staff(email="other@example.org")
    credentials = {"email": other.email, "password": other.password, "totp": other.code()}
    assert client.post(f"{API}/login", json=credentials).status_code == 200


def test_success_clears_the_failure_count(
    client: TestClient, make_staff: MakeStaff, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "login_max_failures", 2)
    staff = make_staff()
    bad = {"email": staff.email, "password": "wrong password!", "totp": "123456"}
    _problem(client.post(f"{API}/login", json=bad), 401, "invalid_credentials")
    sign_in(client, staff)
    _problem(client.post(f"{API}/login", json=bad), 401, "invalid_credentials")
    sign_in(client, staff, offset=1)


def test_failures_from_one_ip_are_throttled_across_accounts(
    client: TestClient, make_staff: MakeStaff, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "login_max_failures", 1)  # 4 failures per IP
    monkeypatch.setattr(settings, "trusted_proxies", "127.0.0.1")
    staff = make_staff()
    attacker = {"X-Forwarded-For": "203.0.113.9"}
    for n in range(4):
        bad = {"email": f"guess{n}@example.org", "password": "wrong password!"}
        _problem(
            client.post(f"{API}/login", json=bad, headers=attacker), 401, "invalid_credentials"
        )
    good = {"email": staff.email, "password": staff.password, "totp": staff.code()}
    throttled = client.post(f"{API}/login", json=good, headers=attacker)
    _problem(throttled, 429, "rate_limited")
    assert int(throttled.headers["retry-after"]) > 0
    elsewhere = client.post(f"{API}/login", json=good, headers={"X-Forwarded-For": "198.51.100.1"})
    assert elsewhere.status_code == 200


def test_every_sign_in_gets_a_new_session_and_ends_the_old_one(
    client: TestClient, db: Session, make_staff: MakeStaff
) -> None:
    staff = make_staff()
    first_body = sign_in(client, staff)
    first = client.cookies[SESSION_COOKIE]
    second_body = sign_in(client, staff, offset=1)  # the old cookie is sent along
    second = client.cookies[SESSION_COOKIE]
    assert first != second
    assert first_body["csrf_token"] != second_body["csrf_token"]
    assert _session_row(db, first).revoked_at is not None
    client.cookies.set(SESSION_COOKIE, first)
    _problem(client.get(f"{API}/session"), 401, "session_ended")


def _shift(db: Session, cookie: str, **deltas: timedelta) -> None:
    """Move a session's timestamps into the past instead of sleeping."""
    row = _session_row(db, cookie)
    values = {name: getattr(row, name) - delta for name, delta in deltas.items()}
    db.execute(update(AuthSession).where(AuthSession.id == row.id).values(**values))
    db.commit()


def test_idle_timeout_ends_the_session(
    client: TestClient, db: Session, make_staff: MakeStaff, settings: Settings
) -> None:
    sign_in(client, make_staff())
    cookie = client.cookies[SESSION_COOKIE]
    _shift(db, cookie, last_seen_at=timedelta(minutes=settings.session_idle_minutes - 1))
    assert client.get(f"{API}/session").status_code == 200  # still within the idle limit
    _shift(db, cookie, last_seen_at=timedelta(minutes=settings.session_idle_minutes + 1))
    _problem(client.get(f"{API}/session"), 401, "session_expired")


def test_absolute_timeout_ends_an_active_session(
    client: TestClient, db: Session, make_staff: MakeStaff, settings: Settings
) -> None:
    sign_in(client, make_staff())
    cookie = client.cookies[SESSION_COOKIE]
    row = _session_row(db, cookie)
    assert row.expires_at - row.created_at == timedelta(hours=settings.session_absolute_hours)
    _shift(db, cookie, expires_at=timedelta(hours=settings.session_absolute_hours))
    _problem(client.get(f"{API}/session"), 401, "session_expired")


def test_last_seen_is_written_at_most_once_a_minute(
    client: TestClient, db: Session, make_staff: MakeStaff
) -> None:
    sign_in(client, make_staff())
    cookie = client.cookies[SESSION_COOKIE]
    _shift(db, cookie, last_seen_at=timedelta(seconds=30))
    before = _session_row(db, cookie).last_seen_at
    client.get(f"{API}/session")
    assert _session_row(db, cookie).last_seen_at == before
    _shift(db, cookie, last_seen_at=timedelta(seconds=60))
    client.get(f"{API}/session")
    assert _session_row(db, cookie).last_seen_at > before


def test_sign_out_needs_csrf_and_ends_the_session(
    client: TestClient, db: Session, make_staff: MakeStaff
) -> None:
    body = sign_in(client, make_staff())
    cookie = client.cookies[SESSION_COOKIE]
    _problem(client.post(f"{API}/logout"), 403, "csrf_failed")
    _problem(client.post(f"{API}/logout", headers={"X-CSRF-Token": "forged"}), 403, "csrf_failed")
    response = client.post(f"{API}/logout", headers={"X-CSRF-Token": body["csrf_token"]})
    assert response.status_code == 204
    assert _session_row(db, cookie).revoked_at is not None
    client.cookies.set(SESSION_COOKIE, cookie)
    _problem(client.get(f"{API}/session"), 401, "session_ended")
    actions = db.scalars(select(AuditEntry.action)).all()
    assert "auth.sign_out" in actions


def test_disabling_an_account_ends_its_sessions_and_tokens(
    client: TestClient, db: Session, make_staff: MakeStaff
) -> None:
    staff = make_staff()
    sign_in(client, staff)
    cookie = client.cookies[SESSION_COOKIE]
    token = accounts.create_token(db, email=staff.email)
    db.commit()
    assert (
        client.get(f"{API}/tokens", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )
    accounts.disable_staff(db, email=staff.email)
    db.commit()
    _problem(client.get(f"{API}/session"), 401, "session_ended")
    revoked = client.get(f"{API}/tokens", headers={"Authorization": f"Bearer {token}"})
    _problem(revoked, 401, "token_revoked")
    client.cookies.clear()
    login = {"email": staff.email, "password": staff.password, "totp": staff.code(1)}
    _problem(client.post(f"{API}/login", json=login), 401, "account_disabled")
    assert _session_row(db, cookie).revoked_at is not None
