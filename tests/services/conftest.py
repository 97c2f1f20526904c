"""Fixtures of the services' tests: the catalogue loaded, a citizen of Seoul with a record,
staff of Seoul and Kuala Lumpur, and helpers to apply and to read the outbox."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.notify.models import OutboxMessage
from peduli.registry import service as registry_service
from peduli.services import catalogue, service
from peduli.services.models import ServiceApplication
from peduli.services.schemas import ApplicationCreate
from peduli.services.uploads import Upload
from tests.auth.pages.test_citizen import latest_code
from tests.cases.conftest import staff_actor
from tests.factories import refreshed, report, signed_in_citizen

SEOUL, KL = "kbri-seoul", "kbri-kuala-lumpur"
ADDRESS = "yusuf@example.org"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def loaded(db: Session) -> Session:
    """The shipped catalogue in the tables."""
    catalogue.load_shipped(db)
    db.commit()
    return db


def citizen_of(db: Session, address: str = ADDRESS, **overrides: Any) -> Actor:
    """A signed-in citizen with a record and a stay (Seoul unless overridden), committed."""
    citizen = signed_in_citizen(db, address)
    registry_service.submit_self_report(
        db, report=report(email=address, **overrides), actor=citizen
    )
    db.commit()
    actor = refreshed(db, citizen)
    db.rollback()  # end the read: the app (another connection) writes next
    return actor


@pytest.fixture
def applicant(loaded: Session) -> Actor:
    return citizen_of(loaded)


@pytest.fixture
def officer(db: Session) -> Actor:
    return staff_actor(db, Role.OFFICER, SEOUL, "officer-seoul")


@pytest.fixture
def officer_kl(db: Session) -> Actor:
    return staff_actor(db, Role.OFFICER, KL, "officer-kl")


def renewal(
    db: Session, actor: Actor, *, payment: str = "online", files: bool = True
) -> ServiceApplication:
    """A passport renewal with its two required documents (or none), not committed."""
    uploads = (
        [
            Upload("current_passport", "passport.pdf", "application/pdf", PDF),
            Upload("residence_permit", "permit.png", "image/png", PNG),
        ]
        if files
        else []
    )
    data = ApplicationCreate.model_validate(
        {"service": "passport-renewal", "payment": payment, "details_confirmed": True}
    )
    return service.apply(db, data=data, actor=actor, files=uploads)


def bodies_to(db: Session, address: str = ADDRESS) -> list[str]:
    """The bodies of the outbox messages about applications (newest last)."""
    rows = db.scalars(
        select(OutboxMessage.body)
        .where(OutboxMessage.idempotency_key.like("service-application:%"))
        .order_by(OutboxMessage.created_at)
    )
    del address
    return list(rows)


def api_citizen(client: TestClient, address: str = ADDRESS) -> dict[str, str]:
    """Sign ``address`` in through the API; the headers its writes need (the CSRF token)."""
    assert client.post("/api/v1/auth/citizen/code", json={"address": address}).status_code == 202
    answer = client.post(
        "/api/v1/auth/citizen/verify", json={"address": address, "code": latest_code(address)}
    )
    assert answer.status_code == 200, answer.text
    return {"X-CSRF-Token": answer.json()["csrf_token"]}
