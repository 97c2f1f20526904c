"""Every role × every registry endpoint × in-scope / out-of-scope: zero leaks.

The expectations are written out here as a table, independently of the policy code, so a
change in the policy that widens access makes this test fail.
"""

from __future__ import annotations

import json
import re
import uuid
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
from peduli.conversations.models import Conversation
from peduli.conversations.platforms import whatsapp_signature
from peduli.core.config import get_settings
from peduli.core.db import session_scope
from peduli.notify.models import OutboxMessage
from peduli.registry import service as registry_service
from tests.conftest import empty_all_tables
from tests.conversations.conftest import whatsapp_message, whatsapp_payload
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


# --- partners, referrals and delegations ----------------------------------------------
# partner_a works for the Seoul partner the case is delegated to; partner_b for another
# Seoul partner; "partner" above has the partner role but belongs to no partner.
PARTNER_ROLES = ["partner_a", "partner_b"]
CASE_WORKERS = {"officer_seoul", "supervisor_seoul", "hq_admin"}  # of a Seoul case
PARTNER_MANAGERS = {"officer_seoul", "supervisor_seoul", "hq_admin"}  # of a Seoul partner
SECRET_SUMMARY = "Rahasia: majikan menahan paspor"


@dataclass
class PartnerWorld:
    world: World
    partner_id: str
    delegated: str  # case id delegated to partner A
    undelegated: str
    revoked: str  # delegated to partner A, then revoked


@pytest.fixture(scope="module")
def partner_world(world: World) -> PartnerWorld:
    from peduli.auth.models import StaffAccount
    from peduli.cases import service as cases_service
    from peduli.cases.schemas import CaseCreate
    from peduli.partners import delegations
    from peduli.partners import service as partners_service
    from peduli.partners.schemas import DelegationCreate, MemberCreate, PartnerCreate, Revocation

    with session_scope() as db:
        email = "officer_seoul@kemlu.example"
        account = db.scalars(select(StaffAccount).where(StaffAccount.email == email)).one()
        officer = auth_service.staff_actor(account, ip=None, via="token")
        ids = {}
        for name in ("a", "b"):
            partner = partners_service.create_partner(
                db,
                data=PartnerCreate.model_validate(
                    {
                        "name": f"Mitra {name.upper()}",
                        "kind": "ngo",
                        "country": "KR",
                        "contact_email": f"mitra-{name}@example.org",
                    }
                ),
                actor=officer,
            )
            ids[name] = partner.partner.id
            member, _password, _uri = partners_service.add_member(
                db,
                partner_id=partner.partner.id,
                data=MemberCreate(
                    email=f"partner_{name}@mitra.example", display_name=f"Staf {name}"
                ),
                actor=officer,
            )
            token = auth_service.create_token(db, email=member.account.email)
            world.headers[f"partner_{name}"] = {"Authorization": f"Bearer {token}"}
        cases = {}
        for label in ("delegated", "undelegated", "revoked"):
            case = cases_service.open_case(
                db,
                data=CaseCreate.model_validate(
                    {
                        "category": "labour",
                        "summary": f"{SECRET_SUMMARY} ({label})",
                        "people": [{"name": "Dewi Sartika", "phone": "+821077778888"}],
                    }
                ),
                actor=officer,
            )
            cases[label] = str(case.id)
            if label != "undelegated":
                view = delegations.delegate(
                    db,
                    case_id=case.id,
                    data=DelegationCreate.model_validate(
                        {"partner_id": str(ids["a"]), "task": "Check on her.", "consent": True}
                    ),
                    actor=officer,
                )
            if label == "revoked":
                delegations.revoke(
                    db,
                    case_id=case.id,
                    delegation_id=view.delegation.id,
                    data=Revocation(reason="Consent withdrawn by the citizen."),
                    actor=officer,
                )
    return PartnerWorld(world, str(ids["a"]), **cases)


