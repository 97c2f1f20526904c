"""``Idempotency-Key`` on the API's writes: a request sent twice is written once.

A client that sends a write (``POST``, ``PUT``, ``PATCH``, ``DELETE`` under ``/api/``) with
an ``Idempotency-Key`` header gets, for any later request with the same key, the same
caller, route and body, the first answer again (marked ``Idempotent-Replayed: true``),
and nothing is written twice. The same key with another body is refused (422). That makes
a retry safe: a phone that lost its connection, or nginx sending a write on to the next
app process when the one it was talking to died mid-request (``deploy/nginx``).

The answer is kept in the transaction of the write it answers. The request's transaction
(``api.deps.get_db``, ``api.hot_paths``) is not committed when the handler returns but
held (``hold``); this middleware, once the answer is made, adds it to that transaction and
commits both. So either the write and its answer are in the database or neither is: a
process killed before the commit leaves nothing, and the retry writes; killed after, the
retry finds the answer. Two copies racing (the second sent while the first still runs)
meet at the answer's primary key: the second's transaction fails, is rolled back, and it
answers with the first's answer.

A replay is the caller's own answer given again, not a new read: it is given only while
the credential that made the write still signs the caller in (else 401), and each one is
audited. Sign-in and the other ``/api/v1/auth`` routes are left out: their answers carry
session tokens, which are not kept.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Protocol

from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from peduli.api import problems
from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core import idempotency
from peduli.core.connectivity import means_outage
from peduli.core.db import commit, end_session, session_scope
from peduli.core.errors import (
    DatabaseUnavailable,
    FieldProblem,
    NotAuthenticated,
    PeduliError,
    ValidationFailed,
)
from peduli.core.i18n import _

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_KEPT = ("/api/v1/auth/",)  # answers carrying session tokens
HEADER = b"idempotency-key"
# A client's key: a UUID, or any other unique token of up to 200 visible characters.
VALID_KEY = re.compile(r"[\x21-\x7e]{1,200}")


class Caller(Protocol):
    """A request's credentials (``api.deps.Credentials``), resolved to whoever they sign in."""

    @property
    def ip(self) -> str: ...

    def resolve(self, db: Session) -> Actor | None: ...


@dataclass
class HeldWrite:
    """The transaction of one keyed request, held open for its answer."""

    session: Session | None = None


_held: ContextVar[HeldWrite | None] = ContextVar("peduli_held_write", default=None)


def hold(session: Session) -> bool:
    """At the end of a request's transaction: whether the request is keyed, so the
    transaction is left open for this middleware to commit with the answer."""
    held = _held.get()
    if held is None:
        return False
    if held.session is None:
        held.session = session
    return held.session is session


def commit_unless_held(session: Session) -> None:
    """Commit now, unless the request is keyed (then its answer commits with it)."""
    if not hold(session):
        commit(session)


@dataclass
class _Answer:
    """The app's answer, kept back until its transaction has committed."""

    messages: list[Message] = field(default_factory=list)
    status: int = 500
    headers: dict[bytes, bytes] = field(default_factory=dict)
    chunks: list[bytes] = field(default_factory=list)

    async def collect(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            self.headers = {name.lower(): value for name, value in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))
        self.messages.append(message)

    async def send_to(self, send: Send) -> None:
        for message in self.messages:
            await send(message)

    def kept(self, fingerprint: str) -> idempotency.KeptAnswer | None:
        """The answer as it is kept; None for one not worth keeping or not text."""
        if self.status >= 500 or b"set-cookie" in self.headers:
            return None
        try:
            body = b"".join(self.chunks).decode()
        except UnicodeDecodeError:
            return None
        location = self.headers.get(b"location")
        return idempotency.KeptAnswer(
            fingerprint=fingerprint,
            status=self.status,
            content_type=self.headers.get(b"content-type", b"application/json").decode(),
            location=location.decode() if location is not None else None,
            body=body,
        )


