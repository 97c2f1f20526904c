"""Sign-in throttles hold off guessing without locking the real owner out.

Figures (docs/security.md, "Production defaults"): 5 failures per account from clients
the owner never used, 20 per address, 5 per known device, each for 15 minutes; codes: 5
requests an hour per address (or known device), 30 per address of the requester.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.devices import DEVICE_COOKIE
from peduli.core.config import Settings
from peduli.notify.models import OutboxMessage
from tests.auth.conftest import API, Staff, sign_in

MakeStaff = Callable[..., Staff]
WRONG = "wrong password!"


def latest_code(db: Session) -> str:
    query = select(OutboxMessage.body).order_by(OutboxMessage.created_at.desc()).limit(1)
    body = db.scalars(query).one()
    db.commit()
    match = re.search(r"\b(\d{6})\b", body)
    assert match, body
    return match.group(1)


def _login(client: TestClient, email: str, password: str, code: str = "123456") -> int:
    body = {"email": email, "password": password, "totp": code}
    return client.post(f"{API}/login", json=body).status_code


def test_an_attacker_spending_the_accounts_budget_does_not_lock_out_the_officers_device(
    client: TestClient, make_staff: MakeStaff, settings: Settings
) -> None:
    staff = make_staff()
    sign_in(client, staff)  # the officer's own browser: it becomes a known device
    device = client.cookies[DEVICE_COOKIE]
    client.cookies.clear()  # the attacker, elsewhere, without that cookie
    failures = [_login(client, staff.email, WRONG) for _ in range(settings.login_max_failures)]
    assert failures == [401] * settings.login_max_failures
    assert _login(client, staff.email, staff.password, staff.code(1)) == 429  # attacker: locked
    client.cookies.clear()
    client.cookies.set(DEVICE_COOKIE, device)
    assert _login(client, staff.email, staff.password, staff.code(1)) == 200  # officer: not


def test_a_known_device_has_its_own_budget(
    client: TestClient, make_staff: MakeStaff, settings: Settings
) -> None:
    staff = make_staff()
    sign_in(client, staff)
    for _ in range(settings.login_max_failures):
        assert _login(client, staff.email, WRONG) == 401
    assert _login(client, staff.email, staff.password, staff.code(1)) == 429
    client.cookies.clear()  # the device's failures did not spend the account's budget
    assert _login(client, staff.email, staff.password, staff.code(1)) == 200


def test_a_forged_device_cookie_counts_as_an_unknown_client(
    client: TestClient, make_staff: MakeStaff, settings: Settings
) -> None:
    staff = make_staff()
    client.cookies.set(DEVICE_COOKIE, "forged-id.0123456789abcdef0123456789abcdef")
    for _ in range(settings.login_max_failures):
        assert _login(client, staff.email, WRONG) == 401
    assert _login(client, staff.email, staff.password, staff.code()) == 429


@pytest.mark.usefixtures("production_password_hashing")
def test_an_unknown_email_gets_the_same_answer_in_about_the_same_time(
    client: TestClient, make_staff: MakeStaff, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.setattr(settings, "login_max_failures", 100)
    staff = make_staff()

    def attempt(email: str) -> tuple[float, dict[str, object]]:
        started = time.perf_counter()
        response = client.post(f"{API}/login", json={"email": email, "password": WRONG})
        body = response.json()
        body.pop("request_id")  # each answer names its own request
        return time.perf_counter() - started, body

    # Interleaved, so that both see the same load from tests running beside this one.
    pairs = [(attempt(staff.email), attempt(f"nobody{n}@example.org")) for n in range(8)]
    known, unknown = [k for k, _u in pairs], [u for _k, u in pairs]
    assert {str(body) for _t, body in known} == {str(body) for _t, body in unknown}
    ratio = statistics.median(t for t, _b in unknown) / statistics.median(t for t, _b in known)
    assert 0.5 < ratio < 2.0, ratio  # the password is hashed either way (was ~0.01)


def _ask_code(client: TestClient, address: str) -> int:
    return client.post(f"{API}/citizen/code", json={"address": address}).status_code


def test_asking_codes_for_someone_elses_number_does_not_hold_off_its_owner(
    client: TestClient, db: Session, settings: Settings
) -> None:
    address = "+82 10 5555 0101"
    assert _ask_code(client, address) == 202
    code = latest_code(db)
    verified = client.post(f"{API}/citizen/verify", json={"address": address, "code": code})
    assert verified.status_code == 200
    device = client.cookies[DEVICE_COOKIE]
    client.cookies.clear()  # an attacker asks codes for the same number until refused
    answers = [_ask_code(client, address) for _ in range(settings.otp_max_per_address_per_hour)]
    assert answers[-1] == 429
    client.cookies.set(DEVICE_COOKIE, device)  # the owner's phone still gets a code
    assert _ask_code(client, address) == 202
