"""Alerting the officer on duty, and escalating what nobody acknowledged, exactly once.

Who each step reaches (``_write_messages``), for an emergency at post P and step ``n``:
- the shift of order ``n`` on duty at P (email, and SMS when the shift has a duty phone);
- P's supervisors, from step 1 on, and at step 0 when nobody is on duty at P;
- the HQ duty desk (``roster.HQ_DESK``: every HQ admin on duty there, or every active HQ
  admin when nobody is) from step 2 on, from step 1 when nobody is on duty at P, and at
  once whenever nobody at P is reached by the step (no shift of that order, no supervisor).
So an SOS to a post with no roster alerts its supervisors, then the HQ desk; a post with
neither alerts the HQ desk at once, and no emergency ever goes nowhere.

Step 0 runs in the transaction that creates the emergency. Each later step is taken by the
periodic task ``escalate_unacknowledged``: one conditional UPDATE (``ack_due_at <= now AND
acknowledged_at IS NULL``) raises the level of the due emergencies and returns them; a second
worker at the same moment waits on the row locks and then no longer matches (PostgreSQL), or
takes its turn after the first (SQLite). The step's messages and its timeline event are
written by set-based INSERT … SELECT in the same transaction, each message keyed by
emergency, step, recipient and channel, so even a replayed step never sends anything twice.

The texts name the person to call back, whose phone is encrypted at rest and so can only be
opened here, not in SQL: they are written once per emergency of the step and language
(``texts.alert``, the emergencies of one step: one at SOS time, at most ``BATCH`` after),
passed as a VALUES table, and joined to the recipients in SQL by each reader's language.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    Uuid,
    and_,
    bindparam,
    case,
    cast,
    exists,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.selectable import CTE, CompoundSelect

from peduli.auth.actor import Role
from peduli.auth.models import StaffAccount
from peduli.auth.roles import HQ_DESK_ROLES
from peduli.cases import timeline
from peduli.cases.models import EventKind
from peduli.core.config import get_settings
from peduli.core.i18n import DEFAULT_LANGUAGE, LANGUAGES
from peduli.emergency import repository, texts
from peduli.emergency.models import DutyShift, Emergency
from peduli.emergency.roster import HQ_DESK, on_duty_at
from peduli.emergency.workflow import MAX_LEVEL, ack_window
from peduli.notify import service as notify_service
from peduli.notify.models import ChannelName, MessagePriority

BATCH = 500
ESCALATED_NOTE = (
    "Emergency not acknowledged in time: escalated to the next on duty and the supervisors."
)


# Emergencies per fan-out statement: their texts are a UNION of 8 rows each, and SQLite
# allows at most 500 SELECTs in one compound.
CHUNK = 50


def alert_on_duty(session: Session, emergency: Emergency, now: datetime) -> None:
    """Step 0: alert the primary on duty (or the supervisors, or the HQ desk) in the
    caller's transaction."""
    _write_messages(session, [emergency.id], now)


def alert_pending_calls(session: Session, now: datetime, *, batch: int = BATCH) -> int:
    """Step 0 of up to ``batch`` calls for help recorded without it (a crisis's); returns how
    many. One conditional UPDATE takes them, so two workers never alert one twice."""
    pending = (
        select(Emergency.id)
        .where(Emergency.alert_pending.is_(True))
        .order_by(Emergency.created_at)
        .limit(batch)
        .scalar_subquery()
    )
    taken = session.execute(
        update(Emergency)
        .where(Emergency.id.in_(pending), Emergency.alert_pending.is_(True))
        .values(alert_pending=False)
        .returning(Emergency.id)
        .execution_options(synchronize_session=False)
    )
    ids = [row[0] for row in taken]
    for start in range(0, len(ids), CHUNK):
        _write_messages(session, ids[start : start + CHUNK], now)
    return len(ids)