class IdempotentWrites:
    """The middleware: keyed writes answered once (see the module's docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        session_cookie: str,
        credentials: Callable[[Request], Awaitable[Caller]],
    ) -> None:
        self.app = app
        self.session_cookie = session_cookie
        self.credentials = credentials

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _key_of(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        if not VALID_KEY.fullmatch(key):
            await _refuse(scope, receive, send, _bad_key())
            return
        body = await _whole_body(receive)
        digest = self._scope_digest(scope, key)
        fingerprint = _fingerprint(scope, body)
        try:
            kept = await run_in_threadpool(_find, digest)
        except DBAPIError as error:
            await _refuse_for_outage(scope, receive, send, error)
            return
        if kept is not None:
            await self._replay_to_caller(scope, _replaying(body, receive), send, kept, fingerprint)
            return
        answer, held = _Answer(), HeldWrite()
        token = _held.set(held)
        try:
            await self.app(scope, _replaying(body, receive), answer.collect)
        except BaseException:
            if held.session is not None:
                await run_in_threadpool(end_session, held.session, failed=True)
            raise
        finally:
            _held.reset(token)
        if held.session is None:  # nothing was written, or it failed and was rolled back
            await answer.send_to(send)
            return
        await self._commit_with_answer(
            scope, receive, send, held.session, answer, digest, fingerprint
        )

    async def _commit_with_answer(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        session: Session,
        answer: _Answer,
        digest: str,
        fingerprint: str,
    ) -> None:
        kept = answer.kept(fingerprint)
        try:
            await run_in_threadpool(_commit, session, digest, kept, answer.status)
        except IntegrityError:  # a copy of this request committed first: its answer stands
            first = await run_in_threadpool(_find, digest)
            if first is None:
                raise
            await _replay(scope, receive, send, first, fingerprint)
            return
        except DBAPIError as error:  # the commit failed: the write did not happen
            await _refuse_for_outage(scope, receive, send, error)
            return
        await answer.send_to(send)

    async def _replay_to_caller(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        kept: idempotency.KeptAnswer,
        fingerprint: str,
    ) -> None:
        """The kept answer, if the request's credential still signs its caller in."""
        caller = await self.credentials(Request(scope, receive))
        signed = bool(self._credential(scope))
        try:
            await run_in_threadpool(_audit_replay, caller, scope, signed)
        except PeduliError as refused:
            await _refuse(scope, receive, send, refused)
            return
        await _replay(scope, receive, send, kept, fingerprint)

    def _scope_digest(self, scope: Scope, key: str) -> str:
        """The caller (their bearer token or session), the method, the path and the key."""
        parts = (self._credential(scope), scope["method"], scope["path"], key)
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def _credential(self, scope: Scope) -> str:
        """The request's bearer token and session cookie, as sent ("" for neither)."""
        try:
            cookies = SimpleCookie(_header(scope, b"cookie") or "")
        except CookieError:
            cookies = SimpleCookie()
        session = cookies.get(self.session_cookie)
        return (_header(scope, b"authorization") or "") + (session.value if session else "")


def _key_of(scope: Scope) -> str | None:
    if scope["type"] != "http" or not keeps_answers(scope["method"], scope["path"]):
        return None
    return _header(scope, HEADER)


def keeps_answers(method: str, path: str) -> bool:
    """Whether a request of ``method`` to ``path`` keeps its answer when it carries a key."""
    return method in WRITES and path.startswith("/api/") and not path.startswith(NOT_KEPT)


def _header(scope: Scope, name: bytes) -> str | None:
    for header, value in scope["headers"]:
        if header.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _fingerprint(scope: Scope, body: bytes) -> str:
    content_type = (_header(scope, b"content-type") or "").encode("latin-1")
    return hashlib.sha256(content_type + b"\0" + body).hexdigest()


async def _whole_body(receive: Receive) -> bytes:
    """The request's body, read whole (``BodyLimit``, outside, has bounded it)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body read already, then the client's own."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _audit_replay(caller: Caller, scope: Scope, signed: bool) -> None:
    """Audit a replay to its caller; refuse it once the credential that made the write
    (``signed``: there was one) no longer signs anyone in (ended, revoked)."""
    with session_scope() as db:
        actor = caller.resolve(db)
        if actor is None and signed:
            raise NotAuthenticated()
        audit.record(
            db,
            actor=actor,
            action="api.answer.replayed",
            entity_type="request",
            reason=f"{scope['method']} {scope['path']}",
            ip=caller.ip,
        )


def _find(digest: str) -> idempotency.KeptAnswer | None:
    with session_scope() as session:
        return idempotency.find(session, digest)


def _commit(
    session: Session, digest: str, kept: idempotency.KeptAnswer | None, status: int
) -> None:
    """Commit the held transaction with its answer; an answer of 5xx is not a success, so
    its transaction is rolled back, as ``get_db`` would have."""
    if status >= 500:
        end_session(session, failed=True)
        return
    if kept is not None:
        idempotency.keep(session, digest, kept)
    end_session(session, failed=False)


async def _replay(
    scope: Scope, receive: Receive, send: Send, kept: idempotency.KeptAnswer, fingerprint: str
) -> None:
    if kept.fingerprint != fingerprint:
        await _refuse(scope, receive, send, _key_reused())
        return
    headers = {"Idempotent-Replayed": "true", "Cache-Control": "no-store"}
    if kept.location is not None:
        headers["Location"] = kept.location
    response = Response(
        kept.body, status_code=kept.status, media_type=kept.content_type, headers=headers
    )
    await response(scope, receive, send)


async def _refuse_for_outage(scope: Scope, receive: Receive, send: Send, error: DBAPIError) -> None:
    """The database went away: a 503 the client may retry, as the app's own handler
    answers (``problems.handle_database_error``), not a 500. Any other error stays one."""
    if not means_outage(error):
        raise error
    await _refuse(scope, receive, send, DatabaseUnavailable())


async def _refuse(scope: Scope, receive: Receive, send: Send, error: PeduliError) -> None:
    response = await problems.handle_peduli_error(Request(scope, receive), error)
    await response(scope, receive, send)


def _bad_key() -> ValidationFailed:
    return ValidationFailed(
        [
            FieldProblem(
                "Idempotency-Key",
                "idempotency_key_invalid",
                _("The Idempotency-Key header must be 1 to 200 visible characters."),
                _("Send a new random key, for example a UUID, with each new request."),
            )
        ]
    )


def _key_reused() -> ValidationFailed:
    return ValidationFailed(
        [
            FieldProblem(
                "Idempotency-Key",
                "idempotency_key_reused",
                _("This Idempotency-Key was used already for a request with another body."),
                _("Send a new random key with each new request; reuse a key only to retry."),
            )
        ]
    )
