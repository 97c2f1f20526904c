"""Citizen sign-in without a password: a 6-digit one-time code sent by email or SMS.

Codes are single use, short-lived, allow a few attempts per client, and are stored only as
keyed hashes; requests are rate limited per address and per network. The answer to a
request is the same whether or not the address belongs to anyone, so it tells nothing
about who is known.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import ColumnElement, and_, case, false, func, not_, or_, select, update
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
# Live codes of one address tried against a guess: the newest asked by anyone, and those of
# its known devices (each device asks at most a few an hour).
MAX_LIVE_CODES = 10
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


@dataclass(frozen=True)
class Client:
    """Who asks for a code or enters one: a known device of the address, or else its
    network (one IPv4 address, one IPv6 /64: anyone holds a whole /64)."""

    key: str
    known_device: bool


def client_of(address_index: str, *, ip: str, device_token: str | None) -> Client:
    """The client behind a request about the address filed under ``address_index``."""
    device = devices.recognised(device_token, address_index)
    if device is not None:
        return Client(f"device:{device}", known_device=True)
    return Client(f"ip:{limit_key(ip)}", known_device=False)


def request_code(
    session: Session,
    *,
    address: str,
    ip: str,
    device_token: str | None = None,
    language: str | None = None,
) -> None:
    """Send a new code to ``address`` within the rate limits (see ``_new_code`` for which
    earlier codes stop working).

    The message is written in ``language``, the language of the page (or API request) that
    asked for it; Indonesian when it is unknown.

    A known device of the address (``auth.devices``: it signed in with a code before)
    counts on its own, so whoever asks codes for someone else's number cannot hold its
    owner off; every other client counts per address and per network.
    """
    settings = get_settings()
    target = normalize_address(address)
    client = client_of(target.index, ip=ip, device_token=device_token)
    per_address = settings.otp_max_per_address_per_hour
    if client.known_device:
        limits = [(f"otp:{client.key}", per_address)]
    else:
        limits = [
            (f"otp:{client.key}", settings.otp_max_per_ip_per_hour),
            (f"otp:address:{target.index}", per_address),
        ]
    for key, limit in limits:
        ratelimit.hit(session, key=key, limit=limit, window_seconds=HOUR)
    code, row_id = _new_code(session, key=target.index, asked_by=client)
    notify_service.enqueue(
        session,
        channel=target.channel,
        recipient=target.value,
        subject=in_language(_("Your Peduli sign-in code"), language),
        body=in_language(_message(code, settings.otp_ttl_minutes), language),
        idempotency_key=f"citizen-code:{row_id}",
        priority=MessagePriority.SIGN_IN_CODE,
    )


def _new_code(
    session: Session, *, key: str, asked_by: Client | None = None
) -> tuple[str, uuid.UUID]:
    """A fresh code filed under ``key``; the live codes of the key stop working, except
    those a known device asked for when another client asks (the owner's phone keeps
    its code however many others ask for the number)."""
    now = utcnow()
    ended = [
        CitizenCode.address_index == key,
        CitizenCode.used_at.is_(None),
        CitizenCode.expires_at > now,
    ]
    if asked_by is not None:
        ended.append(or_(CitizenCode.device_bound.is_(False), _asked_by(asked_by)))
    session.execute(
        update(CitizenCode)
        .where(*ended)
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    code = f"{secrets.randbelow(10**6):06d}"
    row = CitizenCode(
        id=uuid.uuid4(),
        address_index=key,
        created_at=now,
        expires_at=now + timedelta(minutes=get_settings().otp_ttl_minutes),
        asked_by=asked_by.key if asked_by else None,
        device_bound=bool(asked_by and asked_by.known_device),
        asker_attempts=0,
        attempts=0,
    )
    row.code_hash = _code_hash(row.id, code)
    session.add(row)
    return code, row.id


def _asked_by(client: Client | None) -> ColumnElement[bool]:
    """SQL: the code was asked for by ``client`` (never true without one)."""
    if client is None:
        return false()
    return func.coalesce(CitizenCode.asked_by, "") == client.key


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


def _count_wrong_guess(
    code_ids: list[uuid.UUID], client: Client | None
) -> Callable[[Session], None]:
    """Count a wrong guess after the request rolled back, so failures cannot be undone:
    on the asker's own count for the codes ``client`` asked for, on everyone else's for
    the others."""
    asker = _asked_by(client)

    def write(fresh: Session) -> None:
        fresh.execute(
            update(CitizenCode)
            .where(CitizenCode.id.in_(code_ids))
            .values(
                asker_attempts=CitizenCode.asker_attempts + case((asker, 1), else_=0),
                attempts=CitizenCode.attempts + case((asker, 0), else_=1),
            )
        )

    return write


def verify_code(
    session: Session, *, address: str, code: str, ip: str, device_token: str | None = None
) -> CitizenAccount:
    """Use a code: the citizen's account (created on first use); ``NotAuthenticated`` if wrong."""
    target = normalize_address(address)
    client = client_of(target.index, ip=ip, device_token=device_token)
    use_code(session, key=target.index, code=code, client=client)
    return _account_for(session, target)


def use_code(session: Session, *, key: str, code: str, client: Client | None = None) -> None:
    """Use a live code filed under ``key``; ``NotAuthenticated`` if wrong, used or expired.

    A wrong guess is counted even though the request rolls back. The client that asked
    for a code has five tries of its own; everyone else shares five, so a stranger
    guessing wrong cannot spend the asker's code, and a code a known device asked for
    can be entered on that device only. Codes without an asker (claims, contacts) have
    the shared five alone.
    """
    now = utcnow()
    asker = _asked_by(client)
    rows = session.scalars(
        select(CitizenCode)
        .where(
            CitizenCode.address_index == key,
            CitizenCode.used_at.is_(None),
            CitizenCode.expires_at > now,
            or_(
                and_(asker, CitizenCode.asker_attempts < MAX_ATTEMPTS),
                and_(
                    not_(asker),
                    CitizenCode.device_bound.is_(False),
                    CitizenCode.attempts < MAX_ATTEMPTS,
                ),
            ),
        )
        .order_by(CitizenCode.created_at.desc())
        .limit(MAX_LIVE_CODES)
    ).all()
    if not rows:
        raise _code_refused(
            _(
                "This code is not valid any more (expired, used or too many tries). "
                "Ask for a new code."
            )
        )
    entered = code.strip()
    row = next(
        (row for row in rows if secrets.compare_digest(row.code_hash, _code_hash(row.id, entered))),
        None,
    )
    if row is None:
        after_rollback(session, _count_wrong_guess([row.id for row in rows], client))
        newest = rows[0]
        spent = newest.asker_attempts if _is_asker(newest, client) else newest.attempts
        raise _code_refused(
            _(
                "The code is not right; {left} tries left. Check the latest message and try again."
            ).format(left=MAX_ATTEMPTS - spent - 1)
        )
    claimed = session.execute(
        update(CitizenCode)
        .where(CitizenCode.id == row.id, CitizenCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(claimed, "rowcount", 0):
        raise _code_refused(_("This code was used already. Ask for a new code."))


def _is_asker(row: CitizenCode, client: Client | None) -> bool:
    return client is not None and row.asked_by == client.key


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
