"""Citizen sign-in with one-time codes: delivery through the outbox, single use, expiry,
attempt limit, rate limits per address and IP, and no account enumeration."""

from __future__ import annotations

import ipaddress
import re
import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from peduli.api.deps import SESSION_COOKIE
from peduli.auth import codes
from peduli.auth import service as auth_service
from peduli.auth.devices import DEVICE_COOKIE
from peduli.auth.models import CitizenAccount, CitizenCode
from peduli.core.config import Settings
from peduli.notify.models import OutboxMessage
from tests.auth.conftest import API
from tests.outbox import opened

EMAIL = "siti.rahayu@example.org"


@pytest.fixture(autouse=True)
def _behind_a_trusted_proxy(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test client stands for our proxy, so its X-Forwarded-For names the caller."""
    monkeypatch.setattr(settings, "trusted_proxies", "127.0.0.1")


def _request(client: TestClient, address: str, ip: str = "198.51.100.20"):  # type: ignore[no-untyped-def]
    return client.post(
        f"{API}/citizen/code", json={"address": address}, headers={"X-Forwarded-For": ip}
    )


def _last_message(db: Session) -> OutboxMessage:
    message = db.scalars(
        select(OutboxMessage).order_by(OutboxMessage.created_at.desc()).limit(1)
    ).one()
    db.commit()
    return message


def _code_in(message: OutboxMessage) -> str:
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match, message.body
    return match.group(1)


def _verify(client: TestClient, address: str, code: str, ip: str = "198.51.100.20"):  # type: ignore[no-untyped-def]
    return client.post(
        f"{API}/citizen/verify",
        json={"address": address, "code": code},
        headers={"X-Forwarded-For": ip},
    )


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _latest_code_row(db: Session) -> CitizenCode:
    query = select(CitizenCode).order_by(CitizenCode.created_at.desc()).limit(1)
    row = db.scalars(query.execution_options(populate_existing=True)).one()
    db.commit()
    return row


def test_a_code_goes_out_by_email_and_signs_the_citizen_in(
    client: TestClient, db: Session, settings: Settings
) -> None:
    sent = _request(client, "Siti.Rahayu@Example.org")
    assert sent.status_code == 202
    assert sent.json()["expires_in_minutes"] == settings.otp_ttl_minutes
    message = _last_message(db)
    assert (message.channel, opened(message)) == ("email", EMAIL)
    code = _code_in(message)
    row = _latest_code_row(db)
    assert code not in row.code_hash  # only a keyed hash is stored
    assert row.expires_at - row.created_at == timedelta(minutes=settings.otp_ttl_minutes)

    signed_in = _verify(client, EMAIL, code)
    assert signed_in.status_code == 200, signed_in.text
    body = signed_in.json()
    assert (body["kind"], body["role"], body["person_id"]) == ("citizen", "citizen", None)
    assert EMAIL not in body["display"]  # shown masked
    assert SESSION_COOKIE in client.cookies
    account = db.get_one(CitizenAccount, uuid.UUID(body["account_id"]))
    assert account.kind == "email"
    assert EMAIL not in account.address_encrypted
    assert codes.address_of(account).value == EMAIL
    db.commit()
    assert client.get(f"{API}/session").json()["account_id"] == body["account_id"]


def test_a_phone_number_is_normalised_and_gets_an_sms(client: TestClient, db: Session) -> None:
    assert _request(client, "+62 812-3456-7890").status_code == 202
    message = _last_message(db)
    assert (message.channel, opened(message)) == ("sms", "+6281234567890")
    assert _verify(client, "+6281234567890", _code_in(message)).status_code == 200


def test_a_bad_address_is_a_field_problem(client: TestClient) -> None:
    response = _request(client, "not an address")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "address"


def test_a_code_works_once(client: TestClient, db: Session) -> None:
    _request(client, EMAIL)
    code = _code_in(_last_message(db))
    assert _verify(client, EMAIL, code).status_code == 200
    again = _verify(client, EMAIL, code)
    assert (again.status_code, again.json()["code"]) == (401, "code_invalid")


def test_the_same_citizen_gets_the_same_account_and_a_new_session(
    client: TestClient, db: Session
) -> None:
    ids, cookies = [], []
    for _ in range(2):
        _request(client, EMAIL)
        ids.append(_verify(client, EMAIL, _code_in(_last_message(db))).json()["account_id"])
        cookies.append(client.cookies[SESSION_COOKIE])
    assert ids[0] == ids[1]
    assert cookies[0] != cookies[1]
    assert db.scalar(select(func.count()).select_from(CitizenAccount)) == 1


def test_an_expired_code_is_refused(client: TestClient, db: Session) -> None:
    _request(client, EMAIL)
    code = _code_in(_last_message(db))
    row = _latest_code_row(db)
    db.execute(
        update(CitizenCode).where(CitizenCode.id == row.id).values(expires_at=row.created_at)
    )
    db.commit()
    response = _verify(client, EMAIL, code)
    assert (response.status_code, response.json()["code"]) == (401, "code_invalid")


def test_a_new_code_replaces_the_previous_one(client: TestClient, db: Session) -> None:
    _request(client, EMAIL)
    first = _code_in(_last_message(db))
    _request(client, EMAIL)
    second = _code_in(_last_message(db))
    if first != second:  # one chance in a million that they are equal
        assert _verify(client, EMAIL, first).status_code == 401
    assert _verify(client, EMAIL, second).status_code == 200


def test_wrong_guesses_are_counted_and_exhaust_the_code(client: TestClient, db: Session) -> None:
    _request(client, EMAIL)
    code = _code_in(_last_message(db))
    for left in range(codes.MAX_ATTEMPTS - 1, -1, -1):
        response = _verify(client, EMAIL, _wrong(code))
        assert (response.status_code, response.json()["code"]) == (401, "code_invalid")
        assert f"{left} tries left" in response.json()["detail"]
    # Each failed request rolled back, yet every attempt was kept, on the asker's count.
    assert _latest_code_row(db).asker_attempts == codes.MAX_ATTEMPTS
    assert _verify(client, EMAIL, code).status_code == 401


def test_a_strangers_wrong_guesses_do_not_spend_the_askers_code(
    client: TestClient, db: Session
) -> None:
    _request(client, EMAIL, ip="198.51.100.20")
    code = _code_in(_last_message(db))
    for _ in range(codes.MAX_ATTEMPTS):
        assert _verify(client, EMAIL, _wrong(code), ip="203.0.113.66").status_code == 401
    row = _latest_code_row(db)
    assert (row.attempts, row.asker_attempts) == (codes.MAX_ATTEMPTS, 0)
    assert _verify(client, EMAIL, code, ip="198.51.100.20").status_code == 200


def test_strangers_share_their_few_tries_so_guessing_stays_bounded(
    client: TestClient, db: Session
) -> None:
    _request(client, EMAIL, ip="198.51.100.20")
    code = _code_in(_last_message(db))
    for n in range(codes.MAX_ATTEMPTS):
        assert _verify(client, EMAIL, _wrong(code), ip=f"203.0.113.{n}").status_code == 401
    assert _verify(client, EMAIL, code, ip="203.0.113.99").status_code == 401


def test_an_ipv6_client_is_its_whole_64(client: TestClient, db: Session) -> None:
    _request(client, EMAIL, ip="2001:db8:7:9::5")
    code = _code_in(_last_message(db))
    for _ in range(codes.MAX_ATTEMPTS):
        assert _verify(client, EMAIL, _wrong(code), ip="2001:db8:7:9::abcd").status_code == 401
    assert _latest_code_row(db).asker_attempts == codes.MAX_ATTEMPTS
    assert _verify(client, EMAIL, code, ip="2001:db8:7:9::5").status_code == 401


def _known_device(client: TestClient, db: Session) -> str:
    """Sign in once, so the client holds a known-device cookie of EMAIL; then sign out."""
    _request(client, EMAIL)
    assert _verify(client, EMAIL, _code_in(_last_message(db))).status_code == 200
    device = client.cookies[DEVICE_COOKIE]
    client.cookies.clear()
    return device


def test_a_code_asked_from_a_known_device_lives_on_when_someone_else_asks(
    client: TestClient, db: Session
) -> None:
    device = _known_device(client, db)
    client.cookies.set(DEVICE_COOKIE, device)
    _request(client, EMAIL)
    owners = _code_in(_last_message(db))
    client.cookies.clear()
    _request(client, EMAIL, ip="203.0.113.66")  # someone else asks for the same address
    strangers = _code_in(_last_message(db))
    assert _latest_code_row(db).device_bound is False
    if owners != strangers:  # one chance in a million that they are equal
        # The device's code can be entered on that device only.
        assert _verify(client, EMAIL, owners, ip="203.0.113.66").status_code == 401
    client.cookies.set(DEVICE_COOKIE, device)
    assert _verify(client, EMAIL, owners).status_code == 200


def test_a_new_code_from_the_same_device_ends_its_previous_one(
    client: TestClient, db: Session
) -> None:
    device = _known_device(client, db)
    client.cookies.set(DEVICE_COOKIE, device)
    _request(client, EMAIL)
    first = _code_in(_last_message(db))
    _request(client, EMAIL)
    second = _code_in(_last_message(db))
    if first != second:
        assert _verify(client, EMAIL, first).status_code == 401
    assert _verify(client, EMAIL, second).status_code == 200


def test_requests_are_limited_per_address(
    client: TestClient, db: Session, settings: Settings
) -> None:
    for n in range(settings.otp_max_per_address_per_hour):
        assert _request(client, EMAIL, ip=f"192.0.2.{n}").status_code == 202
    limited = _request(client, EMAIL, ip="192.0.2.200")
    assert (limited.status_code, limited.json()["code"]) == (429, "rate_limited")
    assert int(limited.headers["retry-after"]) > 0
    assert _request(client, "someone.else@example.org").status_code == 202


def test_requests_are_limited_per_ip(
    client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "otp_max_per_ip_per_hour", 3)
    for n in range(3):
        assert _request(client, f"person{n}@example.org", ip="203.0.113.5").status_code == 202
    limited = _request(client, "person9@example.org", ip="203.0.113.5")
    assert limited.status_code == 429
    assert "retry-after" in limited.headers
    assert _request(client, "person9@example.org", ip="203.0.113.6").status_code == 202


def test_the_answer_does_not_tell_whether_an_address_is_known(
    client: TestClient, db: Session
) -> None:
    _request(client, EMAIL)
    _verify(client, EMAIL, _code_in(_last_message(db)))  # EMAIL now has an account
    client.cookies.clear()
    known = _request(client, EMAIL)
    unknown = _request(client, "never.seen@example.org")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert known.headers["cache-control"] == unknown.headers["cache-control"] == "no-store"


def test_the_registry_links_a_person_to_the_account(db: Session) -> None:
    codes.request_code(db, address=EMAIL, ip="198.51.100.1")
    code = _code_in(_last_message(db))
    account = codes.verify_code(db, address=EMAIL, code=code, ip="198.51.100.1")
    person_id = uuid.uuid4()
    auth_service.link_citizen_person(db, account_id=account.id, person_id=person_id)
    db.commit()
    assert auth_service.citizen_actor(account, ip=None).person_id == person_id


def test_the_code_is_written_in_the_callers_language(client: TestClient, db: Session) -> None:
    sent = client.post(
        f"{API}/citizen/code",
        json={"address": EMAIL},
        headers={"X-Forwarded-For": "198.51.100.30", "Accept-Language": "fr-FR, en;q=0.5"},
    )
    assert sent.status_code == 202
    message = _last_message(db)
    assert message.subject == "Votre code de connexion Peduli"
    assert message.body.startswith("Votre code de connexion Peduli : ")


def test_a_code_without_a_known_language_is_in_indonesian(client: TestClient, db: Session) -> None:
    assert _request(client, EMAIL).status_code == 202
    assert _last_message(db).body.startswith("Kode masuk Peduli Anda: ")


def test_a_bad_email_is_worded_by_us_not_by_the_email_library(client: TestClient) -> None:
    problem = _request(client, "siti@@example.org").json()["errors"][0]
    assert problem["field"] == "address"
    assert problem["message"] == "The email address or phone number is not written correctly."
    assert "@-sign" not in problem["message"]


@given(
    prefix=st.integers(0, 2**64 - 1), one=st.integers(0, 2**64 - 1), two=st.integers(0, 2**64 - 1)
)
def test_every_address_of_one_ipv6_64_is_one_client(prefix: int, one: int, two: int) -> None:
    def client(host: int, net: int = prefix) -> codes.Client:
        ip = str(ipaddress.IPv6Address((net << 64) | host))
        return codes.client_of("index", ip=ip, device_token=None)

    assert client(one) == client(two)
    assert client(one) != client(one, net=(prefix + 1) % 2**64)


@given(one=st.ip_addresses(v=4), two=st.ip_addresses(v=4))
def test_each_ipv4_address_is_its_own_client(
    one: ipaddress.IPv4Address, two: ipaddress.IPv4Address
) -> None:
    def client(ip: ipaddress.IPv4Address) -> codes.Client:
        return codes.client_of("index", ip=str(ip), device_token=None)

    assert (client(one) == client(two)) == (one == two)
