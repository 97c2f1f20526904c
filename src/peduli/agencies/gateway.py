"""The one way out to an agency: ``call``.

An HTTP POST of the request as JSON to ``<agency url>/<operation>``, with the envelope as
headers and the shared token; time-outs, a few tries with exponential backoff and full
jitter, the agency's circuit breaker (``breaker``) and, when asked, a cache of the answer
(``answers``). Every request and every answer (or why none came) is appended to the message
log (``message_log``) in the caller's transaction. Outcomes:

- an answer (a JSON object) is returned;
- ``AgencyUnavailable(retry_at)``: the breaker is open, or time-outs, 5xx, a maintenance
  window or a rate limit outlasted the tries; try again at ``retry_at``;
- ``AgencyRefused``: the agency answered 4xx (the question is wrong), or its answer was not
  a JSON object (``malformed``).

Called by the worker (jobs), never inside a request: the caller owns the transaction and
commits it, log included, once the call is over. A caller that must not hold a transaction
(on SQLite, the one writer's lock) while an agency is slow says so with
``release_during_calls``: the transaction then ends before the network and a new one begins
after it (the breaker's lease and the cache look-up in the first, the log in the second).
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any

import httpx
from sqlalchemy.orm import Session

from peduli.agencies import answers, breaker, message_log
from peduli.agencies.envelope import Envelope, Purpose, request_hash
from peduli.agencies.models import AgencyMessage, Direction
from peduli.core.config import get_settings
from peduli.core.db import commit, utcnow
from peduli.core.errors import PeduliError
from peduli.core.i18n import _

AGENCIES = ("civil_registry", "immigration", "bp2mi", "partner_state", "webhook_receiver")
BACKOFF_BASE = 0.1  # seconds before the second try; doubled each try, with full jitter
BACKOFF_CAP = 2.0
MAX_INLINE_WAIT = 1.0  # a Retry-After longer than this ends the call (retry at that time)
RETRY_LATER = timedelta(seconds=30)  # when an agency that failed without a hint is tried again
_RELEASES = "peduli_agency_releases_during_calls"


class AgencyUnavailable(PeduliError):
    """The agency did not answer (breaker open, time-out, 5xx, maintenance, rate limit)."""

    def __init__(self, agency: str, *, retry_at: datetime, reason: str) -> None:
        super().__init__(
            detail=_("The agency is not available now; it is asked again later."),
            status=503,
            title=_("Agency unavailable"),
            code="agency_unavailable",
        )
        self.agency = agency
        self.retry_at = retry_at
        self.reason = reason


class AgencyRefused(PeduliError):
    """The agency refused the question (4xx) or answered something unreadable."""

    def __init__(self, agency: str, *, status: int, reason: str, malformed: bool = False) -> None:
        super().__init__(
            detail=_("The agency refused the request."),
            status=502,
            title=_("Agency refused"),
            code="agency_malformed" if malformed else "agency_refused",
        )
        self.agency = agency
        self.answer_status = status
        self.reason = reason
        self.malformed = malformed


class _Retryable(Exception):
    def __init__(self, reason: str, status: int = 0, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.wait = wait  # the agency's own hint (Retry-After, maintenance end), in seconds


@lru_cache
def _client(timeout: float) -> httpx.Client:
    """One keep-alive client per time-out, shared by the worker's calls."""
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 2.0)))


def release_during_calls(session: Session) -> None:
    """The transaction owner lets each call of this session end the transaction before the
    network and begin a new one after it (the caller re-checks what it holds, e.g. a lease)."""
    session.info[_RELEASES] = True


@contextmanager
def _on_the_network(session: Session) -> Iterator[None]:
    if session.info.get(_RELEASES):
        commit(session)  # the next statement begins the transaction that records the answer
    yield


def _backoff(attempt: int) -> float:
    """Full jitter: a random wait up to base·2^attempt (capped)."""
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt))


