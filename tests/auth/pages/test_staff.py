"""Staff sign-in pages: password and TOTP, first-time enrolment with a QR code, errors,
lockout and sign-out — through the real pages, auth service and database."""

from __future__ import annotations

import base64
import re

import httpx
import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.api.deps import SESSION_COOKIE
from peduli.auth.audit import AuditEntry
from peduli.auth.models import StaffAccount
from peduli.core.config import get_settings
from tests.web.officer_support import HTML, PASSWORD, csrf, make_staff, sign_in


def _post_sign_in(client: TestClient, **fields: str) -> httpx.Response:
    token = csrf(client.get("/officer/sign-in").text)
    return client.post(
        "/officer/sign-in", data={**fields, "csrf_token": token}, follow_redirects=False
    )


def test_officer_pages_send_a_signed_out_reader_to_sign_in(client: TestClient) -> None:
    answer = client.get("/officer/search", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/officer/sign-in?next=/officer/search"


def test_sign_in_with_password_and_totp_opens_the_queue(client: TestClient, db: Session) -> None:
    app = make_staff(db)
    sign_in(client, "officer@example.org", app)
    queue = client.get("/officer")
    assert queue.status_code == 200
    assert "officer@example.org" in queue.text
    assert queue.headers["cache-control"] == "no-store"


def test_the_language_picked_on_the_pages_becomes_the_language_of_alerts(
    client: TestClient, db: Session
) -> None:
    def language_of(email: str) -> str:
        found = db.scalars(
            select(StaffAccount.preferred_language).where(StaffAccount.email == email)
        )
        language = found.one()
        db.rollback()
        return language

    sign_in(client, "officer@example.org", make_staff(db))
    assert language_of("officer@example.org") == "id"  # nothing picked: stays Indonesian
    client.post("/officer/sign-out", data={"csrf_token": csrf(client.get("/officer").text)})
    client.cookies.set("peduli_lang", "fr")
    sign_in(client, "agent@example.org", make_staff(db, "agent@example.org"))
    assert language_of("agent@example.org") == "fr"


def test_sign_in_returns_to_the_page_asked_for(client: TestClient, db: Session) -> None:
    app = make_staff(db)
    form = client.get("/officer/sign-in?next=/officer/search")
    assert 'name="next" value="/officer/search"' in form.text
    answer = client.post(
        "/officer/sign-in",
        data={
            "email": "officer@example.org",
            "password": PASSWORD,
            "code": app.now(),
            "next": "https://evil.example/officer",
            "csrf_token": csrf(form.text),
        },
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/officer"  # never leaves the site


def test_wrong_password_says_so_and_keeps_the_email(client: TestClient, db: Session) -> None:
    app = make_staff(db)
    client.get("/officer/sign-in?lang=en")
    answer = _post_sign_in(
        client, email="officer@example.org", password="wrong password!!", code=app.now()
    )
    assert answer.status_code == 401
    html = answer.text
    assert 'role="alert"' in html
    assert "The email, password or code is not right." in html
    assert 'value="officer@example.org"' in html
    failures = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "auth.sign_in", AuditEntry.outcome == "denied"
        )
    ).all()
    assert len(failures) == 1  # counted and audited although the request rolled back


def test_missing_code_is_shown_next_to_the_code_field(client: TestClient, db: Session) -> None:
    make_staff(db)
    answer = _post_sign_in(client, email="officer@example.org", password=PASSWORD, code="")
    html = answer.text
    assert answer.status_code == 401
    assert 'id="code-error"' in html
    assert re.search(r'id="code"[^>]*aria-invalid="true"', html)


def test_lockout_tells_when_to_try_again(client: TestClient, db: Session) -> None:
    make_staff(db)
    for _ in range(get_settings().login_max_failures):
        _post_sign_in(client, email="officer@example.org", password="nope nope nope", code="123456")
    answer = _post_sign_in(client, email="officer@example.org", password=PASSWORD, code="000000")
    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) > 0
    assert "Coba lagi dalam" in answer.text


def test_a_form_without_its_token_is_refused(client: TestClient, db: Session) -> None:
    app = make_staff(db)
    client.get("/officer/sign-in")
    answer = client.post(
        "/officer/sign-in",
        data={"email": "officer@example.org", "password": PASSWORD, "code": app.now()},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert SESSION_COOKIE not in answer.cookies


def test_first_sign_in_enrols_the_authenticator_with_a_qr_code(
    client: TestClient, db: Session
) -> None:
    make_staff(db, enrolled=False)
    answer = _post_sign_in(client, email="officer@example.org", password=PASSWORD, code="")
    html = answer.text
    assert answer.status_code == 200
    qr = re.search(r'src="data:image/png;base64,([^"]+)"', html)
    assert qr and base64.b64decode(qr.group(1)).startswith(b"\x89PNG")
    secret = re.search(r'class="officer-secret">([A-Z2-7 ]+)<', html)
    assert secret
    app = pyotp.TOTP(secret.group(1).replace(" ", ""))
    token = re.search(r'name="enrolment_token" value="([^"]+)"', html)
    assert token

    wrong = client.post(
        "/officer/enrol",
        data={"enrolment_token": token.group(1), "code": "000000", "csrf_token": csrf(html)},
        follow_redirects=False,
    )
    assert wrong.status_code == 401
    assert 'id="code-error"' in wrong.text and "data:image/png;base64," in wrong.text

    confirmed = client.post(
        "/officer/enrol",
        data={"enrolment_token": token.group(1), "code": app.now(), "csrf_token": csrf(html)},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == "/officer"
    assert client.get("/officer").status_code == 200
    db.expire_all()
    account = db.scalars(select(StaffAccount)).one()
    assert account.totp_confirmed_at is not None


def test_sign_out_ends_the_session(client: TestClient, db: Session) -> None:
    sign_in(client, "officer@example.org", make_staff(db))
    queue = client.get("/officer")
    answer = client.post(
        "/officer/sign-out", data={"csrf_token": csrf(queue.text)}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/officer/sign-in"
    again = client.get("/officer", follow_redirects=False)
    assert again.status_code == 303


def test_sign_out_needs_the_session_csrf_token(client: TestClient, db: Session) -> None:
    sign_in(client, "officer@example.org", make_staff(db))
    answer = client.post("/officer/sign-out", data={"csrf_token": "forged"}, headers=HTML)
    assert answer.status_code == 403
    assert client.get("/officer").status_code == 200
