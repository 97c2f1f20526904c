"""Writing outbound messages: one outbox row per message, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from peduli.core.crypto import CONTACT_PURPOSE, get_cipher
from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.core.i18n import _
from peduli.notify.models import ChannelName, OutboxMessage

# Lower is sent sooner. Emergency alerts to the officer on duty come first, then sign-in codes
# (a person is waiting at the screen), then crisis broadcasts (10–90 by distance), then the rest.
EMERGENCY_ALERT_PRIORITY = 5
SIGN_IN_CODE_PRIORITY = 8
DEFAULT_PRIORITY = 100


def dialect_insert(session: Session, model: type[Any]) -> Any:
    """An INSERT that knows ``ON CONFLICT`` on the session's backend (PostgreSQL or SQLite)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def seal_recipient(channel: str, recipient: str) -> str:
    """How an outbox row stores its recipient: encrypted, except an in-app person id."""
    if channel == ChannelName.IN_APP:
        return recipient
    return get_cipher().encrypt(recipient, purpose=CONTACT_PURPOSE)


def open_recipient(channel: str, stored: str) -> str:
    """The recipient in clear, for the channel about to send (or a masked listing)."""
    if channel == ChannelName.IN_APP:
        return stored
    return get_cipher().decrypt(stored, purpose=CONTACT_PURPOSE)


def enqueue(
    session: Session,
    *,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    idempotency_key: str,
    priority: int = DEFAULT_PRIORITY,
) -> None:
    """Queue one message for the worker; a second call with the same key does nothing.

    Written in the caller's transaction (never committed here), so the message leaves only
    if the event that caused it is committed.
    """
    _check_channel(channel)
    statement = (
        dialect_insert(session, OutboxMessage)
        .values(
            channel=channel,
            recipient=seal_recipient(channel, recipient),
            subject=subject,
            body=body,
            idempotency_key=idempotency_key,
            priority=priority,
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    session.execute(statement)


def _check_channel(channel: str) -> None:
    known = [c.value for c in ChannelName]
    if channel not in known:
        raise ValidationFailed(
            [
                FieldProblem(
                    field="channel",
                    code="unknown_channel",
                    message=_("There is no outbound channel with this name."),
                    hint=_("Use one of: {names}.").format(names=", ".join(known)),
                )
            ]
        )
