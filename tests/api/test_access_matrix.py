"""Every role × every registry endpoint × in-scope / out-of-scope: zero leaks.

The expectations are written out here as a table, independently of the policy code, so a
change in the policy that widens access makes this test fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from peduli.api.app import create_app
from peduli.auth import service as auth_service
from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.core.db import session_scope
from peduli.notify.models import OutboxMessage
from peduli.registry import service as registry_service
from tests.conftest import empty_all_tables
from tests.factories import KUALA_LUMPUR, nik, report, staff

SEOUL_POST, KL_POST = "kbri-seoul", "kbri-kuala-lumpur"
STAFF = {
    "officer_seoul": (Role.OFFICER, SEOUL_POST),
    "supervisor_seoul": (Role.SUPERVISOR, SEOUL_POST),
    "officer_kl": (Role.OFFICER, KL_POST),
    "hq_analyst": (Role.HQ_ANALYST, None),
    "hq_admin": (Role.HQ_ADMIN, None),
    "partner": (Role.PARTNER, None),
    "agency": (Role.AGENCY, None),
}
# Who may reach a person served by each post (reads and writes alike, no reason given).
REACH = {
    "officer_seoul": {SEOUL_POST},
    "supervisor_seoul": {SEOUL_POST},
    "officer_kl": {KL_POST},
    "hq_admin": {SEOUL_POST, KL_POST},
    "citizen_owner": {"own"},
}
SEARCHERS = {"officer_seoul", "supervisor_seoul", "officer_kl", "hq_admin"}
REPORTERS = {"officer_seoul", "supervisor_seoul", "officer_kl", "hq_admin"}


@dataclass
class World:
    client: TestClient
    headers: dict[str, dict[str, str]]
    people: dict[str, dict[str, Any]]


def _citizen_headers(client: TestClient, address: str) -> dict[str, str]:
    client.cookies.clear()
    assert client.post("/api/v1/auth/citizen/code", json={"address": address}).status_code == 202
    with session_scope() as db:
        body = db.scalars(
            select(OutboxMessage.body).order_by(OutboxMessage.created_at.desc()).limit(1)
        ).one()
    code = re.search(r"\b(\d{6})\b", body).group(1)  # type: ignore[union-attr]
    signed_in = client.post("/api/v1/auth/citizen/verify", json={"address": address, "code": code})
    assert signed_in.status_code == 200, signed_in.text
    cookie = client.cookies.get("peduli_session")
    client.cookies.clear()
    return {"Cookie": f"peduli_session={cookie}", "X-CSRF-Token": signed_in.json()["csrf_token"]}


@pytest.fixture(scope="module")
def world(engine: Engine) -> Iterator[World]:
    """One world for the whole matrix (built once: staff passwords are argon2-hashed)."""
    empty_all_tables(engine)
    with TestClient(create_app()) as client:
        yield _build_world(client)


def _build_world(client: TestClient) -> World:
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    with session_scope() as db:
        for name, (role, post) in STAFF.items():
            email = f"{name}@kemlu.example"
            auth_service.create_staff(db, email=email, role=role, representation_code=post)
            token = auth_service.create_token(db, email=email)
            headers[name] = {"Authorization": f"Bearer {token}"}
    headers["citizen_owner"] = _citizen_headers(client, "owner@example.org")
    headers["citizen_stranger"] = _citizen_headers(client, "stranger@example.org")
    owner_report = report(email="owner@example.org").model_dump(mode="json")
    created = client.post(
        "/api/v1/self-reports", json=owner_report, headers=headers["citizen_owner"]
    )
    assert created.status_code == 201, created.text
    seoul = created.json()
    with session_scope() as db:
        kl_report = report(
            nik=nik(serial=2),
            passport_number="B2345678",
            full_name="Siti Aminah",
            sex="M",
            phone="+60123456789",
            email=None,
            **KUALA_LUMPUR,
        )
        kl = registry_service.submit_self_report(db, report=kl_report, actor=staff(Role.HQ_ADMIN))
        kl_ids = {"person": {"id": str(kl.person.id)}, "stay": {"id": str(kl.stay.id)}}
    people = {
        SEOUL_POST: seoul | {"nik": nik(), "name": "Muhammad Yusuf"},
        KL_POST: kl_ids | {"nik": nik(serial=2), "name": "Siti Aminah"},
    }
    return World(client=client, headers=headers, people=people)


ROLES = [*STAFF, "citizen_owner", "citizen_stranger", "anonymous"]


def _may_reach(role: str, post: str) -> bool:
    reach = REACH.get(role, set())
    return post in reach or ("own" in reach and post == SEOUL_POST)


def _denials(engine: Engine) -> int:
    with engine.connect() as conn:
        return (
            conn.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.outcome == "denied")
            )
            or 0
        )


def _expect(response: Any, role: str, allowed: bool, secret: str) -> None:
    if role == "anonymous":
        assert response.status_code == 401, response.text
    elif allowed:
        assert response.status_code in (200, 201), (role, response.status_code, response.text)
    else:
        assert response.status_code in (403, 404), (role, response.status_code, response.text)
        assert secret not in response.text, f"{role} saw data it may not see"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("post", [SEOUL_POST, KL_POST])
def test_person_reads_and_stay_writes(world: World, role: str, post: str, engine: Engine) -> None:
    target = world.people[post]
    person_id, stay_id = target["person"]["id"], target["stay"]["id"]
    allowed = _may_reach(role, post)
    headers = world.headers[role]
    before = _denials(engine)
    calls = [
        ("GET", f"/api/v1/persons/{person_id}", None),
        ("PATCH", f"/api/v1/stays/{stay_id}", {"address": "Jalan Baru 5"}),
        ("POST", f"/api/v1/stays/{stay_id}/departure", {"departed_on": "2026-01-02"}),
    ]
    for method, url, body in calls:
        response = world.client.request(method, url, json=body, headers=headers)
        _expect(response, role, allowed, target["nik"])
    staff_write_allowed = allowed and role != "citizen_owner"
    verification = world.client.post(f"/api/v1/persons/{person_id}/verification", headers=headers)
    _expect(verification, role, staff_write_allowed, target["name"])
    if role not in ("anonymous",) and not (allowed and staff_write_allowed):
        assert _denials(engine) > before, "every denial is audited"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("post", [SEOUL_POST, KL_POST])
def test_search_never_returns_people_outside_scope(world: World, role: str, post: str) -> None:
    target = world.people[post]
    response = world.client.post(
        "/api/v1/persons/search", json={"nik": target["nik"]}, headers=world.headers[role]
    )
    if role == "anonymous":
        assert response.status_code == 401
        return
    if role not in SEARCHERS:
        assert response.status_code == 403
        return
    hits = response.json()["hits"]
    assert len(hits) == (1 if _may_reach(role, post) else 0), (role, post, hits)


@pytest.mark.parametrize("role", [*STAFF, "anonymous"])
@pytest.mark.parametrize("post", [SEOUL_POST, KL_POST])
def test_staff_self_reports_only_inside_their_jurisdiction(
    world: World, role: str, post: str
) -> None:
    """Citizens report for themselves anywhere (tests/registry/test_service.py)."""
    place = {} if post == SEOUL_POST else KUALA_LUMPUR
    serial = 100 + ROLES.index(role) * 2 + (post == KL_POST)
    body = report(
        nik=nik(born=date(1985, 1, 2), serial=serial),
        passport_number=f"A{serial:07d}",
        date_of_birth=date(1985, 1, 2),
        full_name=f"Pekerja {serial}",
        phone=None,
        email=f"p{serial}@example.org",
        **place,
    ).model_dump(mode="json")
    response = world.client.post("/api/v1/self-reports", json=body, headers=world.headers[role])
    allowed = role in REPORTERS and _may_reach(role, post)
    _expect(response, role, allowed, "Pekerja")


@pytest.mark.parametrize("role", ROLES)
def test_duplicate_queue_is_per_post(world: World, role: str) -> None:
    response = world.client.get("/api/v1/duplicates", headers=world.headers[role])
    if role == "anonymous":
        assert response.status_code == 401
    elif role in SEARCHERS:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_my_record_is_only_mine(world: World, role: str) -> None:
    response = world.client.get("/api/v1/me", headers=world.headers[role])
    if role == "citizen_owner":
        assert response.status_code == 200
        assert response.json()["nik"] == world.people[SEOUL_POST]["nik"]
    elif role == "anonymous":
        assert response.status_code == 401
    else:
        assert response.status_code == 404
        assert world.people[SEOUL_POST]["nik"] not in response.text


# --- protection cases --------------------------------------------------------------------
# Who works on the cases of each post. Partners reach cases only through delegations (their
# own endpoints), analysts see statistics only, agencies may only refer new cases.
CASE_REACH = {
    "officer_seoul": {SEOUL_POST},
    "supervisor_seoul": {SEOUL_POST},
    "officer_kl": {KL_POST},
    "hq_admin": {SEOUL_POST, KL_POST},
}
CASE_OPENERS = {"officer_seoul", "supervisor_seoul", "officer_kl", "hq_admin", "agency"}
STATS_NATIONAL = {"hq_analyst", "hq_admin"}


@pytest.fixture(scope="module")
def cases(world: World) -> dict[str, dict[str, Any]]:
    """One case per post, opened by HQ, with a secret in its summary."""
    made = {}
    for post in (SEOUL_POST, KL_POST):
        body = {
            "category": "detention",
            "summary": f"Secret case summary {post}",
            "death_penalty": True,
            "representation_code": post,
            "contact_phone": "+628123456789",
        }
        response = world.client.post("/api/v1/cases", json=body, headers=world.headers["hq_admin"])
        assert response.status_code == 201, response.text
        made[post] = response.json()
    return made


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("post", [SEOUL_POST, KL_POST])
def test_case_reads_and_writes(
    world: World, cases: dict[str, dict[str, Any]], role: str, post: str, engine: Engine
) -> None:
    case_id = cases[post]["id"]
    allowed = post in CASE_REACH.get(role, set())
    headers = world.headers[role]
    before = _denials(engine)
    calls = [
        ("GET", f"/api/v1/cases/{case_id}", None),
        ("GET", f"/api/v1/cases/{case_id}/events", None),
        ("GET", f"/api/v1/cases/{case_id}/attachments", None),
        ("GET", f"/api/v1/cases/{case_id}/outcomes", None),
        ("POST", f"/api/v1/cases/{case_id}/notes", {"text": "Visited the detention centre."}),
        (
            "PUT",
            f"/api/v1/cases/{case_id}/priority",
            {"priority": "critical", "reason": "Death penalty case, keep it critical."},
        ),
        ("POST", f"/api/v1/cases/{case_id}/people", {"name": "Budi"}),
    ]
    for method, url, body in calls:
        response = world.client.request(method, url, json=body, headers=headers)
        _expect(response, role, allowed, f"Secret case summary {post}")
    if role != "anonymous" and not allowed:
        assert _denials(engine) > before, "every denial is audited"


@pytest.mark.parametrize("role", ROLES)
def test_the_case_queue_holds_only_cases_in_reach(
    world: World, cases: dict[str, dict[str, Any]], role: str
) -> None:
    for url in ("/api/v1/cases", "/api/v1/cases/overdue"):
        response = world.client.get(url, headers=world.headers[role])
        if role == "anonymous":
            assert response.status_code == 401
            continue
        if role not in CASE_REACH:
            assert response.status_code == 403, (role, response.text)
            continue
        assert response.status_code == 200
    listed = world.client.get("/api/v1/cases", headers=world.headers[role])
    if role in CASE_REACH:
        posts = {item["representation_code"] for item in listed.json()["items"]}
        assert posts <= CASE_REACH[role]
        assert {c["id"] for p, c in cases.items() if p in CASE_REACH[role]} <= {
            item["id"] for item in listed.json()["items"]
        }


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_a_case(world: World, role: str) -> None:
    body = {"category": "labour", "summary": "Walk-in", "representation_code": KL_POST}
    if role in ("officer_seoul", "supervisor_seoul"):
        body.pop("representation_code")
    if role == "officer_kl":
        body.pop("representation_code")
    response = world.client.post("/api/v1/cases", json=body, headers=world.headers[role])
    if role == "anonymous":
        assert response.status_code == 401
    elif role in CASE_OPENERS:
        assert response.status_code == 201, (role, response.text)
    else:
        assert response.status_code == 403, (role, response.text)


@pytest.mark.parametrize("role", ROLES)
def test_outcome_statistics_by_role(world: World, role: str) -> None:
    national = world.client.get("/api/v1/stats/outcomes", headers=world.headers[role])
    other_post = world.client.get(
        "/api/v1/stats/outcomes", params={"representation": KL_POST}, headers=world.headers[role]
    )
    if role == "anonymous":
        assert national.status_code == 401
    elif role in STATS_NATIONAL:
        assert (national.status_code, other_post.status_code) == (200, 200)
    elif role in ("officer_seoul", "supervisor_seoul"):
        assert (national.status_code, other_post.status_code) == (200, 403)
    elif role == "officer_kl":
        assert (national.status_code, other_post.status_code) == (200, 200)
    else:
        assert (national.status_code, other_post.status_code) == (403, 403)


@pytest.mark.parametrize("role", ROLES)
def test_my_help_requests_are_for_citizens(world: World, role: str) -> None:
    response = world.client.get("/api/v1/me/help-requests", headers=world.headers[role])
    if role == "anonymous":
        assert response.status_code == 401
    elif role.startswith("citizen"):
        assert response.status_code == 200
        assert "Secret case summary" not in response.text
    else:
        assert response.status_code == 403


DEAD_LETTER_READERS = {"hq_admin", "hq_analyst"}
DEAD_LETTER_RETRIERS = {"hq_admin"}


@pytest.mark.parametrize("role", [*STAFF, "anonymous", "citizen_owner"])
def test_dead_letters_are_for_hq_only(world: World, role: str) -> None:
    headers = world.headers[role]
    denied = 401 if role == "anonymous" else 403

    listed = world.client.get("/api/v1/notify/dead-letters", headers=headers)
    retried = world.client.post("/api/v1/notify/dead-letters/retry", json={}, headers=headers)

    assert listed.status_code == (200 if role in DEAD_LETTER_READERS else denied)
    assert retried.status_code == (200 if role in DEAD_LETTER_RETRIERS else denied)
