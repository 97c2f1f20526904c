"""API bearer tokens: ``pdl_`` + 32 random bytes, stored as SHA-256, scoped and expiring."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from peduli.auth.models import ApiToken, StaffAccount
from peduli.auth.roles import Role
from peduli.auth.scopes import (  # noqa: F401 (the scope names, imported from here too)
    AUDIT_READ,
    CASE_SCOPES,
    CASES_READ,
    CASES_REFER,
    CASES_WRITE,
    CRISES_READ,
    CRISES_WRITE,
    EMERGENCIES_READ,
    EMERGENCIES_WRITE,
    NOTIFY_READ,
    NOTIFY_WRITE,
    PARTNER_SCOPES,
    PARTNERS_READ,
    PARTNERS_WRITE,
    REGISTRY_READ,
    REGISTRY_WRITE,
    ROLE_SCOPES,
    SCOPES,
    SELF_REPORTS_WRITE,
    STATS_READ,
)
from peduli.auth.sessions import TOUCH_INTERVAL, token_hash
from peduli.core.config import get_settings
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, NotAuthenticated, NotFound, ValidationFailed
from peduli.core.i18n import _

TOKEN_PREFIX = "pdl_"  # noqa: S105 (a prefix, not a secret)
MAX_DAYS = 366


@dataclass(frozen=True)
class IssuedToken:
    """A token just created: the secret (shown once) and its stored row."""

    token: str
    row: ApiToken


def _scope_problem(message: str, hint: str) -> ValidationFailed:
    return ValidationFailed([FieldProblem("scopes", "invalid_scope", message, hint)])


def resolve_scopes(role: Role, requested: Iterable[str] | None) -> frozenset[str]:
    """The scopes a new token gets: the requested ones if ``role`` may hold them."""
    allowed = ROLE_SCOPES.get(role, frozenset())
    if requested is None or not list(requested):
        return allowed
    wanted = frozenset(requested)
    unknown = sorted(wanted - SCOPES)
    if unknown:
        raise _scope_problem(
            _("Unknown scope(s): {names}.").format(names=", ".join(unknown)),
            _("Use some of: {names}.").format(names=", ".join(sorted(SCOPES))),
        )
    refused = sorted(wanted - allowed)
    if refused:
        raise _scope_problem(
            _("The role {role} may not hold: {names}.").format(
                role=role.value, names=", ".join(refused)
            ),
            _("Ask only for some of: {names}.").format(names=", ".join(sorted(allowed)) or "-"),
        )
    return wanted


def issue(
    session: Session,
    *,
    account: StaffAccount,
    scopes: Iterable[str] | None = None,
    days: int | None = None,
) -> IssuedToken:
    """Create a token for ``account``; the returned secret is never stored."""
    days = get_settings().token_default_days if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(
            [
                FieldProblem(
                    "days",
                    "out_of_range",
                    _("A token lives between 1 and {maximum} days.").format(maximum=MAX_DAYS),
                    _("Give a number of days in that range."),
                )
            ]
        )
    granted = resolve_scopes(Role(account.role), scopes)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(
        staff_account_id=account.id,
        token_hash=token_hash(token),
        prefix=token[:12],
        scopes=" ".join(sorted(granted)),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    return IssuedToken(token=token, row=row)


def _invalid(detail: str, code: str) -> NotAuthenticated:
    error = NotAuthenticated(detail)
    error.code = code
    return error


@dataclass(frozen=True)
class ActiveToken:
    """What a request needs of a live token and its account (read as plain columns)."""

    token_id: uuid.UUID
    scopes: frozenset[str]
    account_id: uuid.UUID
    role: str
    display_name: str
    representation_code: str | None


# Built once, and columns rather than ORM entities: every API request runs it, and
# building a statement or loading two entities costs more than running the query.
_TOKEN_AND_ACCOUNT = (
    select(
        ApiToken.id,
        ApiToken.scopes,
        ApiToken.expires_at,
        ApiToken.revoked_at,
        ApiToken.last_used_at,
        StaffAccount.id,
        StaffAccount.role,
        StaffAccount.display_name,
        StaffAccount.representation_code,
        StaffAccount.disabled_at,
    )
    .join(StaffAccount, StaffAccount.id == ApiToken.staff_account_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)
_TOUCH = (
    update(ApiToken)
    .where(ApiToken.id == bindparam("token_id"))
    .values(last_used_at=bindparam("used_at"))
)


def find_active(session: Session, *, token: str) -> ActiveToken:
    """The live token behind a bearer value; ``NotAuthenticated`` if none.

    Its last use is written at most once per ``TOUCH_INTERVAL``.
    """
    connection = session.connection()  # a Core statement: the ORM session adds nothing here
    found = connection.execute(_TOKEN_AND_ACCOUNT, {"token_hash": token_hash(token)}).one_or_none()
    if found is None:
        raise _invalid(
            _("This API token is not valid. Check that it was copied whole, or create a new one."),
            "token_invalid",
        )
    token_id, scopes, expires_at, revoked_at, last_used_at, account_id, role, display, post, off = (
        found
    )
    now = utcnow()
    if revoked_at is not None or off is not None:
        raise _invalid(_("This API token was revoked. Ask for a new one."), "token_revoked")
    if now >= expires_at:
        raise _invalid(
            _("This API token expired on {date}. Create a new one.").format(
                date=expires_at.date().isoformat()
            ),
            "token_expired",
        )
    if last_used_at is None or now - last_used_at >= TOUCH_INTERVAL:
        connection.execute(_TOUCH, {"token_id": token_id, "used_at": now})
    return ActiveToken(token_id, frozenset(scopes.split()), account_id, role, display, post)


def list_for(session: Session, *, account_id: uuid.UUID) -> list[ApiToken]:
    """The live and past tokens of an account, newest first (never the secrets)."""
    query = (
        select(ApiToken)
        .where(ApiToken.staff_account_id == account_id)
        .order_by(ApiToken.created_at.desc())
    )
    return list(session.scalars(query))


def revoke(session: Session, *, token_id: uuid.UUID, account_id: uuid.UUID | None) -> ApiToken:
    """Revoke one token (of ``account_id`` unless None: an administrator's revocation)."""
    row = session.get(ApiToken, token_id)
    if row is None or (account_id is not None and row.staff_account_id != account_id):
        raise NotFound(_("No such token of yours. List your tokens with GET /api/v1/auth/tokens."))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


def revoke_all_for_staff(session: Session, *, staff_account_id: uuid.UUID) -> None:
    """Revoke every live token of an account (disabling it)."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.staff_account_id == staff_account_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