def escalate_unacknowledged(session: Session, now: datetime, *, batch: int = BATCH) -> int:
    """Take the next escalation step of up to ``batch`` due emergencies; returns how many."""
    window = ack_window()
    due = (
        select(Emergency.id)
        .where(
            Emergency.ack_due_at <= now,
            Emergency.acknowledged_at.is_(None),
            # Step 1 never overtakes a step 0 the worker still owes (``alert_pending_calls``).
            Emergency.alert_pending.is_(False),
        )
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
    for start in range(0, len(ids), CHUNK):
        _write_messages(session, ids[start : start + CHUNK], now)
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


# From this step on the HQ desk is alerted too, whoever else is.
HQ_FROM_STEP = 2
POST, HQ = "post", "hq"


def link_of(emergency_id: uuid.UUID) -> str:
    """The acknowledge screen of an emergency (what the alerts link to)."""
    return f"{get_settings().public_url.rstrip('/')}/officer/emergencies/{emergency_id}"


TEXT_COLUMNS = ("emergency_id", "audience", "language", "subject", "body", "sms")


def _text_rows(session: Session, ids: list[uuid.UUID]) -> list[tuple[Any, ...]]:
    """The texts of the current step of emergencies ``ids``: one row per emergency, audience
    (the post's staff, the HQ desk) and language."""
    rows = session.execute(
        select(Emergency.id, Emergency.case_reference, Emergency.kind,
               Emergency.representation_code, Emergency.escalation_level)
        .where(Emergency.id.in_(ids))
    ).all()  # fmt: skip
    callers = repository.callers(session, ids)
    data = []
    for id, reference, kind, post, step in rows:
        caller = callers.get(id) or texts.Caller(None, None, None, None, None)
        for audience in (POST, HQ):
            for language in LANGUAGES:
                said = texts.alert(
                    reference=reference, kind=kind, post=post, step=step, hq=audience == HQ,
                    caller=caller, link=link_of(id), language=language,
                )  # fmt: skip
                # The texts name the caller and their phone: sealed in the outbox like any contact.
                body, sms = (
                    notify_service.sealed_body(said.body),
                    notify_service.sealed_body(said.sms),
                )
                data.append((id, audience, language, said.subject, body, sms))
    return data


def _text_table(rows: int) -> CTE:
    """``rows`` rows of texts, every value bound at execution (``t{row}_{column}``): one
    SELECT per row rather than VALUES, whose statements SQLAlchemy never caches."""
    types = {"emergency_id": Uuid()}
    return union_all(
        *[
            select(*[bindparam(f"t{n}_{c}", type_=types.get(c, String())).label(c)
                     for c in TEXT_COLUMNS])
            for n in range(rows)
        ]
    ).cte("alert_text")  # fmt: skip


def _reader_language() -> ColumnElement[str]:
    """The language of each selected staff account, Indonesian when it is none of ours."""
    language = StaffAccount.preferred_language
    return case((language.in_(LANGUAGES), language), else_=literal(DEFAULT_LANGUAGE))


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


def _messages(
    text: CTE, audience: str, *, recipients: Any, where: ColumnElement[bool], sms: bool = False
) -> Any:
    """One message per emergency and selected staff member (``recipients`` joins the
    ``StaffAccount`` readers, and ``DutyShift`` for SMS to duty phones)."""
    columns = notify_service.message_columns(
        channel=ChannelName.SMS if sms else ChannelName.EMAIL,
        sealed_recipient=DutyShift.phone if sms else StaffAccount.email_sealed,
        subject=text.c.subject,
        body=text.c.sms if sms else text.c.body,
        idempotency_key=_key("sms" if sms else "email", StaffAccount.id),
        priority=MessagePriority.EMERGENCY_ALERT,
    )
    joined = recipients.join(
        text,
        (text.c.emergency_id == Emergency.id)
        & (text.c.audience == audience)
        & (text.c.language == _reader_language()),
    )
    return select(*columns).select_from(joined).where(where)


def _write_messages(session: Session, ids: list[uuid.UUID], now: datetime) -> None:
    """The current step's messages of emergencies ``ids`` (email, and SMS to duty phones)."""
    data = _text_rows(session, ids)
    if not data:
        return
    params: dict[str, Any] = {"now": now, "ids": ids}
    for n, row in enumerate(data):
        params.update({f"t{n}_{c}": value for c, value in zip(TEXT_COLUMNS, row, strict=True)})
    notify_service.enqueue_selected(session, _fan_out(len(data)), params)


@lru_cache(maxsize=64)
def _fan_out(text_rows: int) -> CompoundSelect[Any]:
    """The messages of one step, built once per number of text rows and bound per call
    (``now``, ``ids``, the texts): building it costs more than sending an SOS otherwise."""
    text = _text_table(text_rows)
    now = bindparam("now", type_=DutyShift.starts_at.type)
    level = Emergency.escalation_level
    chosen = Emergency.id.in_(bindparam("ids", expanding=True))

    def active(account: Any) -> ColumnElement[bool]:
        return account.disabled_at.is_(None)

    def shift_at(shift: Any, code: Any, *conditions: Any) -> ColumnElement[bool]:
        return and_(shift.representation_code == code, on_duty_at(now, shift), *conditions)

    def staffed(code: Any, *, rank: Any = None) -> ColumnElement[bool]:
        """Some active account is on duty on roster ``code`` (of order ``rank``), with its
        own aliases: no correlation with the recipients the outer query selects."""
        shift, account = aliased(DutyShift), aliased(StaffAccount)
        of_rank = [shift.rank == rank] if rank is not None else []
        return exists().where(
            shift_at(shift, code, *of_rank), account.id == shift.account_id, active(account)
        )

    def supervisor_of_post(account: Any) -> ColumnElement[bool]:
        return (
            (account.representation_code == Emergency.representation_code)
            & (account.role == Role.SUPERVISOR.value)
            & active(account)
        )

    anyone_on_duty = staffed(Emergency.representation_code)
    supervisors_due = or_(level > 0, ~anyone_on_duty)
    other = aliased(StaffAccount)
    post_reached = or_(
        staffed(Emergency.representation_code, rank=level),
        and_(supervisors_due, exists().where(supervisor_of_post(other))),
    )
    hq_due = or_(level >= HQ_FROM_STEP, and_(level >= 1, ~anyone_on_duty), ~post_reached)
    hq_admin = StaffAccount.role.in_(sorted(HQ_DESK_ROLES)) & active(StaffAccount)

    def on_roster(code: Any, *conditions: Any) -> Any:
        return (
            Emergency.__table__.join(DutyShift, shift_at(DutyShift, code, *conditions))
            .join(StaffAccount, (StaffAccount.id == DutyShift.account_id) & active(StaffAccount))
        )  # fmt: skip

    on_duty = on_roster(Emergency.representation_code, DutyShift.rank == level)
    hq_desk = on_roster(HQ_DESK)
    supervisors = Emergency.__table__.join(StaffAccount, supervisor_of_post(StaffAccount))
    hq_admins = Emergency.__table__.join(StaffAccount, hq_admin)
    phone = DutyShift.phone.is_not(None)
    return union_all(
        _messages(text, POST, recipients=on_duty, where=chosen),
        _messages(text, POST, recipients=on_duty, where=chosen & phone, sms=True),
        _messages(text, POST, recipients=supervisors, where=chosen & supervisors_due),
        _messages(text, HQ, recipients=hq_desk, where=chosen & hq_due & hq_admin),
        _messages(text, HQ, recipients=hq_desk, where=chosen & hq_due & hq_admin & phone,
                  sms=True),
        _messages(text, HQ, recipients=hq_admins, where=chosen & hq_due & ~staffed(HQ_DESK)),
    )  # fmt: skip
