"""``PATCH /api/v1/persons/{id}/identity``: the fields given are corrected under their own
scope, problems come back as RFC 9457 problem+json, a NIK on another record names the merge."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import service as auth_service
from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.auth.scopes import REGISTRY_IDENTITY, REGISTRY_READ, REGISTRY_WRITE
from tests.factories import nik
from tests.web.officer_support import reported

BORN = date(1990, 5, 17)


def _headers(db: Session, scopes: set[str] | None = None) -> dict[str, str]:
    """A Seoul officer's token (with all their scopes unless ``scopes`` narrows it)."""
    auth_service.create_staff(
        db, email="officer@kemlu.example", role=Role.OFFICER, representation_code="kbri-seoul"
    )
    db.commit()
    return _token(db, scopes)


def _token(db: Session, scopes: set[str] | None = None) -> dict[str, str]:
    token = auth_service.create_token(db, email="officer@kemlu.example", scopes=scopes)
    db.commit()
    return {"Authorization": f"Bearer {token}"}


def _patch(client: TestClient, person_id: object, body: dict[str, object], headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.patch(f"/api/v1/persons/{person_id}/identity", json=body, headers=headers)


def test_the_fields_given_are_corrected_and_audited(client: TestClient, db: Session) -> None:
    person_id = reported(db)
    new = nik(born=BORN, sex="M", serial=42)
    answer = _patch(client, person_id, {"place_of_birth": "Cirebon", "nik": new}, _headers(db))
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert (body["changed"], body["possible_duplicates"]) == (["place_of_birth", "nik"], 0)
    assert body["person"]["full_name"] == "Muhammad Yusuf"
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "person.edit_identity")).one()
    assert new not in (entry.fields or "")


def test_a_nik_on_another_record_is_a_problem_naming_the_merge(
    client: TestClient, db: Session
) -> None:
    person_id = reported(db)
    taken = nik(born=BORN, sex="M", serial=77)
    reported(db, nik=taken, passport_number="C7777777", full_name="Ahmad Dahlan")
    answer = _patch(client, person_id, {"nik": taken}, _headers(db))
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    [problem] = answer.json()["errors"]
    assert (problem["field"], problem["code"]) == ("nik", "nik_on_another_record")
    assert "merge" in problem["hint"]
    listed = client.get("/api/v1/duplicates", headers=_token(db)).json()
    assert listed["total"] == 1  # the pair waits there, to merge


def test_a_token_without_the_identity_scope_is_refused(client: TestClient, db: Session) -> None:
    person_id = reported(db)
    headers = _headers(db, {REGISTRY_READ, REGISTRY_WRITE})
    answer = _patch(client, person_id, {"place_of_birth": "Cirebon"}, headers)
    assert answer.status_code == 403
    assert answer.json()["code"] == "insufficient_scope"
    assert REGISTRY_IDENTITY in answer.json()["detail"]


def test_a_name_that_now_looks_like_another_record_is_counted(
    client: TestClient, db: Session
) -> None:
    reported(db)
    twin = reported(db, nik=None, passport_number="C5555555", full_name="Siti Aminah")
    answer = _patch(client, twin, {"full_name": "Muhamad Yusuf"}, _headers(db))
    assert answer.json()["possible_duplicates"] == 1
