"""Writing outbound messages and reading how they fared: the outbox's only writers.

Every other domain queues messages through ``enqueue`` (one message) or ``enqueue_selected``
(one message per row of a SELECT, in one ``INSERT … SELECT``), always in the caller's
transaction, and reads delivery through ``delivery_counts`` (or follows it with
``finished_since``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ColumnExpressionArgument,
    CompoundSelect,
    Insert,
    Result,
    Select,
    Subquery,
    case,
    func,
    label,
    literal,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from peduli.core.crypto import CONTACT_PURPOSE, get_cipher
from peduli.core.db import insert_on_conflict, is_postgres
from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.core.i18n import _
from peduli.notify import tallies
from peduli.notify.models import (
    CLEAR_RECIPIENT_CHANNELS,
    DEAD,
    MESSAGE_BODY_PURPOSE,
    SENT_UNPURGED,
    ChannelName,
    MessagePriority,
    OutboxMessage,
    OutboxStatus,
)

# What ``message_columns`` selects and ``enqueue_selected`` inserts, in this order.
# Not sent yet and not given up on: queued, being sent, or waiting for a retry.
WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED)
MESSAGE_COLUMNS = ("channel", "recipient", "subject", "body", "idempotency_key", "priority")
# …and, for messages counted by a tally (``notify.tallies``), the tally's id last.
TALLIED_MESSAGE_COLUMNS = (*MESSAGE_COLUMNS, "tally_id")


# An outbox row whose subject is "template:<name>:<language>" is an approved template
# message: the only kind WhatsApp delivers outside its 24-hour customer-service window.
TEMPLATE_SUBJECT = "template:"


def template_subject(name: str, language: str) -> str:
    """The subject that makes a WhatsApp outbox row the approved template ``name``."""
    return f"{TEMPLATE_SUBJECT}{name}:{language}"


def seal_recipient(channel: str, recipient: str) -> str:
    """How an outbox row stores its recipient: encrypted, except an id (in-app, webhook…)."""
    if channel in CLEAR_RECIPIENT_CHANNELS:
        return recipient
    return get_cipher().encrypt(recipient, purpose=CONTACT_PURPOSE)


def open_recipient(channel: str, stored: str) -> str:
    """The recipient in clear, for the channel about to send (or a masked listing)."""
    if channel in CLEAR_RECIPIENT_CHANNELS:
        return stored
    return get_cipher().decrypt(stored, purpose=CONTACT_PURPOSE)


def sealed_body(text: str) -> str:
    """A message body that names a person (an alert with a caller's name and phone), sealed
    for storage in the outbox; the dispatcher opens it just before sending (``open_body``)."""
    return get_cipher().encrypt(text, purpose=MESSAGE_BODY_PURPOSE)


def open_body(stored: str) -> str:
    """A stored body as it is sent: a sealed one opened, any other as it is."""
    cipher = get_cipher()
    return (
        cipher.decrypt(stored, purpose=MESSAGE_BODY_PURPOSE) if cipher.is_sealed(stored) else stored
    )


def enqueue(
    session: Session,
    *,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    idempotency_key: str,
    priority: MessagePriority = MessagePriority.ORDINARY,
) -> None:
    """Queue one message for the worker; a second call with the same key does nothing.

    Written in the caller's transaction (never committed here), so the message leaves only
    if the event that caused it is committed.
    """
    _check_channel(channel)
    statement = (
        insert_on_conflict(session, OutboxMessage)
        .values(
            channel=channel,
            recipient=seal_recipient(channel, recipient),
            subject=subject,
            body=body,
            idempotency_key=idempotency_key,
            priority=int(priority),
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    session.execute(statement)


def message_columns(
    *,
    channel: str | ColumnExpressionArgument[str],
    sealed_recipient: ColumnExpressionArgument[str | None],
    subject: str | ColumnExpressionArgument[str],
    body: ColumnExpressionArgument[str],
    idempotency_key: ColumnExpressionArgument[str],
    priority: MessagePriority | ColumnExpressionArgument[int],
    tally_id: ColumnExpressionArgument[int] | None = None,
) -> tuple[ColumnElement[Any], ...]:
    """The columns of one message per selected row, for the SELECT of ``enqueue_selected``.

    ``sealed_recipient`` is contact data as stored (a contact point's or a staff account's
    ciphertext under ``CONTACT_PURPOSE``): it is copied as it is and only the worker opens it.
    ``tally_id``: the tally that counts the row's message (``tallies.joins``), if any.
    """
    if isinstance(channel, str):
        _check_channel(channel)
        channel = literal(str(channel))
    values: tuple[ColumnExpressionArgument[Any], ...] = (
        channel,
        sealed_recipient,
        literal(subject) if isinstance(subject, str) else subject,
        body,
        idempotency_key,
        literal(int(priority)) if isinstance(priority, int) else priority,
    )
    if tally_id is not None:
        values = (*values, tally_id)
    names = MESSAGE_COLUMNS if tally_id is None else TALLIED_MESSAGE_COLUMNS
    return tuple(label(name, value) for value, name in zip(values, names, strict=True))


def enqueue_selected(
    session: Session,
    messages: Select[Any] | CompoundSelect[Any],
    params: Mapping[str, Any] | None = None,
) -> int:
    """Queue one message per row of ``messages`` in one ``INSERT … SELECT``; returns how many.

    ``messages`` selects ``message_columns`` (a ``union_all`` of such SELECTs too). A row
    whose idempotency key is already queued is skipped, as ``enqueue`` skips a second call,
    so a replayed fan-out never sends twice. Written in the caller's transaction.
    ``params`` are the values of ``messages``' bound parameters: a caller on a hot path
    builds its SELECT once and binds each call's values. Tallied messages (a ``tally_id``
    column) are added to their tallies' ``queued``, those skipped not.
    """
    names = tuple(messages.selected_columns.keys())
    if names not in (MESSAGE_COLUMNS, TALLIED_MESSAGE_COLUMNS):
        raise ValueError(f"select the outbox's message_columns, not {list(names)}")
    statement = (
        insert_on_conflict(session, OutboxMessage)
        .from_select(list(names), _with_where(messages))
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    if names == TALLIED_MESSAGE_COLUMNS:
        return _enqueue_tallied(session, statement, params)
    options = {"preserve_rowcount": True}
    result: Result[Any]
    if params:
        # Through the session's connection: the session would read a dict of values given
        # to an ORM insert as rows of a bulk INSERT, not as the SELECT's bound parameters.
        result = session.connection().execute(statement, dict(params), execution_options=options)
    else:
        result = session.execute(statement, execution_options=options)
    return int(getattr(result, "rowcount", 0) or 0)


def _enqueue_tallied(session: Session, statement: Insert, params: Mapping[str, Any] | None) -> int:
    """Run a tallied ``INSERT … SELECT`` and add the rows it wrote to their tallies; returns
    how many. PostgreSQL groups them in the statement (a million ids never leave the
    database); SQLite, which has no INSERT in a WITH, returns each row's tally."""
    returning = statement.returning(OutboxMessage.tally_id)
    connection = session.connection()
    if is_postgres(session):
        added = returning.cte("added")
        grouped = select(added.c.tally_id, func.count()).group_by(added.c.tally_id)
        counted = {t: int(n) for t, n in connection.execute(grouped, dict(params or {})).all()}
    else:
        counted = Counter(connection.execute(returning, dict(params or {})).scalars())
    tallies.add_counted(session, "queued", counted)
    return sum(counted.values())


