"""Who is calling: the ``Actor`` behind a bearer token, a session cookie or an account.

Every request resolves its caller here (``api.deps``); sign-in builds the actor of the
account it just let in with the same functions.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from peduli.auth import codes, sessions, tokens
from peduli.auth.actor import Actor, Role
from peduli.auth.models import AuthSession, CitizenAccount, StaffAccount
from peduli.core.errors import NotAuthenticated
from peduli.core.i18n import _

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def resolve_actor(
    session: Session,
    *,
    bearer_token: str | None,
    session_token: str | None,
    ip: str,
    method: str,
    csrf_token: str | None,
) -> Actor | None:
    """The caller behind a bearer token or a session cookie; None without credentials.

    A cookie-authenticated unsafe method needs the session's CSRF token; a bearer token
    does not (browsers never attach it on their own).
    """
    if bearer_token:
        live = tokens.find_active(session, token=bearer_token)
        return Actor(
            role=Role(live.role),
            account_id=live.account_id,
            display=live.display_name,
            representation_code=live.representation_code,
            scopes=live.scopes,
            ip=ip,
            via="token",
        )
    if not session_token:
        return None
    found = sessions.find_active(session, token=session_token)
    if method.upper() not in SAFE_METHODS:
        sessions.check_csrf(found, csrf_token)
    sessions.touch(found)
    return replace(session_actor(session, found, ip=ip), csrf_token=found.csrf_token)


def staff_actor(
    account: StaffAccount, *, ip: str | None, via: str, scopes: frozenset[str] = frozenset()
) -> Actor:
    """The ``Actor`` of a staff or agency account."""
    return Actor(
        role=Role(account.role),
        account_id=account.id,
        display=account.display_name,
        representation_code=account.representation_code,
        scopes=scopes,
        ip=ip,
        via=via,
    )


def citizen_actor(account: CitizenAccount, *, ip: str | None) -> Actor:
    """The ``Actor`` of a signed-in citizen (their person once the registry linked it)."""
    return Actor(
        role=Role.CITIZEN,
        account_id=account.id,
        display=codes.masked(codes.address_of(account)),
        person_id=account.person_id,
        ip=ip,
    )


def session_actor(session: Session, row: AuthSession, *, ip: str | None) -> Actor:
    """The ``Actor`` behind a live session row."""
    if row.citizen_account_id is not None:
        citizen = session.get(CitizenAccount, row.citizen_account_id)
        if citizen is not None:
            return citizen_actor(citizen, ip=ip)
    staff = session.get(StaffAccount, row.staff_account_id) if row.staff_account_id else None
    if staff is None or staff.disabled_at is not None:
        raise NotAuthenticated(_("This account is disabled. Ask your HQ administrator."))
    return staff_actor(staff, ip=ip, via="session")


def current_session(session: Session, *, session_token: str | None) -> AuthSession:
    """The live session row behind a cookie (for ``GET /auth/session`` and sign-out)."""
    if not session_token:
        raise NotAuthenticated(_("No session cookie was sent. Sign in first."))
    return sessions.find_active(session, token=session_token)