ALL_ROLES = [*ROLES, *PARTNER_ROLES]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("target", ["delegated", "undelegated", "revoked"])
def test_partner_case_access(
    partner_world: PartnerWorld, role: str, target: str, engine: Engine
) -> None:
    client, headers = partner_world.world.client, partner_world.world.headers[role]
    case_id = getattr(partner_world, target)
    allowed = role == "partner_a" and target == "delegated"
    before = _denials(engine)
    calls = [
        ("GET", f"/api/v1/partner/cases/{case_id}", None),
        ("POST", f"/api/v1/partner/cases/{case_id}/notes", {"text": "Visited."}),
        ("POST", f"/api/v1/partner/cases/{case_id}/information-requests",
         {"message": "Where do you live now?"}),
    ]  # fmt: skip
    for method, url, body in calls:
        response = client.request(method, url, json=body, headers=headers)
        if role == "anonymous":
            assert response.status_code == 401
        elif allowed:
            assert response.status_code in (200, 201, 202), response.text
        else:
            assert response.status_code in (403, 404), (role, response.status_code)
            assert SECRET_SUMMARY not in response.text
    if allowed:
        body = client.get(f"/api/v1/partner/cases/{case_id}", headers=headers).json()
        assert not {"nik", "passport", "passports", "date_of_birth"} & _all_keys(body)
        assert "+821077778888" not in str(body)  # contact not shared with this delegation
    elif role != "anonymous":
        assert _denials(engine) > before, "every denial is audited"


def _all_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _all_keys(v)}
    return set()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_partner_queue_lists_only_delegated_cases(partner_world: PartnerWorld, role: str) -> None:
    client, headers = partner_world.world.client, partner_world.world.headers[role]
    response = client.get("/api/v1/partner/cases", headers=headers)
    if role == "anonymous":
        assert response.status_code == 401
    elif role in PARTNER_ROLES:
        ids = [item["case_id"] for item in response.json()["items"]]
        assert ids == ([partner_world.delegated] if role == "partner_a" else [])
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ALL_ROLES)
def test_referral_and_delegation_subresources(partner_world: PartnerWorld, role: str) -> None:
    client, headers = partner_world.world.client, partner_world.world.headers[role]
    case_id = partner_world.undelegated
    referral = {"agency_kind": "police", "agency_name": "Ansan police",
                "purpose": "Report the employer.", "consent": True}  # fmt: skip
    calls = [
        ("GET", f"/api/v1/cases/{case_id}/referrals", None),
        ("POST", f"/api/v1/cases/{case_id}/referrals", referral),
        ("GET", f"/api/v1/cases/{case_id}/delegations", None),
        ("GET", f"/api/v1/cases/{partner_world.delegated}/delegations", None),
    ]
    for method, url, body in calls:
        response = client.request(method, url, json=body, headers=headers)
        if role == "anonymous":
            assert response.status_code == 401
        elif role in CASE_WORKERS:
            assert response.status_code in (200, 201), (role, url, response.text)
        else:
            assert response.status_code in (403, 404), (role, url, response.status_code)
            assert "Ansan police" not in response.text and "Check on her" not in response.text


@pytest.mark.parametrize("role", ALL_ROLES)
def test_partner_registry_is_per_post(partner_world: PartnerWorld, role: str) -> None:
    client, headers = partner_world.world.client, partner_world.world.headers[role]
    for url in (
        f"/api/v1/partners/{partner_world.partner_id}",
        f"/api/v1/partners/{partner_world.partner_id}/members",
    ):
        response = client.get(url, headers=headers)
        if role == "anonymous":
            assert response.status_code == 401
        elif role in PARTNER_MANAGERS:
            assert response.status_code == 200
        else:
            assert response.status_code in (403, 404)
            assert "mitra-a@example.org" not in response.text
    listing = client.get("/api/v1/partners", headers=headers)
    if role in {*PARTNER_MANAGERS, "officer_kl"}:  # officers list their own post's partners
        names = {p["name"] for p in listing.json()["items"]}
        assert ("Mitra A" in names) == (role != "officer_kl")
    elif role != "anonymous":
        assert listing.status_code == 403


