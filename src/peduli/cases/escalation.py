"""Escalation of overdue cases to their representation's supervisors, exactly once.

One conditional UPDATE marks the due cases (``sla_due_at <= now AND escalated_at IS NULL``)
and returns the ones it marked; on PostgreSQL a second worker running at the same moment
waits on the row locks, re-checks the condition and skips them, on SQLite writers take
turns. The timeline events and the outbox messages of exactly those cases are written by
set-based INSERT … SELECT in the same transaction, so a crash leaves either everything or
nothing, and the next run picks up what is still due.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, Table, cast, func, insert, literal, select, update
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.models import StaffAccount
from peduli.cases.models import Case, CaseEvent, EventKind, Visibility
from peduli.core.i18n import _, localized
from peduli.notify.models import ChannelName, OutboxMessage

BATCH = 500
ESCALATION_PRIORITY = 20  # before broadcasts, after sign-in codes
SUBJECT = _("Overdue protection case {reference}")
BODY = _(
    "Case {reference} ({category}, priority {priority}) has passed its deadline and "
    "was escalated to you. Open it in Peduli to reassign or act."
)


def escalate_overdue(session: Session, now: datetime, *, batch: int = BATCH) -> int:
    """Escalate up to ``batch`` overdue cases not escalated yet; returns how many."""
    due = (
        select(Case.id)
        .where(Case.sla_due_at <= now, Case.escalated_at.is_(None))
        .order_by(Case.sla_due_at)
        .limit(batch)
        .scalar_subquery()
    )
    marked = session.execute(
        update(Case)
        .where(Case.id.in_(due), Case.escalated_at.is_(None), Case.sla_due_at <= now)
        .values(escalated_at=now, updated_at=now)
        .returning(Case.id)
        .execution_options(synchronize_session=False)
    )
    ids = [row[0] for row in marked]
    if not ids:
        return 0
    _write_events(session, ids, now)
    _write_messages(session, ids)
    return len(ids)


def _write_events(session: Session, ids: list[uuid.UUID], now: datetime) -> None:
    events = CaseEvent.__table__
    assert isinstance(events, Table)
    session.execute(
        insert(events).from_select(
            ["case_id", "at", "kind", "visibility", "actor_display", "text", "data"],
            select(
                Case.id,
                literal(now, type_=events.c.at.type),
                literal(EventKind.ESCALATED.value),
                literal(Visibility.INTERNAL.value),
                literal("system"),
                literal(None, type_=events.c.text.type),
                literal('{"to": "supervisor"}'),
            ).where(Case.id.in_(ids)),
        )
    )


def _write_messages(session: Session, ids: list[uuid.UUID]) -> None:
    """One email per escalated case to each active supervisor of its representation, in
    the supervisor's own language.

    The idempotency key makes the message unique per case and supervisor, so even a replayed
    escalation could never send it twice.
    """
    outbox = OutboxMessage.__table__
    assert isinstance(outbox, Table)
    language = StaffAccount.preferred_language
    subject, body = localized(SUBJECT, language), localized(BODY, language)
    key = (
        literal("case-escalated:")
        + cast(Case.id, String)
        + literal(":")
        + cast(StaffAccount.id, String)
    )
    reference = Case.reference
    select_messages = (
        select(
            literal(ChannelName.EMAIL.value),
            StaffAccount.email_sealed,
            func.replace(subject, "{reference}", reference),
            func.replace(
                func.replace(
                    func.replace(body, "{reference}", reference), "{category}", Case.category
                ),
                "{priority}",
                Case.priority,
            ),
            key,
            literal(ESCALATION_PRIORITY),
        )
        .select_from(Case)
        .join(
            StaffAccount,
            (StaffAccount.representation_code == Case.representation_code)
            & (StaffAccount.role == Role.SUPERVISOR.value)
            & StaffAccount.disabled_at.is_(None),
        )
        .where(Case.id.in_(ids))
    )
    session.execute(
        insert(outbox).from_select(
            ["channel", "recipient", "subject", "body", "idempotency_key", "priority"],
            select_messages,
        )
    )
