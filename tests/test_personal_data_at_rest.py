"""No raw phone, email, street address, NIK or passport in the database file or the logs.

Sentinel values go in through every door that takes them: a self-report over the API and
one through the lapor diri pages (after a sign-in by one-time code), a help request, an
SOS, a crisis broadcast and an SMS check-in; the outbox is then delivered through the
sandbox gateways (the outside world, with a database of their own, which must receive the
plain values). Afterwards the SQLite file (checkpointed, with its write-ahead log) and
everything logged are searched for each sentinel, as written and in common normalisations.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from peduli.auth import service as auth_service
from peduli.auth.actor import Role
from peduli.core.db import get_sessionmaker, make_engine, session_scope
from peduli.notify.channels.email_smtp import SmtpEmailChannel
from peduli.notify.channels.sms_http import HttpSmsChannel
from peduli.notify.dispatcher import dispatch_once
from peduli.notify.models import SandboxMessage
from peduli.notify.ports import Channel
from peduli.notify.sandbox import SandboxHandles, start_sandboxes
from tests.auth.pages.test_citizen import HTML, sign_in
from tests.conversations.conftest import post_whatsapp, whatsapp_message, whatsapp_payload
from tests.factories import KUALA_LUMPUR, nik, report
from tests.registry.pages.citizen.test_lapor_diri import STEPS, step

# Person A reports over the API, person B through the pages (signed in by phone).
NIK_A = nik(born=date(1991, 2, 3), serial=4242)
NIK_B = nik(born=date(1993, 4, 5), sex="F", serial=4343)
PHONE_A, EMAIL_A = "+60123424242", "sentinel.anis@example.org"
PHONE_B, EMAIL_B = "+60124343434", "sentinel.budi@example.org"
HELP_PHONE, HELP_EMAIL = "+60125454545", "sentinel.help@example.org"
SOS_PHONE = "+821056565656"
EMERGENCY_A, EMERGENCY_B = "+6281342424242", "+6281343434343"
ADDRESS_A, ADDRESS_B = "Jalan Sentinel Anis 4242", "Lorong Sentinel Budi 4343"
PASSPORT_A, PASSPORT_B = "X4242424", "X4343434"
CHAT_PHONE, CHAT_PLACE = "+821057575757", "Gang Sentinel Chat 4545"
PHONES = (PHONE_A, PHONE_B, HELP_PHONE, SOS_PHONE, EMERGENCY_A, EMERGENCY_B, CHAT_PHONE)
EMAILS = (EMAIL_A, EMAIL_B, HELP_EMAIL)
OTHERS = (NIK_A, NIK_B, ADDRESS_A, ADDRESS_B, PASSPORT_A, PASSPORT_B, CHAT_PLACE)


def _forms(value: str) -> set[str]:
    """A sentinel as written and as it is commonly rewritten."""
    forms = {value, value.lower(), value.upper()}
    if value.startswith("+"):
        digits = value[1:]
        country = 2  # +60, +62, +82: two-digit country codes
        forms |= {digits, "0" + digits[country:], digits[country:]}
    return forms


def _sentinels() -> set[str]:
    return set().union(*(_forms(v) for v in (*PHONES, *EMAILS, *OTHERS)))


@pytest.fixture
def outside(tmp_path: Path) -> Iterator[tuple[SandboxHandles, sessionmaker[Session]]]:
    """The sandbox gateways with a database of their own: they are the outside world."""
    engine = make_engine(f"sqlite:///{tmp_path / 'outside.db'}")
    SandboxMessage.__table__.create(engine)
    factory = sessionmaker(engine)
    handles = start_sandboxes(smtp_port=0, sms_port=0, session_factory=factory)
    yield handles, factory
    handles.stop()
    engine.dispose()


def _staff_headers() -> dict[str, dict[str, str]]:
    staff = {
        "hq": (Role.HQ_ADMIN, None),
        "hq2": (Role.HQ_ADMIN, None),
        "officer": (Role.OFFICER, "kbri-kuala-lumpur"),
    }
    headers = {}
    with session_scope() as db:
        for name, (role, post) in staff.items():
            email = f"{name}@kemlu.example"
            auth_service.create_staff(db, email=email, role=role, representation_code=post)
            token = auth_service.create_token(db, email=email)
            headers[name] = {"Authorization": f"Bearer {token}"}
    return headers


def _self_report_over_the_api(client: TestClient, headers: dict[str, str]) -> None:
    body = report(
        **KUALA_LUMPUR, nik=NIK_A, passport_number=PASSPORT_A, phone=PHONE_A, email=EMAIL_A,
        address=ADDRESS_A, emergency_contact_phone=EMERGENCY_A, date_of_birth=date(1991, 2, 3),
    ).model_dump(mode="json")  # fmt: skip
    answer = client.post("/api/v1/self-reports", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    search = client.post("/api/v1/persons/search", json={"phone": PHONE_A}, headers=headers)
    assert search.status_code == 200 and search.json()["hits"], search.text


def _self_report_through_the_pages(client: TestClient) -> None:
    sign_in(client, PHONE_B, next_path="/lapor-diri")
    values = [
        STEPS[0] | {"nik": NIK_B, "passport_number": PASSPORT_B, "date_of_birth": "1993-04-05"},
        STEPS[1] | {"country": "MY", "city": "Kuala Lumpur", "address": ADDRESS_B,
                    "latitude": "3.15", "longitude": "101.7"},
        STEPS[2],
        STEPS[3] | {"phone": "012-434 3434", "email": EMAIL_B,
                    "emergency_contact_phone": "0813 4343 4343"},
    ]  # fmt: skip
    page = client.get("/lapor-diri", headers=HTML)
    for values_of_step in values:
        page = step(client, page.text, values_of_step)
        assert page.status_code == 200, page.text
    done = step(client, page.text, {}, go="submit")
    assert done.url.path.startswith("/lapor-diri/terkirim/"), done.text


def _help_and_sos(client: TestClient) -> None:
    help_request = {
        "category": "labour", "summary": "Wages unpaid for four months.", "country": "MY",
        "city": "Kuala Lumpur", "name": "Anis", "contact_phone": HELP_PHONE,
        "contact_email": HELP_EMAIL,
    }  # fmt: skip
    assert client.post("/api/v1/help-requests", json=help_request).status_code == 201
    sos = {
        "name": "Siti Aminah", "country": "KR", "city": "Ansan", "kind": "violence",
        "details": "My employer locked me in.", "phone": SOS_PHONE,
    }  # fmt: skip
    answer = client.post("/api/v1/emergencies", json=sos)
    assert answer.status_code in (200, 201, 202), answer.text


def _crisis_broadcast_and_sms_check_in(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    area = {"circle": {"lat": 3.139, "lon": 101.687, "radius_km": 25}}
    crisis = client.post(
        "/api/v1/crises",
        json={"title": "Banjir KL", "kind": "flood", "severity": "severe", "area": area},
        headers=headers["hq"],
    )
    assert crisis.status_code == 201, crisis.text
    base = f"/api/v1/crises/{crisis.json()['id']}/broadcasts"
    draft = client.post(
        base,
        json={"messages": {"id": "Banjir. Naik ke tempat tinggi."}, "channels": ["sms", "email"]},
        headers=headers["hq"],
    )
    assert draft.status_code == 201, draft.text
    path = f"{base}/{draft.json()['id']}"
    assert client.post(f"{path}/approve", headers=headers["hq2"]).status_code == 200
    sent = client.post(f"{path}/send", headers=headers["hq"])
    # The email typed in the citizen's own report is not confirmed yet: it gets no alert.
    assert sent.json()["queued"] == {"sms": 2, "email": 1}, sent.text
    reply = {"sender": PHONE_A, "text": "AMAN di rumah"}
    answer = client.post(
        "/api/v1/channels/sms/inbound", json=reply, headers={"X-Gateway-Token": "sandbox"}
    )
    assert answer.status_code == 201, answer.text


def _whatsapp_sos_and_reply(client: TestClient, headers: dict[str, str]) -> None:
    """A citizen writes "TOLONG" with where they are; an officer answers through the API."""
    message = whatsapp_message(CHAT_PHONE, f"TOLONG saya dikunci di {CHAT_PLACE}")
    assert post_whatsapp(client, whatsapp_payload(message)).status_code == 200
    chats = client.get("/api/v1/conversations", headers=headers).json()["items"]
    answer = client.post(
        f"/api/v1/conversations/{chats[0]['id']}/replies",
        json={"text": f"Kami menuju {CHAT_PLACE}."},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text


def _deliver(handles: SandboxHandles) -> None:
    channels: dict[str, Channel] = {
        "sms": HttpSmsChannel(url=handles.sms_url, token="sandbox", timeout=5.0, batch_size=50),
        "email": SmtpEmailChannel(
            host="127.0.0.1", port=handles.smtp_port, sender="Peduli <no-reply@peduli.test>",
            timeout=5.0,
        ),
    }  # fmt: skip
    while dispatch_once(get_sessionmaker(), channels=channels, worker_id="sentinel"):
        pass


def test_no_sentinel_reaches_the_database_file_or_the_logs(
    client: TestClient,
    clean_engine: Engine,
    outside: tuple[SandboxHandles, sessionmaker[Session]],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if clean_engine.dialect.name != "sqlite":
        pytest.skip("the file is SQLite's; PostgreSQL runs the same paths in the other tests")
    caplog.set_level(logging.DEBUG)
    handles, outside_factory = outside
    headers = _staff_headers()
    _self_report_over_the_api(client, headers["officer"])
    _help_and_sos(client)  # signed out
    _self_report_through_the_pages(client)
    client.cookies.clear()
    _crisis_broadcast_and_sms_check_in(client, headers)
    _whatsapp_sos_and_reply(client, headers["hq"])
    _deliver(handles)

    with outside_factory() as world:  # the outside world got the plain values
        received = set(world.scalars(select(SandboxMessage.recipient)))
    assert {PHONE_A, PHONE_B, EMAIL_A} <= received
    assert EMAIL_B not in received  # typed in Budi's report, never confirmed: no alert

    database = Path(str(clean_engine.url.database))
    clean_engine.dispose()  # no pooled connection holds a snapshot back from the checkpoint
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    captured = capsys.readouterr()
    # The sandbox SMTP server's own library log ("mail.log") is the outside world's.
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]
    logged = captured.out + captured.err + "\n".join(r.getMessage() for r in ours)
    found_in_file = sorted(s for s in _sentinels() if s.encode() in stored)
    found_in_logs = sorted(s for s in _sentinels() if s in logged)
    assert found_in_file == [], f"in the database file: {found_in_file}"
    assert found_in_logs == [], f"in the logs: {found_in_logs}"