# Every partner route under /api/v1: the scope its token needs, who calls it, and what that
# caller gets once the scope is there (unknown ids and empty bodies: nothing changes).
NOBODY = "00000000-0000-4000-8000-000000000000"
PARTNER_ROUTES = [
    ("GET", "/partners", "partners:read", "officer_seoul", 200),
    ("POST", "/partners", "partners:write", "officer_seoul", 422),
    ("GET", "/partners/{partner}", "partners:read", "officer_seoul", 200),
    ("PATCH", f"/partners/{NOBODY}", "partners:write", "officer_seoul", 404),
    ("GET", "/partners/{partner}/members", "partners:read", "officer_seoul", 200),
    ("POST", "/partners/{partner}/members", "partners:write", "officer_seoul", 422),
    ("DELETE", f"/partners/{NOBODY}/members/{NOBODY}", "partners:write", "officer_seoul", 404),
    ("GET", "/partner/me", "partners:read", "partner_a", 200),
    ("GET", "/partner/cases", "partners:read", "partner_a", 200),
    ("GET", f"/partner/cases/{NOBODY}", "partners:read", "partner_a", 404),
    ("POST", f"/partner/cases/{NOBODY}/notes", "partners:write", "partner_a", 422),
    ("POST", f"/partner/cases/{NOBODY}/information-requests", "partners:write", "partner_a", 422),
    ("POST", f"/partner/cases/{NOBODY}/status", "partners:write", "partner_a", 422),
    ("POST", f"/partner/cases/{NOBODY}/escalation", "partners:write", "partner_a", 422),
    ("POST", "/partner/consultations", "partners:write", "partner_a", 422),
    ("GET", "/cases/{case}/referrals", "cases:read", "officer_seoul", 200),
    ("POST", "/cases/{case}/referrals", "cases:write", "officer_seoul", 422),
    ("GET", f"/cases/{{case}}/referrals/{NOBODY}", "cases:read", "officer_seoul", 404),
    ("PATCH", f"/cases/{{case}}/referrals/{NOBODY}", "cases:write", "officer_seoul", 422),
    ("GET", "/cases/{case}/delegations", "cases:read", "officer_seoul", 200),
    ("POST", "/cases/{case}/delegations", "cases:write", "officer_seoul", 422),
    ("GET", f"/cases/{{case}}/delegations/{NOBODY}", "cases:read", "officer_seoul", 404),
    ("POST", f"/cases/{{case}}/delegations/{NOBODY}/revocation", "cases:write",
     "officer_seoul", 422),
    ("POST", f"/cases/{{case}}/delegations/{NOBODY}/notes", "cases:write", "officer_seoul", 422),
]  # fmt: skip


def _scoped_headers(email: str, scopes: set[str]) -> dict[str, str]:
    with session_scope() as db:
        token = auth_service.create_token(db, email=email, scopes=scopes)
    return {"Authorization": f"Bearer {token}"}


def test_every_partner_route_is_in_the_scope_table() -> None:
    """A partner route added without a scope (and a row here) fails this test."""
    from fastapi.routing import APIRoute
    from starlette.routing import BaseRoute

    from peduli.partners.api import router

    def routes(found: list[BaseRoute]) -> Iterator[APIRoute]:
        for route in found:  # included routers are kept as such (FastAPI ≥ 0.165)
            included = getattr(route, "original_router", None)
            if included is not None:
                yield from routes(included.routes)
            elif isinstance(route, APIRoute):
                yield route

    def shape(path: str) -> str:
        return re.sub(r"\{[^}]+\}", "{}", path)

    served = {
        (method, shape(route.path))
        for route in routes(router.routes)
        if route.path != "/agency-kinds"  # public reference data
        for method in route.methods
    }
    listed = {(method, shape(url.replace(NOBODY, "{x}"))) for method, url, *_ in PARTNER_ROUTES}
    assert served == listed
    # The table covers both other routers of the domain too.
    assert {"/partner/consultations", "/cases/{}/delegations"} <= {path for _m, path in served}


@pytest.mark.parametrize(("method", "url", "scope", "caller", "status"), PARTNER_ROUTES)
def test_partner_routes_need_their_token_scope(
    partner_world: PartnerWorld, method: str, url: str, scope: str, caller: str, status: int
) -> None:
    """A token of the right role but without the scope gets 403 problem+json, audited; the
    same role's token with only that scope gets through to the service."""
    from peduli.auth.tokens import ROLE_SCOPES

    client = partner_world.world.client
    path = "/api/v1" + url.format(partner=partner_world.partner_id, case=partner_world.undelegated)
    role = Role.PARTNER if caller.startswith("partner") else Role.OFFICER
    email = f"{caller}@mitra.example" if role == Role.PARTNER else f"{caller}@kemlu.example"
    body = None if method in ("GET", "DELETE") else {}

    without = client.request(
        method, path, json=body, headers=_scoped_headers(email, set(ROLE_SCOPES[role]) - {scope})
    )
    assert without.status_code == 403, without.text
    assert without.headers["content-type"].startswith("application/problem+json")
    assert without.json()["code"] == "insufficient_scope"
    assert scope in without.json()["detail"]

    holder = client.request(method, path, json=body, headers=_scoped_headers(email, {scope}))
    assert holder.status_code == status, holder.text


