"""Request dependencies as ``Annotated`` aliases: the database session and the caller.

Every route declares here what its caller needs, in one dependency read by
``declared_access``: a token scope (``require_scope``, or ``credentials_for`` on the one-hop
writes), ``PUBLIC`` (no credential: health, sign-in, reference data, the SOS), ``OWN`` (any
signed-in caller, answered only about their own account or record) or, for a staff page, the
roles that may open it (``staff_page``). The markers and ``declared_access`` are in
``api.access`` (re-exported here). ``tests/api/test_route_access.py`` fails on a route of the
app that declares none.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import Cookie, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.params import Depends as DependsMarker
from sqlalchemy.orm import Session

from peduli.api import idempotency
from peduli.api.access import (
    OWN as OWN,
)
from peduli.api.access import (
    PUBLIC as PUBLIC,
)
from peduli.api.access import (
    SMS_GATEWAY as SMS_GATEWAY,
)
from peduli.api.access import (
    RouteAccess as RouteAccess,
)
from peduli.api.access import (
    declared_access as declared_access,
)
from peduli.api.access import (
    declaring,
    required_scopes,
)
from peduli.api.turns import Lane, turns
from peduli.auth import audit, devices
from peduli.auth import service as auth_service
from peduli.auth.actor import Actor
from peduli.auth.roles import Role
from peduli.auth.scopes import ROLE_SCOPES
from peduli.core import csrf, read_replica
from peduli.core.client_address import client_address
from peduli.core.config import get_settings
from peduli.core.db import end_session, get_sessionmaker, session_scope
from peduli.core.errors import Forbidden, NotAuthenticated
from peduli.core.i18n import _

SESSION_COOKIE = "peduli_session"
T = TypeVar("T")


def _transaction_in(lane: Lane) -> Callable[[], AsyncIterator[Session]]:
    """The dependency of one transaction per request, taken in a turn of ``lane``
    (``api.turns``): committed when the handler returns, else rolled back.

    Asynchronous so that opening the session (no I/O yet) costs no hop to a worker thread;
    the commit or rollback, which does I/O, runs in one. A busy write endpoint commits
    itself (``peduli.core.db.commit``) in the thread it already runs in: then nothing is
    left to do here but hand the connection back, and the request saves a hop (on SQLite,
    the writer's turn also ends without waiting for the event loop).
    """

    async def transaction() -> AsyncIterator[Session]:
        async with turns(lane):
            session = get_sessionmaker()()
            try:
                yield session
            except BaseException:
                await run_in_threadpool(partial(end_session, session, failed=True))
                raise
            if idempotency.hold(session):  # a keyed write: committed with its answer
                return
            if session.in_transaction():
                await run_in_threadpool(partial(end_session, session, failed=False))
            else:
                session.close()

    return transaction


get_db = _transaction_in(Lane.REQUESTS)
get_delivery_reports_db = _transaction_in(Lane.DELIVERY_REPORTS)


# scope="function": commit before the response is sent, so a client never sees success
# for a transaction that then fails, and its next request reads what it just wrote.
DbSession = Annotated[Session, Depends(get_db, scope="function")]
DeliveryReportsDb = Annotated[Session, Depends(get_delivery_reports_db, scope="function")]


# Reads that may be seconds behind: the replica (PEDULI_READ_DATABASE_URL), else the primary.
get_lagging_read_db = read_replica.lagging_read_transaction
LaggingReadDb = Annotated[Session, Depends(get_lagging_read_db, scope="function")]


def set_session_cookie(response: Response, token: str, device_token: str | None = None) -> None:
    """Give the browser its session: HttpOnly, SameSite=Lax, Secure behind HTTPS; and the
    known-device token of the account it signed in to (``auth.devices``)."""
    secure = get_settings().secure_cookies
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/"
    )
    if device_token:
        response.set_cookie(
            devices.DEVICE_COOKIE,
            device_token,
            max_age=devices.DEVICE_COOKIE_DAYS * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/",
        )


DeviceCookie = Annotated[
    str | None, Cookie(alias=devices.DEVICE_COOKIE, include_in_schema=False, max_length=100)
]


def client_ip(request: Request) -> str:
    """The caller's address: ``X-Forwarded-For`` counts only from PEDULI_TRUSTED_PROXIES."""
    return client_address(
        request.client.host if request.client else "",
        request.headers.getlist("x-forwarded-for"),
        get_settings().trusted_proxy_networks,
    )


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def form_csrf_token(request: Request) -> str | None:
    """The CSRF token of a submitted page form (header for scripts, field for forms)."""
    header = request.headers.get("x-csrf-token")
    if header or request.method in ("GET", "HEAD", "OPTIONS"):
        return csrf.unmask(header) if header else None
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get("csrf_token")
        return csrf.unmask(value) if isinstance(value, str) else None
    return None


@dataclass(frozen=True)
class Credentials:
    """What a request says about its caller, read on the event loop; nothing looked up yet."""

    # The secrets stay out of the repr, so no log line or traceback can carry them.
    bearer_token: str | None = field(repr=False)
    session_token: str | None = field(repr=False)
    ip: str
    method: str
    csrf_token: str | None = field(repr=False)
    route: str  # "POST /self-reports", for the audit entry of a denial
    # The scope the route declared (``credentials_for``): checked by ``require``.
    needs: frozenset[str] = frozenset()

    def resolve(self, db: Session) -> Actor | None:
        """The caller behind these credentials; None if anonymous."""
        return auth_service.resolve_actor(
            db,
            bearer_token=self.bearer_token,
            session_token=self.session_token,
            ip=self.ip,
            method=self.method,
            csrf_token=self.csrf_token,
        )

    def require(self, db: Session) -> Actor:
        """The signed-in caller if their token carries the declared scope (a denial is audited)."""
        assert self.needs, "declare the route's scope with credentials_for(scope)"
        actor = self.resolve(db)
        if actor is None:
            raise _not_signed_in()
        check_scope(db, actor, scope=self.needs, route=self.route)
        return actor


async def get_credentials(
    request: Request, csrf_token: Annotated[str | None, Depends(form_csrf_token)]
) -> Credentials:
    """The caller's credentials from a bearer token or the session cookie."""
    return Credentials(
        bearer_token=_bearer_of(request),
        session_token=request.cookies.get(SESSION_COOKIE),
        ip=client_ip(request),
        method=request.method,
        csrf_token=csrf_token,
        route=_route_of(request),
    )


CallerCredentials = Annotated[Credentials, Depends(get_credentials)]


async def request_credentials(request: Request) -> Credentials:
    """``get_credentials`` outside the routes' dependencies (``api.idempotency``'s replays)."""
    return await get_credentials(request, await form_csrf_token(request))


def _route_of(request: Request) -> str:
    """The method and route template ("POST /self-reports"), never the values in the URL."""
    return f"{request.method} {getattr(request.scope.get('route'), 'path', request.url.path)}"


def get_optional_actor(
    request: Request, db: DbSession, credentials: CallerCredentials
) -> Actor | None:
    """Resolve the caller from a bearer token or the session cookie; None if anonymous."""
    actor = credentials.resolve(db)
    if actor is not None and actor.csrf_token:
        request.state.csrf_token = actor.csrf_token
    return actor


def _not_signed_in() -> NotAuthenticated:
    return NotAuthenticated(_("Sign in, or send an API token as 'Authorization: Bearer <token>'."))


async def get_actor(actor: Annotated[Actor | None, Depends(get_optional_actor)]) -> Actor:
    """Require a signed-in caller."""
    if actor is None:
        raise _not_signed_in()
    return actor


def check_scope(db: Session, actor: Actor, *, scope: str | frozenset[str], route: str) -> None:
    """Admit ``actor`` only if their token carries ``scope`` (or one of them); audit a denial."""
    wanted = frozenset({scope}) if isinstance(scope, str) else scope
    if any(actor.has_scope(one) for one in wanted):
        return
    # Name the scope this caller's role could hold (cases:refer for an agency, else cases:write).
    named = sorted(wanted & ROLE_SCOPES.get(actor.role, frozenset()) or wanted)[0]
    audit.record_denial(
        db,
        actor=actor,
        action="api.scope_missing",
        entity_type="api",
        reason=f"{route} needs {' or '.join(sorted(wanted))}",
    )
    raise Forbidden(
        _(
            "This API token lacks the scope '{scope}'. Create one that has it: "
            "peduli token create --email … --scope {scope}"
        ).format(scope=named),
        code="insufficient_scope",
    )


OptionalActor = Annotated[Actor | None, Depends(get_optional_actor)]
CurrentActor = Annotated[Actor, Depends(get_actor)]
ClientIp = Annotated[str, Depends(client_ip)]


def require_scope(
    *scopes: str,
) -> Callable[[Actor, Session, Request], Coroutine[Any, Any, Actor]]:
    """A dependency that admits the caller only if their API token carries ``scope``.

    With several scopes, one of them suffices (``POST /cases``: staff ``cases:write``,
    agencies ``cases:refer``). Declared before any other dependency of the route, it runs
    before anything is looked up and before the body is validated (FastAPI solves
    dependencies first). Asynchronous: the check is in memory, so only a denial (which is
    audited) needs a thread.
    """
    wanted = frozenset(scopes)
    assert wanted, "name the scope"

    async def dependency(actor: CurrentActor, db: DbSession, request: Request) -> Actor:
        if not any(actor.has_scope(one) for one in wanted):
            await run_in_threadpool(
                partial(check_scope, db, actor, scope=wanted, route=_route_of(request))
            )
        return actor

    return declaring(RouteAccess("scope", scopes=wanted), dependency)


def credentials_for(scope: str) -> Callable[[Credentials], Coroutine[Any, Any, Credentials]]:
    """The caller's credentials, checked for ``scope`` by ``hot_path_write_as_caller``.

    The one-hop writes resolve their caller in the same worker thread as their work, so
    the check runs there; on input that fails validation, ``scope_checked_first`` makes the
    same check before answering 422.
    """

    async def dependency(credentials: CallerCredentials) -> Credentials:
        return replace(credentials, needs=frozenset({scope}))

    return declaring(RouteAccess("scope", scopes=frozenset({scope})), dependency)


def staff_page(roles: frozenset[Role]) -> DependsMarker:
    """Declares a staff page for ``roles``; another staff role gets 403 (audited) before the
    page looks anything up. A reader who is not signed in as staff is sent to sign in by the
    page itself."""

    async def dependency(actor: OptionalActor, db: DbSession, request: Request) -> None:
        if actor is not None and actor.is_staff and actor.role not in roles:
            await run_in_threadpool(partial(_refuse_role, db, actor, route=_route_of(request)))

    return Depends(declaring(RouteAccess("roles", roles=frozenset(roles)), dependency))


def _refuse_role(db: Session, actor: Actor, *, route: str) -> None:
    audit.record_denial(
        db, actor=actor, action="page.role_missing", entity_type="page", reason=route
    )
    raise Forbidden(_("Your role may not do this."), code="role_not_allowed")


def scope_checked_first(
    handler: Callable[[Request, Exception], Coroutine[Any, Any, Response]],
    render: Callable[[Request, Exception], Coroutine[Any, Any, Response]],
) -> Callable[[Request, Exception], Coroutine[Any, Any, Response]]:
    """Wrap the handler of invalid input: a token without the route's scope gets 403.

    ``require_scope`` already runs before the body is validated; this covers what comes
    earlier (a body that is not JSON at all) and the one-hop writes, which check their
    scope with their work. Only a bearer token (or no credential: 401) is checked here:
    sessions carry no scopes. Costs nothing on valid input.
    """

    async def handle(request: Request, exc: Exception) -> Response:
        needs = required_scopes(getattr(request.scope.get("route"), "dependant", None))
        bearer = _bearer_of(request)
        if needs and (bearer or SESSION_COOKIE not in request.cookies):
            credentials = Credentials(
                bearer_token=bearer,
                session_token=None,
                ip=client_ip(request),
                method=request.method,
                csrf_token=None,
                route=_route_of(request),
                needs=needs,
            )
            try:
                async with turns(Lane.REQUESTS):
                    await run_in_threadpool(_require_alone, credentials)
            except (NotAuthenticated, Forbidden) as refused:
                return await render(request, refused)
        return await handler(request, exc)

    return handle


def _require_alone(credentials: Credentials) -> None:
    with session_scope() as db:  # a denial is audited after the rollback
        credentials.require(db)


def _bearer_of(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None
