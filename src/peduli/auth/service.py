"""Authentication use-cases: staff and citizen sign-in, TOTP enrolment, sign-out; who is
calling (``callers``) and the account administration (``accounts``) are reached from here too."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit, codes, devices, passwords, sessions, totp
from peduli.auth.accounts import (
    create_staff,
    create_token,
    create_token_for,
    current_totp_code,
    disable_staff,
    get_staff,
    revoke_token,
    totp_provisioning,
)
from peduli.auth.actor import Actor
from peduli.auth.callers import (
    citizen_actor,
    current_session,
    resolve_actor,
    session_actor,
    staff_actor,
)
from peduli.auth.codes import link_citizen_person
from peduli.auth.models import StaffAccount
from peduli.core import ratelimit
from peduli.core.client_address import limit_key
from peduli.core.config import get_settings
from peduli.core.db import after_rollback, utcnow
from peduli.core.errors import (
    Conflict,
    Forbidden,
    NotAuthenticated,
    TooManyRequests,
)
from peduli.core.i18n import LANGUAGES, _

# Administration lives in ``accounts`` and who is calling in ``callers``; other modules may
# reach them through this entry point too.
__all__ = [
    "citizen_actor",
    "create_staff",
    "create_token",
    "create_token_for",
    "current_session",
    "current_totp_code",
    "disable_staff",
    "get_staff",
    "link_citizen_person",
    "resolve_actor",
    "revoke_token",
    "session_actor",
    "staff_actor",
    "totp_provisioning",
]

ENROLMENT_MINUTES = 10
# One address may try many accounts (an office behind one NAT): a wider budget than one account.
IP_FAILURE_FACTOR = 4


class EnrolmentRequired(Forbidden):
    """The password was right but the account has no second factor yet: enrol first."""

    def __init__(self, enrolment_token: str) -> None:
        super().__init__(
            _(
                "This account must set up its second factor before signing in. Post the "
                "enrolment_token to /api/v1/auth/totp/enrol, add the key to an authenticator "
                "app, then confirm with its first code at /api/v1/auth/totp/confirm."
            ),
            code="totp_enrolment_required",
        )
        self.enrolment_token = enrolment_token


@dataclass(frozen=True)
class SignedIn:
    """A completed sign-in: the new session (cookie value shown once), who it is, and the
    known-device token to leave on the client (``auth.devices``)."""

    session: sessions.NewSession
    actor: Actor
    device_token: str | None = None


@dataclass(frozen=True)
class TotpEnrolment:
    """What an authenticator app needs: the otpauth URI, its QR code, and the key itself."""

    otpauth_uri: str
    secret: str
    qr_png_base64: str


# --- staff sign-in ------------------------------------------------------------------------


def _email_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _limits(email: str, ip: str, device_token: str | None = None) -> list[tuple[str, int]]:
    """The (key, limit) pairs that count failed sign-ins of this client.

    A known device of the account (``auth.devices``) counts on its own; any other client
    counts on the account and on its address (IPv6: its /64), so an attacker who spends
    those locks out no device the owner signed in from before.
    """
    limit = get_settings().login_max_failures
    device = devices.recognised(device_token, _email_key(email))
    if device is not None:
        return [(f"login:device:{device}", limit)]
    return [
        (f"login:account:{_email_key(email)}", limit),
        (f"login:ip:{limit_key(ip)}", limit * IP_FAILURE_FACTOR),
    ]


def _window() -> int:
    return get_settings().login_lockout_minutes * 60


def _failed(
    session: Session,
    *,
    limits: list[tuple[str, int]],
    ip: str,
    account: StaffAccount | None,
    code: str,
    detail: str,
) -> NotAuthenticated:
    """Count and audit a failed sign-in after the request rolls back; return the error."""
    account_id = str(account.id) if account else None

    def write(fresh: Session) -> None:
        for key, limit in limits:
            try:
                count = ratelimit.hit(fresh, key=key, limit=limit, window_seconds=_window())
            except TooManyRequests:
                continue
            if key.startswith("login:account:") and count == limit and account_id:
                audit.record(
                    fresh,
                    actor=None,
                    action="auth.lockout",
                    entity_type="staff_account",
                    entity_id=account_id,
                    outcome="denied",
                    ip=ip,
                )
        audit.record(
            fresh,
            actor=None,
            action="auth.sign_in",
            entity_type="staff_account",
            entity_id=account_id,
            reason=code,
            outcome="denied",
            ip=ip,
        )

    after_rollback(session, write)
    error = NotAuthenticated(detail)
    error.code = code
    return error


_WRONG = _("The email, password or code is not right. Check them and try again.")


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    totp_code: str | None,
    ip: str,
    previous_session_token: str | None = None,
    language: str | None = None,
    device_token: str | None = None,
) -> SignedIn:
    """Staff sign-in with password and TOTP; a new session every time (no fixation).

    An unknown email costs the same time and gets the same answer as a wrong password
    (the password is checked against a dummy hash). ``device_token`` is the client's
    known-device cookie, if any (``auth.devices``). ``language``, the one the member
    picked on the pages, becomes the language of the alerts and reminders written to
    them (``StaffAccount.preferred_language``)."""
    limits = _limits(email, ip, device_token)
    for key, limit in limits:
        ratelimit.check(session, key=key, limit=limit, window_seconds=_window())
    account = session.scalar(
        select(StaffAccount).where(StaffAccount.email == email.strip().lower())
    )

    def fail(code: str, detail: str) -> NotAuthenticated:
        return _failed(session, limits=limits, ip=ip, account=account, code=code, detail=detail)

    # Hash the password whether or not the account exists (an unknown email against the
    # dummy hash), so the time of the answer does not tell which emails are staff's.
    matches = passwords.verify(account.password_hash if account else None, password)
    if account is None or not matches:
        raise fail("invalid_credentials", _WRONG)
    if account.disabled_at is not None:
        raise fail("account_disabled", _("This account is disabled. Ask your HQ administrator."))
    assert account.password_hash is not None  # verify() never matches a missing hash
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    if not totp_code:
        if account.totp_confirmed_at is None:
            raise EnrolmentRequired(_enrolment_token(account))
        error = NotAuthenticated(_("Enter the 6-digit code from your authenticator app as totp."))
        error.code = "totp_required"
        raise error
    _accept_totp(session, account=account, code=totp_code, fail=fail)
    ratelimit.reset(session, key=limits[0][0])  # this client's failures: the device's or not
    if language in LANGUAGES:
        account.preferred_language = language
    signed_in = _start_staff_session(
        session, account=account, ip=ip, previous_session_token=previous_session_token
    )
    return replace(signed_in, device_token=devices.renewed(device_token, _email_key(email)))


def _accept_totp(
    session: Session,
    *,
    account: StaffAccount,
    code: str,
    fail: Callable[[str, str], NotAuthenticated],
) -> None:
    step = totp.matching_step(account, code.strip())
    if step is None:
        raise fail("invalid_credentials", _WRONG)
    if not totp.claim_step(session, account=account, step=step):
        raise fail(
            "totp_replayed",
            _("This code was used already. Wait for the next code in your app and use that."),
        )
    if account.totp_confirmed_at is None:
        account.totp_confirmed_at = utcnow()


def _start_staff_session(
    session: Session, *, account: StaffAccount, ip: str, previous_session_token: str | None
) -> SignedIn:
    if previous_session_token:
        sessions.revoke(session, token=previous_session_token)
    started = sessions.start(session, staff_account_id=account.id, ip=ip)
    account.last_sign_in_at = utcnow()
    actor = staff_actor(account, ip=ip, via="session")
    audit.record(
        session,
        actor=actor,
        action="auth.sign_in",
        entity_type="staff_account",
        entity_id=str(account.id),
        ip=ip,
    )
    return SignedIn(session=started, actor=actor)


def sign_out(session: Session, *, session_token: str | None, actor: Actor) -> None:
    """End the current session (its cookie stops working at once)."""
    if not session_token or not sessions.revoke(session, token=session_token):
        raise NotAuthenticated(_("There is no session to sign out of."))
    audit.record(session, actor=actor, action="auth.sign_out", entity_type="session", ip=actor.ip)


# --- TOTP enrolment -----------------------------------------------------------------------


def _enrolment_signature(account: StaffAccount, expires: int) -> str:
    secret = get_settings().secret_key.encode()
    message = f"totp-enrolment|{account.id}|{expires}|{account.password_hash}"
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def _enrolment_token(account: StaffAccount) -> str:
    """A short-lived proof that the password was right, to finish enrolment with."""
    expires = int(time.time()) + ENROLMENT_MINUTES * 60
    return f"{account.id}.{expires}.{_enrolment_signature(account, expires)}"


def _enrolling_account(session: Session, enrolment_token: str) -> StaffAccount:
    invalid = NotAuthenticated(
        _("The enrolment token is not valid or expired. Sign in with your password again.")
    )
    invalid.code = "enrolment_token_invalid"
    parts = enrolment_token.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        raise invalid
    try:
        account = session.get(StaffAccount, uuid.UUID(parts[0]))
    except ValueError:
        raise invalid from None
    expires = int(parts[1])
    if account is None or account.disabled_at is not None or expires < time.time():
        raise invalid
    if not hmac.compare_digest(parts[2], _enrolment_signature(account, expires)):
        raise invalid
    if account.totp_confirmed_at is not None:
        raise Conflict(
            _("This account's second factor is set up already. Sign in with its code."),
            code="totp_enrolled",
        )
    return account


def begin_enrolment(session: Session, *, enrolment_token: str) -> TotpEnrolment:
    """The key to add to an authenticator app (the same key until it is confirmed)."""
    account = _enrolling_account(session, enrolment_token)
    uri = totp.provisioning_uri(account)
    return TotpEnrolment(
        otpauth_uri=uri, secret=totp.ensure_secret(account), qr_png_base64=totp.qr_png_base64(uri)
    )


def confirm_enrolment(
    session: Session,
    *,
    enrolment_token: str,
    totp_code: str,
    ip: str,
    previous_session_token: str | None = None,
) -> SignedIn:
    """Confirm the second factor with its first code; this also completes the sign-in."""
    account = _enrolling_account(session, enrolment_token)
    limits = _limits(account.email, ip)
    for key, limit in limits:
        ratelimit.check(session, key=key, limit=limit, window_seconds=_window())

    def fail(code: str, detail: str) -> NotAuthenticated:
        return _failed(session, limits=limits, ip=ip, account=account, code=code, detail=detail)

    _accept_totp(session, account=account, code=totp_code, fail=fail)
    audit.record(
        session,
        actor=staff_actor(account, ip=ip, via="session"),
        action="auth.totp_enrol",
        entity_type="staff_account",
        entity_id=str(account.id),
        ip=ip,
    )
    signed_in = _start_staff_session(
        session, account=account, ip=ip, previous_session_token=previous_session_token
    )
    return replace(signed_in, device_token=devices.issue(_email_key(account.email)))


# --- citizen sign-in ----------------------------------------------------------------------


def citizen_sign_in(
    session: Session,
    *,
    address: str,
    code: str,
    ip: str,
    previous_session_token: str | None = None,
    device_token: str | None = None,
) -> SignedIn:
    """Use a one-time code; creates the citizen's account on first use and a new session.

    The client becomes a known device of the address (``auth.devices``): later code
    requests from it are not held off by what others asked for the same address."""
    account = codes.verify_code(
        session, address=address, code=code, ip=ip, device_token=device_token
    )
    if previous_session_token:
        sessions.revoke(session, token=previous_session_token)
    started = sessions.start(session, citizen_account_id=account.id, ip=ip)
    actor = citizen_actor(account, ip=ip)
    audit.record(
        session,
        actor=actor,
        action="auth.sign_in",
        entity_type="citizen_account",
        entity_id=str(account.id),
        subject_person_id=account.person_id,
        ip=ip,
    )
    device = devices.renewed(device_token, account.address_index)
    return SignedIn(session=started, actor=actor, device_token=device)