def test_a_denied_scope_is_audited(partner_world: PartnerWorld, engine: Engine) -> None:
    before = _denials(engine)
    headers = _scoped_headers("officer_seoul@kemlu.example", {"registry:read"})
    assert partner_world.world.client.get("/api/v1/partners", headers=headers).status_code == 403
    assert _denials(engine) == before + 1


def test_a_self_report_needs_its_scope_and_writes_nothing_without_it(
    world: World, engine: Engine
) -> None:
    """The self-report resolves its caller in its own worker thread: the same 403, audited,
    and the report is not stored."""
    from peduli.registry.models import Person

    def people() -> int:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Person)) or 0

    body = report(nik=nik(born=date(1985, 1, 2), serial=950), passport_number="A0000950")
    before_denials, before_people = _denials(engine), people()
    headers = _scoped_headers("officer_seoul@kemlu.example", {"registry:read"})
    response = world.client.post(
        "/api/v1/self-reports", json=body.model_dump(mode="json"), headers=headers
    )
    assert response.status_code == 403 and response.json()["code"] == "insufficient_scope"
    assert "self-reports:write" in response.json()["detail"]
    assert (_denials(engine), people()) == (before_denials + 1, before_people)


def test_revoking_through_the_api_cuts_access_at_once(partner_world: PartnerWorld) -> None:
    client, headers = partner_world.world.client, partner_world.world.headers
    case_id = partner_world.delegated
    assert client.get(f"/api/v1/partner/cases/{case_id}", headers=headers["partner_a"]).is_success
    [delegation] = client.get(
        f"/api/v1/cases/{case_id}/delegations", headers=headers["officer_seoul"]
    ).json()
    revoked = client.post(
        f"/api/v1/cases/{case_id}/delegations/{delegation['id']}/revocation",
        json={"reason": "The citizen withdrew consent."},
        headers=headers["officer_seoul"],
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    after = client.get(f"/api/v1/partner/cases/{case_id}", headers=headers["partner_a"])
    assert after.status_code == 404 and SECRET_SUMMARY not in after.text
    queue = client.get("/api/v1/partner/cases", headers=headers["partner_a"]).json()
    assert queue["items"] == []


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
def test_citizen_statistics_by_role(world: World, role: str) -> None:
    url = "/api/v1/stats/citizens"
    national = world.client.get(url, params={"by": "country"}, headers=world.headers[role])
    other_post = world.client.get(
        url, params={"representation": KL_POST}, headers=world.headers[role]
    )
    if role == "anonymous":
        assert national.status_code == 401
    elif role in STATS_NATIONAL:
        assert (national.status_code, other_post.status_code) == (200, 200)
    elif role in ("officer_seoul", "supervisor_seoul"):
        assert (national.status_code, other_post.status_code) == (200, 403)
        # A post's figures are its own: no other post appears in them.
        posts = {row["key"] for row in world.client.get(
            url, params={"by": "representation"}, headers=world.headers[role]
        ).json()["rows"]}  # fmt: skip
        assert posts <= {SEOUL_POST}
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


# --- emergencies (emergency domain) ---------------------------------------------------------
EMERGENCY_READERS = {"officer_seoul", "supervisor_seoul", "officer_kl", "hq_analyst", "hq_admin"}
# Who may acknowledge a Seoul emergency; officer_kl gets 404 (not disclosed), others 403.
EMERGENCY_RESPONDERS = {"officer_seoul", "supervisor_seoul", "hq_admin"}
SOS_BODY = {"name": "Dewi", "country": "KR", "city": "Ansan", "kind": "violence",
            "phone": "+821077778888"}  # fmt: skip


def _seoul_emergency(world: World) -> str:
    answer = world.client.post("/api/v1/emergencies", json=SOS_BODY)
    assert answer.status_code in (200, 201), answer.text
    return str(answer.json()["id"])


@pytest.mark.parametrize("role", ROLES)
def test_emergency_operations_by_role(world: World, role: str) -> None:
    emergency_id = _seoul_emergency(world)
    headers = world.headers[role]
    citizen = role.startswith("citizen") or role == "anonymous"
    sos = world.client.post(
        "/api/v1/emergencies", json={**SOS_BODY, "phone": "+821077779999"}, headers=headers
    )
    assert sos.status_code in ({200, 201} if citizen else {403}), (role, sos.text)
    listing = world.client.get("/api/v1/emergencies?state=all", headers=headers)
    acknowledged = world.client.post(
        f"/api/v1/emergencies/{emergency_id}/acknowledge", headers=headers
    )
    roster = world.client.get(f"/api/v1/duty-rosters/{SEOUL_POST}", headers=headers)
    if role == "anonymous":
        assert (listing.status_code, acknowledged.status_code, roster.status_code) == (401,) * 3
        return
    assert listing.status_code == (200 if role in EMERGENCY_READERS else 403)
    if role in EMERGENCY_RESPONDERS:
        assert acknowledged.status_code == 200
    else:
        assert acknowledged.status_code in (403, 404)
        assert "Ansan" not in acknowledged.text
    may_read_roster = role in {"officer_seoul", "supervisor_seoul", "hq_analyst", "hq_admin"}
    assert roster.status_code == 200 if may_read_roster else roster.status_code in (403, 404)
    if role == "officer_kl":
        assert listing.json()["items"] == [] or all(
            item["representation_code"] == KL_POST for item in listing.json()["items"]
        )


# --- conversations (chat) -------------------------------------------------------------------
# A Seoul WhatsApp conversation: its post and HQ admins read and answer it; officer_kl and a
# partner (nothing delegated) are told it does not exist; other roles may not use the inbox.
CONVERSATION_HANDLERS = {"officer_seoul", "supervisor_seoul", "hq_admin"}
CONVERSATION_READERS = CONVERSATION_HANDLERS | {"officer_kl", "partner"}


def _seoul_conversation(world: World) -> str:
    body = json.dumps(whatsapp_payload(whatsapp_message("+821066667777", "Halo, di Ansan")))
    signature = whatsapp_signature(body.encode(), get_settings().whatsapp_app_secret)
    answer = world.client.post(
        "/api/v1/channels/whatsapp/webhook", content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    with session_scope() as db:
        return str(db.scalars(select(Conversation.id).limit(1)).one())


@pytest.mark.parametrize("role", ROLES)
def test_conversation_operations_by_role(world: World, role: str) -> None:
    conversation_id = _seoul_conversation(world)
    headers = world.headers[role]
    listing = world.client.get("/api/v1/conversations", headers=headers)
    read = world.client.get(f"/api/v1/conversations/{conversation_id}", headers=headers)
    replied = world.client.post(
        f"/api/v1/conversations/{conversation_id}/replies", json={"text": "Baik."}, headers=headers
    )
    if role == "anonymous":
        assert (listing.status_code, read.status_code, replied.status_code) == (401,) * 3
        return
    if role not in CONVERSATION_READERS:
        assert (listing.status_code, read.status_code, replied.status_code) == (403,) * 3
        return
    assert listing.status_code == 200
    listed = {item["id"] for item in listing.json()["items"]}
    if role in CONVERSATION_HANDLERS:
        assert conversation_id in listed
        assert (read.status_code, replied.status_code) == (200, 201), (read.text, replied.text)
    else:
        assert conversation_id not in listed
        assert (read.status_code, replied.status_code) == (404, 404)
        assert "Ansan" not in read.text


# --- Crisis response -------------------------------------------------------------------
CRISIS_DECLARERS = {"hq_admin", "supervisor_seoul"}
CRISIS_VIEWERS = {"hq_admin", "hq_analyst", "supervisor_seoul", "officer_seoul", "officer_kl"}
# Who may export the evacuation list, and whose people they see in it.
CRISIS_PERSON = "Dewi Kartika Sari"
EVACUATION_REACH = {
    "hq_admin": {SEOUL_POST, KL_POST},
    "officer_kl": {KL_POST},
    "officer_seoul": {SEOUL_POST},
    "supervisor_seoul": {SEOUL_POST},
}


@pytest.fixture(scope="module")
def crisis_id(world: World) -> str:
    """A crisis around Kuala Lumpur with one broadcast sent to a person living there."""
    from peduli.crisis import broadcasts
    from peduli.crisis.schemas import BroadcastCreate
    from tests.crisis.crisis_helpers import add_person

    # Their own person: other tests here report the KL person's departure.
    with session_scope() as db:
        add_person(db, latitude=3.14, longitude=101.69, post=KL_POST, name=CRISIS_PERSON)

    area = {"circle": {"lat": 3.139, "lon": 101.687, "radius_km": 30}}
    created = world.client.post(
        "/api/v1/crises",
        json={"title": "Banjir KL", "kind": "flood", "severity": "severe", "area": area},
        headers=world.headers["hq_admin"],
    )
    assert created.status_code == 201, created.text
    author, second = staff(Role.HQ_ADMIN), staff(Role.HQ_ADMIN)
    with session_scope() as db:
        body = BroadcastCreate(messages={"id": "Banjir. Naik ke tempat tinggi."}, channels=["sms"])
        new_id = uuid.UUID(created.json()["id"])
        broadcast = broadcasts.draft(db, crisis_id=new_id, body=body, actor=author)
        broadcasts.approve(
            db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=second
        )
        broadcasts.send(db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=author)
    return str(created.json()["id"])


@pytest.mark.parametrize("role", ROLES)
def test_crisis_declaration_by_hq_admin_and_supervisors_only(world: World, role: str) -> None:
    area = {"countries": ["MY"]}
    response = world.client.post(
        "/api/v1/crises",
        json={"title": f"Krisis {role}", "kind": "other", "severity": "minor", "area": area},
        headers=world.headers[role],
    )
    if role == "anonymous":
        assert response.status_code == 401
    else:
        assert response.status_code == (201 if role in CRISIS_DECLARERS else 403), response.text


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("suffix", ["", "/audience", "/board", "/cap"])
def test_crisis_reads_by_staff_who_follow_crises(
    world: World, crisis_id: str, role: str, suffix: str
) -> None:
    response = world.client.get(f"/api/v1/crises/{crisis_id}{suffix}", headers=world.headers[role])
    if role == "anonymous":
        assert response.status_code == 401
    elif role not in CRISIS_VIEWERS:
        assert response.status_code == 403
    else:
        assert response.status_code == 200, response.text
        if suffix == "/audience" and role in ("officer_seoul", "supervisor_seoul"):
            assert KL_POST not in response.json()["by_representation"]
            assert response.json()["total"] == 0


@pytest.mark.parametrize("role", ROLES)
def test_evacuation_list_only_of_ones_own_posts_people(
    world: World, crisis_id: str, role: str
) -> None:
    response = world.client.get(
        f"/api/v1/crises/{crisis_id}/evacuation-list", headers=world.headers[role]
    )
    if role == "anonymous":
        assert response.status_code == 401
        return
    if role not in EVACUATION_REACH:
        assert response.status_code == 403
        assert CRISIS_PERSON not in response.text
        return
    assert response.status_code == 200
    assert (CRISIS_PERSON in response.text) == (KL_POST in EVACUATION_REACH[role])


@pytest.mark.parametrize("role", ROLES)
def test_broadcast_drafts_and_approvals(world: World, crisis_id: str, role: str) -> None:
    from peduli.crisis import broadcasts
    from peduli.crisis.schemas import BroadcastCreate

    drafted = world.client.post(
        f"/api/v1/crises/{crisis_id}/broadcasts",
        json={"messages": {"id": "Tetap di rumah."}, "channels": ["sms"]},
        headers=world.headers[role],
    )
    with session_scope() as db:
        body = BroadcastCreate(messages={"id": "Tetap di rumah."}, channels=["sms"])
        hq = staff(Role.HQ_ADMIN)
        other = broadcasts.draft(db, crisis_id=uuid.UUID(crisis_id), body=body, actor=hq)
        other_id = other.id
    approved = world.client.post(
        f"/api/v1/crises/{crisis_id}/broadcasts/{other_id}/approve", headers=world.headers[role]
    )
    if role == "anonymous":
        assert drafted.status_code == 401 and approved.status_code == 401
        return
    assert drafted.status_code == (201 if role in CRISIS_DECLARERS else 403), drafted.text
    # An HQ broadcast goes to every post: only HQ admins approve it.
    assert approved.status_code == (200 if role == "hq_admin" else 403), approved.text


@pytest.mark.parametrize("role", ROLES)
def test_sms_replies_need_the_gateway_token(world: World, role: str) -> None:
    response = world.client.post(
        "/api/v1/channels/sms/inbound",
        json={"sender": "+60123456789", "text": "AMAN"},
        headers=world.headers[role],
    )
    assert response.status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_sms_delivery_reports_need_the_gateway_token(world: World, role: str) -> None:
    """A staff token is no gateway's: nobody but the gateway marks messages delivered."""
    response = world.client.post(
        "/api/v1/channels/sms/delivery-reports",
        json={"reports": [{"id": "sms-1", "status": "delivered"}]},
        headers=world.headers[role],
    )
    assert response.status_code == 401


def test_a_broadcast_is_approved_and_sent_only_through_its_own_crisis(
    world: World, crisis_id: str
) -> None:
    """Another crisis's URL does not reach a broadcast: 404, and nothing changes."""
    from peduli.crisis import broadcasts
    from peduli.crisis.models import Broadcast
    from peduli.crisis.schemas import BroadcastCreate

    headers = world.headers["hq_admin"]
    other = world.client.post(
        "/api/v1/crises",
        json={"title": "Other", "kind": "other", "severity": "minor",
              "area": {"countries": ["KR"]}},
        headers=headers,
    )  # fmt: skip
    assert other.status_code == 201, other.text
    with session_scope() as db:
        body = BroadcastCreate(messages={"id": "Tetap di rumah."}, channels=["sms"])
        drafted = broadcasts.draft(
            db, crisis_id=uuid.UUID(crisis_id), body=body, actor=staff(Role.HQ_ADMIN)
        )
        broadcast_id = drafted.id
    wrong = f"/api/v1/crises/{other.json()['id']}/broadcasts/{broadcast_id}"
    approved = world.client.post(f"{wrong}/approve", headers=headers)
    assert approved.status_code == 404, approved.text
    with session_scope() as db:
        assert db.get_one(Broadcast, broadcast_id).status == "draft"
    right = f"/api/v1/crises/{crisis_id}/broadcasts/{broadcast_id}"
    assert world.client.post(f"{right}/approve", headers=headers).status_code == 200
    sent = world.client.post(f"{wrong}/send", headers=headers)
    assert sent.status_code == 404, sent.text
    with session_scope() as db:
        assert db.get_one(Broadcast, broadcast_id).status == "approved"
    assert world.client.post(f"{right}/send", headers=headers).status_code == 200


# The attacks of issue 11 §2, each with the one scope that must not be enough.
NARROW_TOKEN_ATTEMPTS = [
    ("audit:read", "POST", "/crises", {"title": "X", "kind": "other", "severity": "minor",
                                        "area": {"countries": ["MY"]}}),
    ("audit:read", "POST", "/crises/{crisis}/broadcasts",
     {"messages": {"id": "Tetap di rumah."}, "channels": ["sms"]}),
    ("audit:read", "POST", "/crises/{crisis}/close", None),
    ("audit:read", "GET", "/crises/{crisis}/evacuation-list", None),
    ("audit:read", "GET", "/emergencies", None),
    ("audit:read", "GET", "/duty-rosters/kbri-kuala-lumpur", None),
    ("stats:read", "GET", "/notify/dead-letters", None),
]  # fmt: skip


@pytest.mark.parametrize(("scope", "method", "url", "body"), NARROW_TOKEN_ATTEMPTS)
def test_a_narrow_token_reaches_nothing_beyond_its_scope(
    world: World, crisis_id: str, scope: str, method: str, url: str, body: Any
) -> None:
    headers = _scoped_headers("hq_admin@kemlu.example", {scope})
    response = world.client.request(
        method, "/api/v1" + url.format(crisis=crisis_id), json=body, headers=headers
    )
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "insufficient_scope"
    assert CRISIS_PERSON not in response.text
