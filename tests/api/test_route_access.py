"""Every route of the app declares what its caller needs, and the declaration holds.

The declaration is one dependency per route (``peduli.api.deps``): a token scope, PUBLIC,
OWN (the caller's own account or record) or, for a staff page, the roles that may open it.
A route added without one fails here; so does an API route whose token check comes after a
look-up or after the body is validated: a token without the scope gets 403 and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from peduli.api.app import API_PREFIX, create_app
from peduli.api.deps import RouteAccess, declared_access
from peduli.auth import accounts, sessions
from peduli.auth import service as auth_service
from peduli.auth.audit import AuditEntry
from peduli.auth.models import StaffAccount
from peduli.auth.roles import POST_BOUND_ROLES, STAFF_ROLES, Role
from peduli.auth.scopes import ROLE_SCOPES, SCOPE_HOLDERS, SCOPES
from peduli.core.db import session_scope

# Served by FastAPI and Starlette themselves, public by design: the OpenAPI document, its
# two viewers, and the static files (CSS, JS, images).
FRAMEWORK_PUBLIC = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/static"}
NOBODY = "00000000-0000-4000-8000-000000000000"
# Staff roles that may hold a session on the pages (agencies only use API tokens).
PAGE_ROLES = [Role.PARTNER, Role.HQ_ANALYST, Role.OFFICER, Role.SUPERVISOR, Role.HQ_ADMIN]


@dataclass(frozen=True)
class Served:
    method: str
    path: str
    access: frozenset[RouteAccess]

    @property
    def is_api(self) -> bool:
        return self.path.startswith(API_PREFIX + "/") or self.path == "/healthz"

    @property
    def url(self) -> str:
        """The path with every parameter filled by an id that names nothing."""
        return re.sub(r"\{[^}]+\}", NOBODY, self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def served(app: FastAPI) -> Iterator[Served]:
    """Every (method, path) the app answers, with what it declares; others are framework's."""
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            assert context.path in FRAMEWORK_PUBLIC, f"{context.path} declares nothing"
            continue
        for method in sorted(context.methods or ()):
            yield Served(method, context.path, frozenset(declared_access(context.dependant)))


def scoped_api_routes(app: FastAPI) -> list[Served]:
    return [r for r in served(app) if r.is_api and _only(r).kind == "scope"]


def _only(route: Served) -> RouteAccess:
    assert len(route.access) == 1, f"{route} declares {len(route.access)} accesses"
    return next(iter(route.access))


def test_every_route_declares_what_its_caller_needs() -> None:
    routes = list(served(create_app()))
    assert len(routes) > 150  # API and pages alike
    undeclared = [str(r) for r in routes if len(r.access) != 1]
    assert undeclared == [], "each route declares exactly one access"
    for route in routes:
        access = _only(route)
        if route.is_api:  # tokens carry scopes; pages are sessions
            assert access.kind in ("scope", "public", "own"), route
            assert access.scopes <= SCOPES, route
        else:
            assert access.kind in ("roles", "public", "own"), route
            assert access.roles <= STAFF_ROLES, route


def test_every_scope_has_holders_and_hq_admins_hold_them_all() -> None:
    used = {s for r in scoped_api_routes(create_app()) for s in _only(r).scopes}
    assert used <= SCOPES
    assert all(SCOPE_HOLDERS[scope] for scope in SCOPES)
    assert ROLE_SCOPES[Role.HQ_ADMIN] == SCOPES
    # The analyst reads figures and follows crises; never the registry, cases or audit.
    assert ROLE_SCOPES[Role.HQ_ANALYST] == {
        "stats:read", "crises:read", "emergencies:read", "notify:read"
    }  # fmt: skip


@pytest.fixture
def app_client(clean_engine: Engine) -> Iterator[tuple[FastAPI, TestClient]]:
    app = create_app()
    with TestClient(app) as client:
        yield app, client


def _token_without(scopes: frozenset[str]) -> dict[str, str]:
    """An HQ admin's token (the role may hold every scope) without ``scopes``."""
    email = "hq_admin@tokens.example"
    with session_scope() as db:
        _account(db, email, Role.HQ_ADMIN)
        token = auth_service.create_token(db, email=email, scopes=set(SCOPES - scopes))
    return {"Authorization": f"Bearer {token}"}


