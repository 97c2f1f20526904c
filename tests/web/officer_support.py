"""Helpers of the officer page tests: staff accounts signed in through the real pages."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.auth import accounts, totp
from peduli.auth.actor import Role
from peduli.core.db import utcnow
from peduli.registry import service
from tests import factories

PASSWORD = "correct horse battery staple"
HTML = {"Accept": "text/html"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(html: str) -> str:
    """The CSRF token a page put in its forms."""
    match = _CSRF.search(html)
    assert match, "the page must carry a CSRF token in its form"
    return match.group(1)


def make_staff(
    db: Session,
    email: str = "officer@example.org",
    role: Role = Role.OFFICER,
    representation_code: str | None = "kbri-seoul",
    enrolled: bool = True,
) -> pyotp.TOTP:
    """Create and commit a staff account; its authenticator app as a ``pyotp.TOTP``."""
    account, _ = accounts.create_staff(
        db, email=email, role=role, representation_code=representation_code, password=PASSWORD
    )
    if enrolled:
        account.totp_confirmed_at = utcnow()
    uri = totp.provisioning_uri(account)
    db.commit()
    return pyotp.parse_uri(uri)  # type: ignore[return-value]


def sign_in(client: TestClient, email: str, app: pyotp.TOTP) -> None:
    """Sign in through the staff sign-in page (password and the app's current code)."""
    form = client.get("/officer/sign-in")
    answer = client.post(
        "/officer/sign-in",
        data={
            "email": email,
            "password": PASSWORD,
            "code": app.now(),
            "csrf_token": csrf(form.text),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/officer"


def signed_in_officer(
    client: TestClient,
    db: Session,
    email: str = "officer@example.org",
    role: Role = Role.OFFICER,
    representation_code: str | None = "kbri-seoul",
) -> None:
    """A staff member of ``representation_code`` signed in on ``client``."""
    sign_in(client, email, make_staff(db, email, role, representation_code))


def reported(db: Session, representation_code: str = "kbri-seoul", **fields: Any) -> uuid.UUID:
    """Record and commit a self-report made at the post; the person's id."""
    actor = factories.staff(Role.OFFICER, representation_code)
    outcome = service.submit_self_report(db, report=factories.report(**fields), actor=actor)
    db.commit()
    return outcome.person.id


def post_form(client: TestClient, path: str, data: dict[str, str], page: str) -> Any:
    """Submit a form of ``page`` (a path whose HTML has the CSRF token) without following."""
    token = csrf(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