def call(
    session: Session,
    *,
    agency: str,
    operation: str,
    request: Mapping[str, Any],
    purpose: Purpose,
    cause: str,
    actor: str,
    person_id: uuid.UUID | None = None,
    cache_for: timedelta | None = None,
) -> Mapping[str, Any]:
    """Ask ``agency`` to do ``operation`` with ``request``; the answer, or an error above."""
    settings = get_settings()
    if agency not in AGENCIES:
        raise ValueError(f"unknown agency {agency!r}")
    envelope = Envelope.new(
        client=settings.agency_client,
        actor=actor,
        purpose=purpose,
        cause=cause,
        request_hash=request_hash({"operation": operation, **request}),
    )
    now = utcnow()
    if cache_for is not None:
        stored = answers.cached(
            session,
            agency=agency,
            operation=operation,
            request_hash=envelope.request_hash,
            now=now,
        )
        if stored is not None:
            return stored
    lease = timedelta(seconds=settings.agency_timeout_seconds * 2 + 1)
    gate = breaker.admit(session, agency, now=now, lease=lease)
    if not gate.allowed:
        _log_refused_by_breaker(session, envelope, agency, operation, person_id, request)
        raise AgencyUnavailable(
            agency, retry_at=gate.retry_at or now + RETRY_LATER, reason="circuit breaker open"
        )
    tries = 1 if gate.trial else settings.agency_max_tries
    url = f"{settings.agency_url(agency)}/{operation}"
    exchanged: list[AgencyMessage] = []  # logged once the call is over (the head's lock)
    try:
        with _on_the_network(session):
            answer = _with_retries(exchanged, envelope, agency, operation, url, request, tries,
                                   person_id)  # fmt: skip
    except _Retryable as failure:
        message_log.append_all(session, exchanged)
        now = utcnow()
        hold = timedelta(seconds=failure.wait) if failure.wait is not None else None
        opened = breaker.failed(session, agency, now=now, reason=failure.reason, hold=hold)
        retry_at = max(filter(None, [opened, now + (hold or RETRY_LATER)]))
        raise AgencyUnavailable(agency, retry_at=retry_at, reason=failure.reason) from None
    except AgencyRefused:
        message_log.append_all(session, exchanged)
        if not gate.closed_clean:
            breaker.succeeded(session, agency, now=utcnow())  # it answered: it is up
        raise
    message_log.append_all(session, exchanged)
    if not gate.closed_clean:
        breaker.succeeded(session, agency, now=utcnow())
    if cache_for is not None:
        answers.store(
            session,
            agency=agency,
            operation=operation,
            request_hash=envelope.request_hash,
            answer=answer,
            now=utcnow(),
            keep_for=cache_for,
        )
    return answer


def _with_retries(
    exchanged: list[AgencyMessage],
    envelope: Envelope,
    agency: str,
    operation: str,
    url: str,
    request: Mapping[str, Any],
    tries: int,
    person_id: uuid.UUID | None,
) -> Mapping[str, Any]:
    """Up to ``tries`` tries, each a new message, backing off between them; the answer, or
    the last failure (``_Retryable``) or a refusal."""
    failure = _Retryable("not called")
    for attempt in range(tries):
        if attempt:
            envelope = envelope.renewed()
        try:
            return _send(exchanged, envelope, agency, operation, url, request, person_id)
        except _Retryable as exc:
            failure = exc
            if exc.wait is not None and exc.wait > MAX_INLINE_WAIT:
                break
            if attempt + 1 < tries:
                time.sleep(exc.wait if exc.wait is not None else _backoff(attempt))
    raise failure


def _send(
    exchanged: list[AgencyMessage],
    envelope: Envelope,
    agency: str,
    operation: str,
    url: str,
    request: Mapping[str, Any],
    person_id: uuid.UUID | None,
) -> Mapping[str, Any]:
    """One try: log the request, POST it, log the answer; classify what came back."""
    settings = get_settings()

    def log(**fields: Any) -> None:
        exchanged.append(
            message_log.message(
                envelope=envelope, agency=agency, operation=operation, person_id=person_id,
                **fields,
            )
        )  # fmt: skip

    log(direction=Direction.REQUEST, outcome="sent", body=request)
    headers = envelope.headers() | {"Authorization": f"Bearer {settings.agency_token}"}
    try:
        response = _client(settings.agency_timeout_seconds).post(
            url, json=dict(request), headers=headers
        )
    except httpx.HTTPError as exc:
        reason = f"no answer: {type(exc).__name__}"
        log(
            direction=Direction.ANSWER,
            outcome="unavailable",
            body={"error": reason},
        )
        raise _Retryable(reason) from None
    status, text = response.status_code, response.text
    if status == 429 or status >= 500:
        log(
            direction=Direction.ANSWER,
            outcome="unavailable",
            status=status,
            body=text[:4000],
        )
        raise _Retryable(f"answered {status}", status, _wait_hint(response))
    answer = _json_object(text)
    outcome = "ok" if status < 300 and answer is not None else "refused"
    log(
        direction=Direction.ANSWER,
        outcome=outcome,
        status=status,
        body=text[:20000],
    )
    if status >= 300:
        raise AgencyRefused(agency, status=status, reason=text[:200])
    if answer is None:
        raise AgencyRefused(agency, status=status, reason="malformed answer", malformed=True)
    return answer


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _wait_hint(response: httpx.Response) -> float | None:
    """Seconds the agency asks to wait: Retry-After (seconds or a date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - utcnow()).total_seconds())
    except (TypeError, ValueError):
        return None


def _log_refused_by_breaker(
    session: Session,
    envelope: Envelope,
    agency: str,
    operation: str,
    person_id: uuid.UUID | None,
    request: Mapping[str, Any],
) -> None:
    """A call the open breaker kept in: logged as not sent, so the trail shows the attempt."""
    message_log.append(
        session,
        envelope=envelope,
        direction=Direction.REQUEST,
        agency=agency,
        operation=operation,
        person_id=person_id,
        outcome="not_sent",
        body=request,
    )
