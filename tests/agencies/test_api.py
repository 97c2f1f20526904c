"""The agencies' API: queue and read a person's checks (scopes, post scope, problem+json),
HQ's message log, and the citizen's own agency trail."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from peduli.agencies import verification
from peduli.agencies.sandbox.civil_registry import CivilRecord, CivilRegistrySandbox
from peduli.auth import service as auth_service
from peduli.auth.actor import Role
from peduli.core.db import get_sessionmaker, session_scope, utcnow
from peduli.notify.models import OutboxMessage
from tests.factories import nik, report

SEOUL, KL = "kbri-seoul", "kbri-kuala-lumpur"


def _headers(role: Role, post: str | None, scopes: set[str] | None = None) -> dict[str, str]:
    email = f"{role.value}-{post or 'hq'}-{len(scopes or ())}@kemlu.example"
    with session_scope() as db:
        auth_service.create_staff(db, email=email, role=role, representation_code=post)
        token = auth_service.create_token(db, email=email, scopes=scopes)
    return {"Authorization": f"Bearer {token}"}


def _person(client: TestClient, headers: dict[str, str], **changes: object) -> str:
    body = report(place_of_birth="Bogor", **changes).model_dump(mode="json")
    made = client.post("/api/v1/self-reports", json=body, headers=headers)
    assert made.status_code == 201, made.text
    return str(made.json()["person"]["id"])


def _turn() -> None:
    now = utcnow()
    verification.run_due(get_sessionmaker(), now, since=now - timedelta(days=1))


def _enrol(sandbox: CivilRegistrySandbox) -> None:
    sandbox.add(
        CivilRecord(
            nik=nik(), full_name="Muhammad Yusuf", date_of_birth="1990-05-17",
            place_of_birth="Bogor", sex="M", mother_name="Sri Wahyuni",
        )
    )  # fmt: skip


def test_an_officer_queues_a_check_and_reads_its_outcome(
    client: TestClient, civil_registry: CivilRegistrySandbox
) -> None:
    _enrol(civil_registry)
    officer = _headers(Role.OFFICER, SEOUL)
    person = _person(client, officer)
    url = f"/api/v1/persons/{person}/verifications"
    queued = client.post(
        url, json={"purpose": "protection_case", "cause": "case 2026-SEL-7"}, headers=officer
    )
    assert queued.status_code == 202, queued.text
    assert queued.json()["state"] == "queued"
    assert queued.headers["Cache-Control"] == "no-store"
    _turn()
    items = client.get(url, headers=officer).json()["items"]
    assert [
        (i["source"], i["state"], i["fields"], i["purpose"])
        for i in items
        if i["source"] == "civil_registry"  # immigration and BP2MI are asked about him too
    ] == [("civil_registry", "verified", [], "protection_case")]
    envelope = civil_registry.received[-1]["envelope"]
    assert envelope["X-Road-Purpose"] == "protection_case"
    assert envelope["X-Road-Issue"] == "case 2026-SEL-7"
    assert envelope["X-Road-UserId"].startswith("officer/")


def test_bad_input_and_missing_purpose_are_problems(
    client: TestClient, civil_registry: CivilRegistrySandbox
) -> None:
    officer = _headers(Role.OFFICER, SEOUL)
    person = _person(client, officer)
    url = f"/api/v1/persons/{person}/verifications"
    for body in ({"cause": "case 1"}, {"purpose": "curiosity", "cause": "x"},
                 {"purpose": "protection_case", "cause": ""}):  # fmt: skip
        refused = client.post(url, json=body, headers=officer)
        assert refused.status_code == 422, refused.text
        assert refused.headers["Content-Type"] == "application/problem+json"
    unknown = client.get(
        "/api/v1/persons/00000000-0000-0000-0000-000000000001/verifications", headers=officer
    )
    assert unknown.status_code == 404
    assert unknown.headers["Content-Type"] == "application/problem+json"


def test_scopes_and_the_post_scope_are_kept(
    client: TestClient, civil_registry: CivilRegistrySandbox
) -> None:
    officer = _headers(Role.OFFICER, SEOUL)
    person = _person(client, officer)
    url = f"/api/v1/persons/{person}/verifications"
    read_only = _headers(Role.OFFICER, SEOUL, scopes={"verifications:read"})
    body = {"purpose": "protection_case", "cause": "case 1"}
    denied = client.post(url, json=body, headers=read_only)
    assert denied.status_code == 403
    assert denied.json()["code"] == "insufficient_scope"
    other_post = _headers(Role.OFFICER, KL)
    assert client.get(url, headers=other_post).status_code == 403
    assert client.post(url, json=body, headers=other_post).status_code == 403
    analyst = _headers(Role.HQ_ANALYST, None)
    assert client.get(url, headers=analyst).status_code == 403


def test_the_message_log_is_for_hq_and_paged(
    client: TestClient, civil_registry: CivilRegistrySandbox
) -> None:
    _enrol(civil_registry)
    officer = _headers(Role.OFFICER, SEOUL)
    _person(client, officer)
    _turn()
    assert client.get("/api/v1/agencies/message-log", headers=officer).status_code == 403
    hq = _headers(Role.HQ_ADMIN, None)
    first = client.get("/api/v1/agencies/message-log?limit=1", headers=hq)
    assert first.status_code == 200, first.text
    page = first.json()
    assert [m["direction"] for m in page["items"]] == ["answer"]
    assert "body" not in page["items"][0]
    older = client.get(
        f"/api/v1/agencies/message-log?limit=1&before={page['next_before']}", headers=hq
    ).json()
    assert [m["direction"] for m in older["items"]] == ["request"]
    assert older["items"][0]["hash"] == page["items"][0]["prev_hash"]


def _citizen(client: TestClient, address: str) -> dict[str, str]:
    client.cookies.clear()
    assert client.post("/api/v1/auth/citizen/code", json={"address": address}).status_code == 202
    with session_scope() as db:
        body = db.scalars(
            select(OutboxMessage.body).order_by(OutboxMessage.created_at.desc()).limit(1)
        ).one()
    code = re.search(r"\b(\d{6})\b", body).group(1)  # type: ignore[union-attr]
    signed_in = client.post("/api/v1/auth/citizen/verify", json={"address": address, "code": code})
    cookie = client.cookies.get("peduli_session")
    client.cookies.clear()
    return {"Cookie": f"peduli_session={cookie}", "X-CSRF-Token": signed_in.json()["csrf_token"]}


def test_a_citizen_sees_which_agency_was_asked_about_them(
    client: TestClient, civil_registry: CivilRegistrySandbox
) -> None:
    _enrol(civil_registry)
    citizen = _citizen(client, "yusuf@example.org")
    _person(client, citizen)
    stranger = _citizen(client, "other@example.org")
    _turn()
    trail = client.get("/api/v1/me/agency-trail", headers=citizen)
    assert trail.status_code == 200, trail.text
    asked = [(i["agency"], i["purpose"], i["cause"]) for i in trail.json()["items"]]
    assert ("civil_registry", "identity_verification", "self-report") in asked
    assert {agency for agency, _purpose, _cause in asked} == {
        "civil_registry",
        "immigration",
        "bp2mi",
    }  # a worker with a passport: immigration and BP2MI were asked too
    assert client.get("/api/v1/me/agency-trail", headers=stranger).status_code == 404
    page = client.get("/saya/agency-trail", headers=citizen | {"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Civil registry (Dukcapil) was asked on" in page.text
    assert page.headers["Cache-Control"] == "no-store"
