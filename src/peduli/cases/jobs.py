"""The cases' periodic work: escalating overdue cases to their post's supervisors, exactly once.

Which cases are overdue is the clock rule of ``workflow`` (``sla_due_at <= now``); this task
runs it every minute (``PERIODIC_TASKS``, listed by ``peduli.jobs``).

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

from sqlalchemy import String, cast, func, literal, select, update
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.models import StaffAccount
from peduli.cases import timeline, workflow
from peduli.cases.models import Case, EventKind
from peduli.core.i18n import _, localized
from peduli.core.periodic import PeriodicTask
from peduli.notify import service as notify_service
from peduli.notify.models import ChannelName, MessagePriority

BATCH = 500
SUBJECT = _("Overdue protection case {reference}")
BODY = _(
    "Case {reference} ({category}, priority {priority}) has passed its deadline and "
    "was escalated to you. Open it in Peduli to reassign or act."
)


def escalate_overdue(session: Session, now: datetime, *, batch: int = BATCH) -> int:
    """Escalate up to ``batch`` overdue cases not escalated yet; returns how many."""
    due = (
        select(Case.id)
        .where(workflow.sla_condition("overdue", now), Case.escalated_at.is_(None))
        .order_by(Case.sla_due_at)
        .limit(batch)
        .scalar_subquery()
    )
    marked = session.execute(
        update(Case)
        .where(
            Case.id.in_(due), Case.escalated_at.is_(None), workflow.sla_condition("overdue", now)
        )
        .values(escalated_at=now, updated_at=now)
        .returning(Case.id)
        .execution_options(synchronize_session=False)
    )
    ids = [row[0] for row in marked]
    if not ids:
        return 0
    timeline.add_event_to_each(
        session,
        select(Case.id).where(Case.id.in_(ids)),
        kind=EventKind.ESCALATED,
        at=now,
        data={"to": "supervisor"},
    )
    _write_messages(session, ids)
    return len(ids)


def _write_messages(session: Session, ids: list[uuid.UUID]) -> None:
    """One email per escalated case to each active supervisor of its representation, in
    the supervisor's own language.

    The idempotency key makes the message unique per case and supervisor, so even a replayed
    escalation (or a reopened case escalated again) never sends it twice.
    """
    language = StaffAccount.preferred_language
    subject, body = localized(SUBJECT, language), localized(BODY, language)
    key = (
        literal("case-escalated:")
        + cast(Case.id, String)
        + literal(":")
        + cast(StaffAccount.id, String)
    )
    reference = Case.reference
    messages = (
        select(
            *notify_service.message_columns(
                channel=ChannelName.EMAIL,
                sealed_recipient=StaffAccount.email_sealed,
                subject=func.replace(subject, "{reference}", reference),
                body=func.replace(
                    func.replace(
                        func.replace(body, "{reference}", reference), "{category}", Case.category
                    ),
                    "{priority}",
                    Case.priority,
                ),
                idempotency_key=key,
                priority=MessagePriority.CASE_ESCALATION,
            )
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
    notify_service.enqueue_selected(session, messages)


PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    PeriodicTask("escalate-overdue-cases", 60, escalate_overdue),
)
