"""Fixtures of the crisis tests: people in and around a crisis, and a crisis sent by API."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from peduli.auth import service as auth_service
from peduli.auth.actor import Role
from peduli.core.db import session_scope
from tests.crisis.crisis_helpers import add_person
from tests.outbox import all_messages, opened

STAFF = {
    "hq": (Role.HQ_ADMIN, None),
    "hq2": (Role.HQ_ADMIN, None),
    "analyst": (Role.HQ_ANALYST, None),
    "officer_kl": (Role.OFFICER, "kbri-kuala-lumpur"),
    "officer_jb": (Role.OFFICER, "kjri-johor-bahru"),
    "partner": (Role.PARTNER, None),
}


@dataclass
class Sent:
    client: TestClient
    headers: dict[str, dict[str, str]]
    crisis_id: str
    tokens: dict[str, str]  # phone → token
    phones: list[str]


def _headers() -> dict[str, dict[str, str]]:
    headers = {}
    with session_scope() as db:
        for name, (role, post) in STAFF.items():
            email = f"{name}@kemlu.example"
            auth_service.create_staff(db, email=email, role=role, representation_code=post)
            headers[name] = {
                "Authorization": f"Bearer {auth_service.create_token(db, email=email)}"
            }
    return headers


@dataclass
class Approved:
    client: TestClient
    headers: dict[str, dict[str, str]]
    crisis_id: str
    path: str  # the broadcast's API path
    phones: list[str]


KL_CIRCLE = {"circle": {"lat": 3.139, "lon": 101.687, "radius_km": 25}}


@pytest.fixture
def approved(client: TestClient, clean_engine: Engine, request: pytest.FixtureRequest) -> Approved:
    """An earthquake over Kuala Lumpur with four people, its broadcast approved, not sent
    (the area is ``KL_CIRCLE`` unless the test gives another as the fixture's parameter)."""
    headers = _headers()
    with session_scope() as db:
        people = [
            add_person(
                db,
                latitude=3.14,
                longitude=101.69,
                name="Ani Lestari",
                language="en",
                email="ani@example.org",
            ),
            add_person(db, latitude=3.12, longitude=101.66, name="Budi Santoso"),
            add_person(
                db, latitude=3.16, longitude=101.70, name='=HYPERLINK("x")', post="kjri-johor-bahru"
            ),
        ]
    phones = [p.phone for p in people]
    area = getattr(request, "param", KL_CIRCLE)
    created = client.post(
        "/api/v1/crises",
        json={"title": "Gempa KL", "kind": "earthquake", "severity": "severe", "area": area},
        headers=headers["hq"],
    )
    assert created.status_code == 201, created.text
    crisis_id = created.json()["id"]
    drafted = client.post(
        f"/api/v1/crises/{crisis_id}/broadcasts",
        json={
            "messages": {"id": "Gempa. Jauhi gedung.", "en": "Earthquake. Stay outside."},
            "channels": ["sms", "email"],
        },
        headers=headers["hq"],
    )
    assert drafted.status_code == 201, drafted.text
    path = f"/api/v1/crises/{crisis_id}/broadcasts/{drafted.json()['id']}"
    assert client.post(f"{path}/approve", headers=headers["hq"]).status_code == 409
    assert client.post(f"{path}/send", headers=headers["hq"]).status_code == 409
    assert client.post(f"{path}/approve", headers=headers["hq2"]).status_code == 200
    return Approved(client, headers, crisis_id, path, phones)


@pytest.fixture
def sent(approved: Approved) -> Sent:
    result = approved.client.post(f"{approved.path}/send", headers=approved.headers["hq"])
    assert result.status_code == 200, result.text
    assert result.json()["queued"] == {"sms": 3, "email": 1}
    with session_scope() as db:
        rows = [m for m in all_messages(db) if m.channel == "sms"]
        tokens = {opened(m): m.body.rsplit("/c/", 1)[1] for m in rows}
    return Sent(approved.client, approved.headers, approved.crisis_id, tokens, approved.phones)


@pytest.fixture
def world(db: Session) -> dict[str, object]:
    people = [
        add_person(db, latitude=3.14, longitude=101.69, language="zh", email="a@example.org"),
        add_person(db, latitude=3.30, longitude=101.60, language="fr"),
        add_person(db, latitude=3.10, longitude=101.70, language="xx"),
        add_person(db, latitude=3.15, longitude=101.68, post="kjri-johor-bahru", language="en"),
        add_person(db, latitude=5.40, longitude=100.30),  # Penang: outside the circle
    ]
    db.commit()
    return {"people": people}
