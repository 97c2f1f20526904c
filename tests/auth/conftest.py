"""Fixtures of the authentication tests: staff accounts with known credentials, the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.auth import accounts, totp
from peduli.auth.actor import Role
from peduli.auth.models import StaffAccount
from peduli.core.config import Settings, get_settings
from peduli.core.db import utcnow

PASSWORD = "correct horse battery staple"
API = "/api/v1/auth"


@dataclass
class Staff:
    """A staff account made through ``create_staff``, with what its owner knows."""

    email: str
    password: str
    secret: str
    account: StaffAccount

    def code(self, offset: int = 0) -> str:
        """The TOTP code ``offset`` time steps from now (the drift window accepts ±1)."""
        generator = pyotp.TOTP(self.secret)
        return generator.generate_otp(generator.timecode(utcnow()) + offset)


@pytest.fixture
def settings() -> Settings:
    """The live settings object; tests lower limits with ``monkeypatch.setattr``."""
    return get_settings()


@pytest.fixture
def make_staff(db: Session) -> Callable[..., Staff]:
    """Create and commit an account; ``enrolled`` marks its second factor as confirmed."""

    def make(
        email: str = "officer@example.org",
        role: Role = Role.OFFICER,
        representation_code: str | None = "kbri-seoul",
        enrolled: bool = True,
    ) -> Staff:
        agency = role == Role.AGENCY
        account, _ = accounts.create_staff(
            db,
            email=email,
            role=role,
            representation_code=representation_code,
            password=None if agency else PASSWORD,
        )
        if enrolled and not agency:
            account.totp_confirmed_at = utcnow()
        db.commit()
        secret = "" if agency else totp.ensure_secret(account)
        return Staff(email, PASSWORD, secret, account)

    return make


def sign_in(client: TestClient, staff: Staff, *, offset: int = 0) -> dict[str, str]:
    """Sign ``staff`` in; returns the session body (csrf_token...). The client keeps the cookie."""
    response = client.post(
        f"{API}/login",
        json={"email": staff.email, "password": staff.password, "totp": staff.code(offset)},
    )
    assert response.status_code == 200, response.text
    return response.json()
