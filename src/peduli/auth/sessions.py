"""Server-side sessions (OWASP ASVS L2): random tokens stored hashed, idle and absolute
timeouts, revocation, and the synchronizer CSRF token kept with each session."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.auth.models import AuthSession
from peduli.core.config import get_settings
from peduli.core.db import utcnow
from peduli.core.errors import Forbidden, NotAuthenticated
from peduli.core.i18n import _

# last_seen_at is written at most this often, so a busy client does not write per request.
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class NewSession:
    """A session just started: the cookie value (shown once) and its stored row."""

    token: str
    row: AuthSession


def token_hash(token: str) -> str:
    """The SHA-256 hex digest under which a session or API token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def idle_timeout(row: AuthSession) -> timedelta:
    """How long ``row`` may stay unused: citizens on shared phones get a day, staff less."""
    settings = get_settings()
    if row.citizen_account_id is not None:
        return timedelta(minutes=settings.citizen_session_idle_minutes)
    return timedelta(minutes=settings.session_idle_minutes)


def _absolute_timeout(*, citizen: bool) -> timedelta:
    settings = get_settings()
    if citizen:
        # A citizen session never outlives its idle limit: one day, then a new code.
        return timedelta(minutes=settings.citizen_session_idle_minutes)
    return timedelta(hours=settings.session_absolute_hours)


def start(
    session: Session,
    *,
    staff_account_id: uuid.UUID | None = None,
    citizen_account_id: uuid.UUID | None = None,
    ip: str | None = None,
) -> NewSession:
    """Create a new session (a fresh token at every sign-in: no fixation)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = AuthSession(
        token_hash=token_hash(token),
        csrf_token=secrets.token_urlsafe(32),
        staff_account_id=staff_account_id,
        citizen_account_id=citizen_account_id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + _absolute_timeout(citizen=citizen_account_id is not None),
        ip=ip,
    )
    session.add(row)
    session.flush()
    return NewSession(token=token, row=row)


def _ended(detail: str, code: str) -> NotAuthenticated:
    error = NotAuthenticated(detail)
    error.code = code
    return error


def find_active(session: Session, *, token: str, now: datetime | None = None) -> AuthSession:
    """The live session behind a cookie value; ``NotAuthenticated`` saying why if none."""
    now = now or utcnow()
    row = session.scalar(select(AuthSession).where(AuthSession.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None:
        raise _ended(_("Your session has ended. Sign in again."), "session_ended")
    if now >= row.expires_at:
        raise _ended(
            _("Your session reached its maximum length. Sign in again."), "session_expired"
        )
    if now - row.last_seen_at >= idle_timeout(row):
        raise _ended(
            _("Your session expired after a period without activity. Sign in again."),
            "session_expired",
        )
    return row


def touch(row: AuthSession, *, now: datetime | None = None) -> None:
    """Mark the session as used, writing at most once per ``TOUCH_INTERVAL``."""
    now = now or utcnow()
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now


def check_csrf(row: AuthSession, token: str | None) -> None:
    """Raise ``Forbidden`` unless ``token`` is this session's CSRF token (header or form field)."""
    if not token or not hmac.compare_digest(token, row.csrf_token):
        raise Forbidden(
            _(
                "The request lacks a valid CSRF token. Send the token from sign-in or "
                "GET /api/v1/auth/session in the X-CSRF-Token header (forms: the csrf_token "
                "field), or reload the page."
            ),
            code="csrf_failed",
        )


def revoke(session: Session, *, token: str) -> bool:
    """End the session behind a cookie value; False if it was not live."""
    result = session.execute(
        update(AuthSession)
        .where(AuthSession.token_hash == token_hash(token), AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def revoke_all_for_staff(session: Session, *, staff_account_id: uuid.UUID) -> None:
    """End every session of a staff account (disabling it, or a credential reset)."""
    session.execute(
        update(AuthSession)
        .where(AuthSession.staff_account_id == staff_account_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
