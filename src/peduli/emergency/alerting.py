"""Alerting the officer on duty, and escalating what nobody acknowledged, exactly once.

Step 0 runs in the transaction that creates the emergency: the primary on duty (order 0)
gets an email and, when the shift has a duty phone, an SMS; a representation with nobody
on duty alerts its supervisors at once. Each later step ``n`` is taken by the periodic task
``escalate_unacknowledged``: one conditional UPDATE (``ack_due_at <= now AND acknowledged_at
IS NULL``) raises the level of the due emergencies and returns them; a second worker at the
same moment waits on the row locks and then no longer matches (PostgreSQL), or takes its
turn after the first (SQLite). The step's messages — the shift of order ``n`` on duty and
every supervisor of the representation — and its timeline event are written by set-based
INSERT … SELECT in the same transaction, each message keyed by emergency, step, recipient
and channel, so even a replayed step could never send anything twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.models import StaffAccount
from peduli.cases import timeline
from peduli.cases.models import EventKind
from peduli.core.i18n import _, localized
from peduli.emergency.models import DutyShift, Emergency
from peduli.emergency.roster import on_duty_at
from peduli.emergency.workflow import MAX_LEVEL, ack_window
from peduli.notify import service as notify_service
from peduli.notify.models import ChannelName, MessagePriority

BATCH = 500
ESCALATED_NOTE = (
    "Emergency not acknowledged in time: escalated to the next on duty and the supervisors."
)


def alert_on_duty(session: Session, emergency: Emergency, now: datetime) -> None:
    """Step 0: alert the primary on duty (or the supervisors) in the caller's transaction."""
    _write_messages(session, [emergency.id], now)


def escalate_unacknowledged(session: Session, now: datetime, *, batch: int = BATCH) -> int:
    """Take the next escalation step of up to ``batch`` due emergencies; returns how many."""
    window = ack_window()
    due = (
        select(Emergency.id)
        .where(Emergency.ack_due_at <= now, Emergency.acknowledged_at.is_(None))
        .order_by(Emergency.ack_due_at)
        .limit(batch)
        .scalar_subquery()
    )
    last_step = Emergency.escalation_level + 1 >= MAX_LEVEL
    marked = session.execute(
        update(Emergency)
        .where(
            Emergency.id.in_(due),
            Emergency.ack_due_at <= now,
            Emergency.acknowledged_at.is_(None),
        )
        .values(
            escalation_level=Emergency.escalation_level + 1,
            escalated_at=now,
            ack_due_at=case((last_step, None), else_=literal(now + window)),
        )
        .returning(Emergency.id)
        .execution_options(synchronize_session=False)
    )
    ids = [row[0] for row in marked]
    if not ids:
        return 0
    _write_events(session, ids, now)
    _write_messages(session, ids, now)
    return len(ids)


def _write_events(session: Session, ids: list[uuid.UUID], now: datetime) -> None:
    data = literal('{"emergency_escalation": ') + cast(Emergency.escalation_level, String) + "}"
    timeline.add_event_to_each(
        session,
        select(Emergency.case_id).where(Emergency.id.in_(ids)),
        kind=EventKind.ESCALATED,
        at=now,
        text=ESCALATED_NOTE,
        data=data,
    )


SUBJECT = _("EMERGENCY {reference}: a citizen in danger, acknowledge now")
FIRST = _(
    "Emergency {reference} ({kind}) was reported to your representation. You are on "
    "duty: call the person back and acknowledge it in Peduli (Officer, Emergencies)."
)
LATER = _(
    "Emergency {reference} ({kind}) was not acknowledged in time and is escalated to "
    "you (step {step}). Call the person back and acknowledge it in Peduli."
)


def _texts(level: Any) -> tuple[ColumnElement[str], ColumnElement[str]]:
    """Subject and body of each row's step, in the language of the row's staff account
    (every query below joins ``StaffAccount``, the reader)."""
    language = StaffAccount.preferred_language
    subject = localized(SUBJECT, language)
    first, later = localized(FIRST, language), localized(LATER, language)
    reference, kind = Emergency.case_reference, Emergency.kind
    template = case((level == 0, first), else_=later)
    body = func.replace(
        func.replace(func.replace(template, "{reference}", reference), "{kind}", kind),
        "{step}",
        cast(level, String),
    )
    return func.replace(subject, "{reference}", reference), body


def _key(channel: str, account: Any) -> ColumnElement[str]:
    return (
        literal("emergency:")
        + cast(Emergency.id, String)
        + literal(":step:")
        + cast(Emergency.escalation_level, String)
        + literal(":")
        + cast(account, String)
        + literal(f":{channel}")
    )


def _write_messages(session: Session, ids: list[uuid.UUID], now: datetime) -> None:
    """The current step's messages of emergencies ``ids`` (email, and SMS to duty phones)."""
    subject, body = _texts(Emergency.escalation_level)
    shift_of_step = and_(
        DutyShift.representation_code == Emergency.representation_code,
        DutyShift.rank == Emergency.escalation_level,
        on_duty_at(now),
    )
    anyone_on_duty = exists().where(
        DutyShift.representation_code == Emergency.representation_code,
        on_duty_at(now),
    )
    active = StaffAccount.disabled_at.is_(None)
    on_duty_email = (
        select(*_email(subject, body))
        .select_from(Emergency)
        .join(DutyShift, shift_of_step)
        .join(StaffAccount, (StaffAccount.id == DutyShift.account_id) & active)
        .where(Emergency.id.in_(ids))
    )
    on_duty_sms = (
        select(
            *notify_service.message_columns(
                channel=ChannelName.SMS,
                sealed_recipient=DutyShift.phone,
                subject=subject,
                body=subject,
                idempotency_key=_key("sms", DutyShift.account_id),
                priority=MessagePriority.EMERGENCY_ALERT,
            )
        )
        .select_from(Emergency)
        .join(DutyShift, shift_of_step)
        .join(StaffAccount, (StaffAccount.id == DutyShift.account_id) & active)
        .where(Emergency.id.in_(ids), DutyShift.phone.is_not(None))
    )
    supervisors = (
        select(*_email(subject, body))
        .select_from(Emergency)
        .join(
            StaffAccount,
            (StaffAccount.representation_code == Emergency.representation_code)
            & (StaffAccount.role == Role.SUPERVISOR.value)
            & active,
        )
        .where(
            Emergency.id.in_(ids),
            or_(Emergency.escalation_level > 0, ~anyone_on_duty),
        )
    )
    notify_service.enqueue_selected(session, union_all(on_duty_email, on_duty_sms, supervisors))


def _email(subject: ColumnElement[str], body: ColumnElement[str]) -> tuple[ColumnElement[Any], ...]:
    """An email of the step to each selected staff account (its own sealed address)."""
    return notify_service.message_columns(
        channel=ChannelName.EMAIL,
        sealed_recipient=StaffAccount.email_sealed,
        subject=subject,
        body=body,
        idempotency_key=_key("email", StaffAccount.id),
        priority=MessagePriority.EMERGENCY_ALERT,
    )
