"""Account administration used by the CLI and the admin pages: create and disable staff,
API tokens for staff and agencies, TOTP provisioning."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit, passwords, tokens, totp
from peduli.auth import sessions as auth_sessions
from peduli.auth.actor import SYSTEM, Actor
from peduli.auth.models import StaffAccount
from peduli.auth.roles import POST_BOUND_ROLES, STAFF_ROLES, Role
from peduli.core.config import get_settings
from peduli.core.db import utcnow
from peduli.core.errors import (
    Conflict,
    FieldProblem,
    Forbidden,
    NotAuthenticated,
    NotFound,
    ValidationFailed,
    require_valid,
)
from peduli.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, _
from peduli.core.names import name_problems
from peduli.reference.profile import get_profile
from peduli.reference.representations import load_directory

T = TypeVar("T")

DEMO_ENVIRONMENTS = frozenset({"development", "demo", "test"})


def _field_error(field: str, code: str, message: str, hint: str) -> ValidationFailed:
    return ValidationFailed([FieldProblem(field, code, message, hint)])


def _normalize_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise _field_error(
            "email",
            "email_invalid",
            _("The email address is not written correctly."),
            _("Write it as name@example.org."),
        ) from error


def _parse_role(role: str | Role) -> Role:
    try:
        parsed = Role(str(role).strip().lower())
    except ValueError:
        parsed = Role.CITIZEN
    if parsed not in STAFF_ROLES:
        names = ", ".join(sorted(r.value for r in STAFF_ROLES))
        raise _field_error(
            "role",
            "unknown_role",
            _("There is no staff role {role!r}.").format(role=str(role)),
            _("Use one of: {names}.").format(names=names),
        )
    return parsed


def _check_representation(role: Role, code: str | None) -> str | None:
    if role in POST_BOUND_ROLES and not code:
        raise _field_error(
            "representation_code",
            "required",
            _("Role {role} works at a representation; none was given.").format(role=role.value),
            _("Give the representation's code, e.g. kbri-seoul."),
        )
    if code is None:
        return None
    if role not in POST_BOUND_ROLES and role != Role.PARTNER:
        raise _field_error(
            "representation_code",
            "not_allowed",
            _("Role {role} is not bound to a representation.").format(role=role.value),
            _("Leave the representation out."),
        )
    code = code.strip().lower()
    if not _representation_exists(code):
        raise _field_error(
            "representation_code",
            "unknown_representation",
            _("There is no representation with code {code!r}.").format(code=code),
            _("List the codes with GET /api/v1/representations."),
        )
    return code


def _representation_exists(code: str) -> bool:
    try:
        load_directory(get_profile().representations_resource).get(code)
    except NotFound:
        return False
    return True


def _collect(problems: list[FieldProblem], check: Callable[[], T]) -> T | None:
    """Run one field's check; keep its problems so all fields are reported together."""
    try:
        return check()
    except ValidationFailed as failed:
        problems.extend(failed.problems)
        return None


