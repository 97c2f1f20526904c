"""Citizen sign-in without a password: a 6-digit one-time code sent by email or SMS.

Codes are single use, short-lived, allow a few attempts, and are stored only as keyed
hashes; requests are rate limited per address and per IP. The answer to a request is the
same whether or not the address belongs to anyone, so it tells nothing about who is known.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.auth import devices
from peduli.auth.models import CITIZEN_ADDRESS_PURPOSE, CitizenAccount, CitizenCode
from peduli.core import ratelimit
from peduli.core.client_address import limit_key
from peduli.core.config import get_settings
from peduli.core.crypto import get_cipher
from peduli.core.db import after_rollback, utcnow
from peduli.core.errors import FieldProblem, NotAuthenticated, NotFound, ValidationFailed
from peduli.core.i18n import _, in_language
from peduli.notify import service as notify_service
from peduli.notify.models import MessagePriority
from peduli.reference.profile import get_profile

MAX_ATTEMPTS = 5
HOUR = 3600
_ADDRESS_PURPOSE = CITIZEN_ADDRESS_PURPOSE
_CODE_PURPOSE = "citizen-code"


@dataclass(frozen=True)
class Address:
    """A normalised citizen address: ``kind`` is ``email``, ``phone`` (E.164) or
    ``telegram`` (a chat id the person wrote to the bot from)."""

    kind: str
    value: str

    @property
    def index(self) -> str:
        return get_cipher().blind_index(self.value, purpose=_ADDRESS_PURPOSE)

    @property
    def channel(self) -> str:
        return {"email": "email", "telegram": "telegram"}.get(self.kind, "sms")


def normalize_address(raw: str) -> Address:
    """Read an email address or a phone number; ``ValidationFailed`` says how to write it."""
    text = raw.strip()
    if "@" in text:
        try:
            email = validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise ValidationFailed(
                [
                    FieldProblem(
                        "address",
                        "email_invalid",
                        _("The email address or phone number is not written correctly."),
                        _(
                            "Write the email address as name@example.com, or the phone number "
                            "with its country code, for example +62 812 3456 7890."
                        ),
                    )
                ]
            ) from error
        return Address("email", email.lower())
    phone, problems = get_profile().normalize_phone(text, default_region=None, field="address")
    if problems or phone is None:
        raise ValidationFailed(
            problems
            or [
                FieldProblem(
                    "address",
                    "required",
                    _("Give your email address or your phone number."),
                    _("Write the phone number with its country code, e.g. +62 812 3456 7890."),
                )
            ]
        )
    return Address("phone", phone)


def masked(address: Address) -> str:
    """The address with most of it hidden, for display and the audit log."""
    if address.kind == "email":
        local, _at, domain = address.value.partition("@")
        return f"{local[:1]}***@{domain}"
    return f"{address.value[:3]}***{address.value[-2:]}"


def _code_hash(code_id: uuid.UUID, code: str) -> str:
    return get_cipher().blind_index(f"{code_id}:{code}", purpose=_CODE_PURPOSE)


def request_code(
    session: Session,
    *,
    address: str,
    ip: str,
    device_token: str | None = None,
    language: str | None = None,
) -> None:
    """Send a new code to ``address`` (earlier codes stop working), within the rate limits.

    The message is written in ``language``, the language of the page (or API request) that
    asked for it; Indonesian when it is unknown.

    A known device of the address (``auth.devices``: it signed in with a code before)
    counts on its own, so whoever asks codes for someone else's number cannot hold its
    owner off; every other client counts per address and per IP address (IPv6: /64).
    """
    settings = get_settings()
    target = normalize_address(address)
    per_address = settings.otp_max_per_address_per_hour
    device = devices.recognised(device_token, target.index)
    if device is not None:
        limits = [(f"otp:device:{device}", per_address)]
    else:
        limits = [
            (f"otp:ip:{limit_key(ip)}", settings.otp_max_per_ip_per_hour),
            (f"otp:address:{target.index}", per_address),
        ]
    for key, limit in limits:
        ratelimit.hit(session, key=key, limit=limit, window_seconds=HOUR)
    code, row_id = _new_code(session, key=target.index)
    notify_service.enqueue(
        session,
        channel=target.channel,
        recipient=target.value,
        subject=in_language(_("Your Peduli sign-in code"), language),
        body=in_language(_message(code, settings.otp_ttl_minutes), language),
        idempotency_key=f"citizen-code:{row_id}",
        priority=MessagePriority.SIGN_IN_CODE,
    )


def _new_code(session: Session, *, key: str) -> tuple[str, uuid.UUID]:
    """A fresh code filed under ``key`` (earlier live codes of the key stop working)."""
    now = utcnow()
    session.execute(
        update(CitizenCode)
        .where(
            CitizenCode.address_index == key,
            CitizenCode.used_at.is_(None),
            CitizenCode.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    code = f"{secrets.randbelow(10**6):06d}"
    row = CitizenCode(
        id=uuid.uuid4(),
        address_index=key,
        created_at=now,
        expires_at=now + timedelta(minutes=get_settings().otp_ttl_minutes),
    )
    row.code_hash = _code_hash(row.id, code)
    session.add(row)
    return code, row.id


def purpose_key(purpose: str, subject: str) -> str:
    """The key a code proving something other than a sign-in address is filed under
    (e.g. an identity claim); never equal to an address's index."""
    return get_cipher().blind_index(subject, purpose=f"{_CODE_PURPOSE}:{purpose}")


