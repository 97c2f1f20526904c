"""Rate limits and the audit log see the caller's real address, not a header it wrote."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.audit import AuditEntry
from peduli.core.config import get_settings

LOGIN = "/api/v1/auth/login"


def _fail(client: TestClient, n: int, forwarded: str) -> int:
    bad = {"email": f"guess{n}@example.org", "password": "wrong password!", "totp": "123456"}
    return client.post(LOGIN, json=bad, headers={"X-Forwarded-For": forwarded}).status_code


def test_an_untrusted_peer_rotating_x_forwarded_for_stays_limited(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "login_max_failures", 1)  # 4 failures per address
    answers = [_fail(client, n, f"198.51.100.{n}") for n in range(6)]
    assert answers == [401, 401, 401, 401, 429, 429]


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_audited(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "trusted_proxies", "127.0.0.0/8,10.0.0.0/8")
    assert _fail(client, 0, "6.6.6.6, 203.0.113.9, 10.0.0.4") == 401
    ips = db.scalars(select(AuditEntry.ip).where(AuditEntry.action == "auth.sign_in")).all()
    assert ips == ["203.0.113.9"]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "login_max_failures", 1)
    monkeypatch.setattr(get_settings(), "trusted_proxies", "127.0.0.1")
    assert [_fail(client, n, "203.0.113.9") for n in range(5)][-1] == 429
    assert _fail(client, 9, "198.51.100.1") == 401  # another client behind the same proxy
    assert _fail(client, 10, "1.2.3.4, 203.0.113.9") == 429  # a forged left entry changes nothing