def _account(db: Session, email: str, role: Role) -> StaffAccount:
    """The staff account of ``email``, made once (a post for post-bound roles)."""
    found = db.scalar(select(StaffAccount).where(StaffAccount.email == email))
    if found is not None:
        return found
    post = "kbri-seoul" if role in POST_BOUND_ROLES else None
    account, _password = accounts.create_staff(db, email=email, role=role, representation_code=post)
    return account


def _denials() -> int:
    with session_scope() as db:
        count = select(func.count()).select_from(AuditEntry).where(AuditEntry.outcome == "denied")
        return db.scalar(count) or 0


def test_a_token_without_the_routes_scope_gets_403_before_anything_else(
    app_client: tuple[FastAPI, TestClient],
) -> None:
    """Unknown ids, an empty body and a body that is not JSON: 403 each time, never 404 or
    422 (the check precedes look-ups and validation), and every refusal is audited."""
    app, client = app_client
    routes = scoped_api_routes(app)
    assert len(routes) > 60
    before = _denials()
    wrong = []
    for route in routes:
        needs = _only(route).scopes
        headers = _token_without(needs)
        bodies: list[dict[str, object]] = [{}]
        if route.method in ("POST", "PUT", "PATCH"):
            bodies = [
                {"json": {}},
                {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
            ]
        for body in bodies:
            extra = dict(body)
            sent = {**headers, **extra.pop("headers", {})}  # type: ignore[dict-item]
            answer = client.request(route.method, route.url, headers=sent, **extra)  # type: ignore[arg-type]
            problem = (
                answer.json()
                if answer.headers.get("content-type", "").startswith("application/problem+json")
                else {}
            )
            if answer.status_code != 403 or problem.get("code") != "insufficient_scope":
                wrong.append(f"{route} {list(extra)}: {answer.status_code} {answer.text[:120]}")
            elif not any(scope in problem["detail"] for scope in needs):
                wrong.append(f"{route}: the refusal does not name {sorted(needs)}")
    assert wrong == []
    sent_requests = sum(2 if r.method in ("POST", "PUT", "PATCH") else 1 for r in routes)
    assert _denials() - before == sent_requests, "every refusal is audited"


def test_the_one_hop_self_report_checks_its_scope_before_validating(
    app_client: tuple[FastAPI, TestClient],
) -> None:
    """The self-report checks its scope with its work, in one thread; an invalid body from a
    token without the scope is still a 403, and a session is still told what is invalid."""
    _app, client = app_client
    headers = _token_without(frozenset({"self-reports:write"}))
    answer = client.post(f"{API_PREFIX}/self-reports", json={"nik": "1"}, headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (403, "insufficient_scope")
    anonymous = client.post(f"{API_PREFIX}/self-reports", json={"nik": "1"})
    assert anonymous.status_code == 401
    holder = _token_without(frozenset({"audit:read"}))
    invalid = client.post(f"{API_PREFIX}/self-reports", json={"nik": "1"}, headers=holder)
    assert invalid.status_code == 422


def _page_session(role: Role) -> dict[str, str]:
    """A staff session of ``role`` (its cookie and CSRF token), as a sign-in would give."""
    email = f"{role.value}@pages.example"
    with session_scope() as db:
        new = sessions.start(db, staff_account_id=_account(db, email, role).id)
        return {
            "Cookie": f"peduli_session={new.token}",
            "X-CSRF-Token": new.row.csrf_token,
            "Accept": "text/html",
        }


def test_staff_pages_refuse_every_other_staff_role(app_client: tuple[FastAPI, TestClient]) -> None:
    """A page declares the staff roles it is for; a signed-in member of another role gets 403
    (audited) before the page looks anything up."""
    app, client = app_client
    pages = [r for r in served(app) if not r.is_api and _only(r).kind == "roles"]
    assert len(pages) > 40
    wrong = []
    for page in pages:
        outsider = next((role for role in PAGE_ROLES if role not in _only(page).roles), None)
        if outsider is None:
            continue
        answer = client.request(
            page.method, page.url, headers=_page_session(outsider), follow_redirects=False
        )
        if answer.status_code != 403:
            wrong.append(f"{page} as {outsider.value}: {answer.status_code}")
    assert wrong == []