def issue_code(
    session: Session,
    *,
    key: str,
    recipients: Sequence[Address],
    subject: str,
    body: Callable[[str, int], str],
    idempotency_prefix: str,
) -> None:
    """Send one new code filed under ``key`` to each of ``recipients`` through the outbox.

    ``body(code, minutes)`` writes the message; only a hash of the code is stored.
    """
    code, row_id = _new_code(session, key=key)
    minutes = get_settings().otp_ttl_minutes
    for number, recipient in enumerate(recipients):
        notify_service.enqueue(
            session,
            channel=recipient.channel,
            recipient=recipient.value,
            subject=subject,
            body=body(code, minutes),
            idempotency_key=f"{idempotency_prefix}:{row_id}:{number}",
            priority=MessagePriority.SIGN_IN_CODE,
        )


def _message(code: str, minutes: int) -> str:
    return _(
        "Your Peduli sign-in code: {code}. Valid for {minutes} minutes. Never share it."
    ).format(code=code, minutes=minutes)


def _code_refused(detail: str) -> NotAuthenticated:
    error = NotAuthenticated(detail)
    error.code = "code_invalid"
    return error


def _count_attempt(code_id: uuid.UUID) -> Callable[[Session], None]:
    """Count a wrong guess after the request rolled back, so failures cannot be undone."""

    def write(fresh: Session) -> None:
        fresh.execute(
            update(CitizenCode)
            .where(CitizenCode.id == code_id)
            .values(attempts=CitizenCode.attempts + 1)
        )

    return write


def verify_code(session: Session, *, address: str, code: str) -> CitizenAccount:
    """Use a code: the citizen's account (created on first use); ``NotAuthenticated`` if wrong."""
    target = normalize_address(address)
    use_code(session, key=target.index, code=code)
    return _account_for(session, target)


def use_code(session: Session, *, key: str, code: str) -> None:
    """Use the live code filed under ``key``; ``NotAuthenticated`` if wrong, used or expired.

    A wrong guess is counted even though the request rolls back; five end the code.
    """
    now = utcnow()
    row = session.scalar(
        select(CitizenCode)
        .where(
            CitizenCode.address_index == key,
            CitizenCode.used_at.is_(None),
            CitizenCode.expires_at > now,
        )
        .order_by(CitizenCode.created_at.desc())
        .limit(1)
    )
    if row is None or row.attempts >= MAX_ATTEMPTS:
        raise _code_refused(
            _(
                "This code is not valid any more (expired, used or too many tries). "
                "Ask for a new code."
            )
        )
    if not secrets.compare_digest(row.code_hash, _code_hash(row.id, code.strip())):
        after_rollback(session, _count_attempt(row.id))
        left = MAX_ATTEMPTS - row.attempts - 1
        raise _code_refused(
            _(
                "The code is not right; {left} tries left. Check the latest message and try again."
            ).format(left=left)
        )
    claimed = session.execute(
        update(CitizenCode)
        .where(CitizenCode.id == row.id, CitizenCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(claimed, "rowcount", 0):
        raise _code_refused(_("This code was used already. Ask for a new code."))


def _account_for(session: Session, target: Address) -> CitizenAccount:
    account = session.scalar(
        select(CitizenAccount).where(CitizenAccount.address_index == target.index)
    )
    if account is None:
        account = CitizenAccount(
            kind=target.kind,
            address_index=target.index,
            address_encrypted=get_cipher().encrypt(target.value, purpose=_ADDRESS_PURPOSE),
        )
        session.add(account)
    account.last_sign_in_at = utcnow()
    session.flush()
    return account


def address_of(account: CitizenAccount) -> Address:
    """The account's address in clear (to show the citizen their own sign-in address)."""
    value = get_cipher().decrypt(account.address_encrypted, purpose=_ADDRESS_PURPOSE)
    return Address(account.kind, value)


def link_citizen_person(session: Session, *, account_id: uuid.UUID, person_id: uuid.UUID) -> None:
    """Attach the registry's person to a citizen account (after their first self-report)."""
    account = session.get(CitizenAccount, account_id)
    if account is None:
        raise NotFound(_("No citizen account with this id; the citizen must sign in first."))
    account.person_id = person_id