def create_staff(
    session: Session,
    *,
    email: str,
    role: str | Role,
    representation_code: str | None = None,
    display_name: str | None = None,
    password: str | None = None,
    actor: Actor | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> tuple[StaffAccount, str | None]:
    """Create a staff or agency account; returns it and the generated password, if any.

    ``language`` is the one alerts and reminders are written to them in (Indonesian unless
    said; signing in with another language picked on the pages changes it).

    Staff get a TOTP key at once (``totp_provisioning`` gives its URI); agency clients get
    neither password nor key: they use API tokens only.
    """
    problems: list[FieldProblem] = []
    address = _collect(problems, lambda: _normalize_email(email))
    parsed = _collect(problems, lambda: _parse_role(role))
    code = None
    if parsed is not None:
        code = _collect(problems, lambda: _check_representation(parsed, representation_code))
    generated = None
    problems += _language_problems(language)
    problems += name_problems(display_name, field="display_name")
    if parsed == Role.AGENCY and password is not None:
        problems.append(
            FieldProblem(
                "password",
                "not_allowed",
                _("Agency accounts have no password."),
                _("Create an API token for it with: peduli token create --email EMAIL."),
            )
        )
    elif parsed not in (None, Role.AGENCY):
        if password is None:
            password = generated = passwords.generate()
        _collect(problems, lambda: passwords.validate(password or ""))
    require_valid(problems)
    assert address is not None and parsed is not None
    if session.scalar(select(StaffAccount.id).where(StaffAccount.email == address)):
        raise Conflict(
            _("An account with this email exists already. Use another email or disable it first."),
            code="account_exists",
        )
    account = StaffAccount(
        email=address,
        display_name=(display_name or address).strip(),
        role=parsed.value,
        representation_code=code,
        password_hash=passwords.hash_password(password) if password else None,
        preferred_language=language,
    )
    if parsed != Role.AGENCY:
        totp.ensure_secret(account)
    session.add(account)
    session.flush()
    _audit(session, account, "auth.account_create", actor)
    return account, generated


def _audit(
    session: Session,
    account: StaffAccount,
    action: str,
    actor: Actor | None,
    fields: Sequence[str] = (),
) -> None:
    """Record a change of ``account``, by ``actor`` or, from the command line, the system."""
    audit.record(
        session,
        actor=actor or SYSTEM,
        action=action,
        entity_type="staff_account",
        entity_id=str(account.id),
        fields=fields,
    )


def get_staff(session: Session, *, email: str) -> StaffAccount:
    """The staff account with this email; ``NotFound`` otherwise."""
    account = session.scalar(
        select(StaffAccount).where(StaffAccount.email == email.strip().lower())
    )
    if account is None:
        raise NotFound(
            _("No staff account has this email. Check the spelling, or create the account.")
        )
    return account


def _language_problems(language: str) -> list[FieldProblem]:
    if language in LANGUAGES:
        return []
    return [
        FieldProblem(
            "language",
            "unknown_language",
            _("Unknown language: {language}.").format(language=language),
            _("Use one of: {names}.").format(names=", ".join(LANGUAGES)),
        )
    ]


def set_language(
    session: Session, *, email: str, language: str, actor: Actor | None = None
) -> StaffAccount:
    """Change the language an account's alerts and reminders are written in."""
    require_valid(_language_problems(language))
    account = get_staff(session, email=email)
    account.preferred_language = language
    _audit(session, account, "auth.account_language", actor, fields=["preferred_language"])
    return account


def disable_staff(session: Session, *, email: str, actor: Actor | None = None) -> StaffAccount:
    """Disable an account and end all its sessions and API tokens at once."""
    account = get_staff(session, email=email)
    if account.disabled_at is None:
        account.disabled_at = utcnow()
    auth_sessions.revoke_all_for_staff(session, staff_account_id=account.id)
    tokens.revoke_all_for_staff(session, staff_account_id=account.id)
    _audit(session, account, "auth.account_disable", actor)
    return account


def issue_token(
    session: Session,
    *,
    account: StaffAccount,
    scopes: Iterable[str] | None,
    days: int | None,
    actor: Actor,
) -> tokens.IssuedToken:
    """Create an API token for ``account`` and audit who created it."""
    if account.disabled_at is not None:
        raise Conflict(_("This account is disabled; enable it first."), code="account_disabled")
    issued = tokens.issue(session, account=account, scopes=scopes, days=days)
    audit.record(
        session,
        actor=actor,
        action="auth.token_create",
        entity_type="api_token",
        entity_id=str(issued.row.id),
        reason=f"for {account.id}; scopes {issued.row.scopes}",
        ip=actor.ip,
    )
    return issued


def create_token(
    session: Session,
    *,
    email: str,
    scopes: Iterable[str] | None = None,
    days: int | None = None,
    actor: Actor | None = None,
) -> str:
    """Create an API token for the account with ``email`` (operators, automation)."""
    account = get_staff(session, email=email)
    return issue_token(
        session, account=account, scopes=scopes, days=days, actor=actor or SYSTEM
    ).token


def create_token_for(
    session: Session,
    *,
    actor: Actor,
    email: str | None,
    scopes: Iterable[str] | None,
    days: int | None,
) -> tokens.IssuedToken:
    """A signed-in staff member's own token, or an HQ admin's token for an agency client."""
    if not actor.is_staff or actor.via != "session":
        raise Forbidden(
            _("Create API tokens from a signed-in staff session, not with another token."),
            code="session_required",
        )
    account = session.get(StaffAccount, actor.account_id)
    if email and email.strip().lower() != (account.email if account else None):
        account = get_staff(session, email=email)
        if actor.role != Role.HQ_ADMIN or account.role != Role.AGENCY:
            raise Forbidden(
                _("Only an HQ administrator creates tokens for others, and only for agencies."),
            )
    if account is None:
        raise NotAuthenticated()
    return issue_token(session, account=account, scopes=scopes, days=days, actor=actor)


def totp_provisioning(session: Session, *, email: str) -> str:
    """The otpauth:// URI of a staff account's key (created if it had none)."""
    account = get_staff(session, email=email)
    if account.role == Role.AGENCY:
        raise Conflict(_("Agency accounts have no second factor; they use API tokens."))
    return totp.provisioning_uri(account)


def current_totp_code(session: Session, *, email: str) -> str:
    """The code an account's app shows now, for demo and test sign-ins only."""
    if get_settings().environment not in DEMO_ENVIRONMENTS:
        raise Forbidden(
            _("Showing TOTP codes is only possible in development, demo and test."),
            code="not_in_production",
        )
    account = get_staff(session, email=email)
    if account.totp_secret_encrypted is None:
        raise Conflict(_("This account has no second factor."), code="no_totp")
    return totp.current_code(account)


def revoke_token(session: Session, *, token_id: uuid.UUID, actor: Actor) -> None:
    """Revoke one of the caller's tokens (an HQ administrator may revoke anyone's)."""
    owner = None if actor.role == Role.HQ_ADMIN else actor.account_id
    row = tokens.revoke(session, token_id=token_id, account_id=owner)
    audit.record(
        session,
        actor=actor,
        action="auth.token_revoke",
        entity_type="api_token",
        entity_id=str(row.id),
        ip=actor.ip,
    )