def _with_where(messages: Select[Any] | CompoundSelect[Any]) -> Select[Any]:
    """``messages`` with a WHERE clause: SQLite cannot parse ``INSERT … SELECT … ON
    CONFLICT`` without one (the ON would read as a join's)."""
    if isinstance(messages, CompoundSelect):
        rows = messages.subquery()
        return select(*rows.c).where(true())
    if messages.whereclause is None:
        return messages.where(true())
    return messages


def delivery_counts(
    *,
    group: ColumnExpressionArgument[Any],
    idempotency_keys: Sequence[ColumnElement[str]],
    where: ColumnExpressionArgument[bool],
) -> Subquery:
    """Per ``group`` (a broadcast, a person, a channel…), how many of its messages were sent,
    how many of those the provider reported delivered (``notify.receipts``), how many are
    dead and how many still wait (queued, in flight or to be retried), as a subquery with
    the columns ``group_key``, ``sent``, ``delivered``, ``dead`` and ``queued``.

    ``idempotency_keys`` are the keys the caller's messages were queued under, in SQL over
    the rows ``where`` picks (the caller's own table). A group none of whose messages was
    ever queued has no row.
    """
    status = OutboxMessage.status
    return (
        select(
            label("group_key", group),
            func.sum(case((status == OutboxStatus.SENT, 1), else_=0)).label("sent"),
            func.sum(case((OutboxMessage.delivered_at.is_not(None), 1), else_=0)).label(
                "delivered"
            ),
            func.sum(case((status == OutboxStatus.DEAD, 1), else_=0)).label("dead"),
            func.sum(case((status.in_(WAITING), 1), else_=0)).label("queued"),
        )
        .where(where, OutboxMessage.idempotency_key.in_(idempotency_keys))
        .group_by(group)
        .subquery()
    )


def finished_since(since: datetime, *, key_prefix: str) -> CompoundSelect[Any]:
    """The messages queued under ``key_prefix`` that finished after ``since``: sent
    (``sent_at``) or given up on (dead: ``next_attempt_at`` is when), with the columns
    ``idempotency_key``, ``channel`` and ``status``, for a caller that keeps its own copy of how its
    messages fared up to date (``crisis.delivery_state``) without reading them all again.

    Each half reads a partial index by finish time (the unpurged sent rows', the dead
    rows'; their conditions as literals, which SQLite needs to match them), so a call costs
    what finished since, never the whole outbox. A sent message leaves that index when its
    retention period blanks it: a caller follows within minutes, not days. A sent message
    an SMS report later declares dead, and a dead one that failed again after HQ put it
    back in line, finish anew (``next_attempt_at``); one put back in line and still
    waiting does not.
    """
    keyed = OutboxMessage.idempotency_key.startswith(key_prefix, autoescape=True)
    columns = (OutboxMessage.idempotency_key, OutboxMessage.channel, OutboxMessage.status)
    sent = select(*columns).where(text(SENT_UNPURGED), OutboxMessage.sent_at > since, keyed)
    dead = select(*columns).where(text(DEAD), OutboxMessage.next_attempt_at > since, keyed)
    return union_all(sent, dead)


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
