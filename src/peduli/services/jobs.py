"""The services' periodic work, run by ``peduli worker`` (listed in ``peduli.jobs``): escalate
overdue applications to the post's supervisors and to HQ exactly once, and open the virtual
accounts of fees to be paid online.

The escalation is one conditional UPDATE that marks the overdue applications not escalated
yet and returns them, and one INSERT … SELECT of the e-mails (one per application and
supervisor of its post or HQ admin), in the same transaction; a second worker at the same
moment skips the rows already marked.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import String, cast, func, literal, or_, select, update
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.models import StaffAccount
from peduli.core.i18n import _, localized
from peduli.core.periodic import PeriodicTask
from peduli.notify import service as notify_service
from peduli.notify.models import ChannelName, MessagePriority
from peduli.services import payments, workflow
from peduli.services.models import Appointment, ServiceApplication
from peduli.services.payment_gateway import current_gateway

BATCH = 500
SUBJECT = _("Overdue consular application {reference}")
BODY = _(
    "Application {reference} ({service}) at {post} has passed its deadline and was "
    "escalated to you. Open the application queue in Peduli to act."
)


def escalate_overdue(session: Session, now: datetime, *, batch: int = BATCH) -> int:
    """Escalate up to ``batch`` overdue applications not escalated yet; returns how many."""
    app = ServiceApplication
    due = (
        select(app.id)
        .where(workflow.overdue(now), app.escalated_at.is_(None))
        .order_by(app.due_at)
        .limit(batch)
        .scalar_subquery()
    )
    marked = session.execute(
        update(app)
        .where(app.id.in_(due), app.escalated_at.is_(None), workflow.overdue(now))
        .values(escalated_at=now)
        .returning(app.id)
        .execution_options(synchronize_session=False)
    )
    ids = [row[0] for row in marked]
    if ids:
        _write_messages(session, ids)
    return len(ids)


def _write_messages(session: Session, ids: list[uuid.UUID]) -> None:
    """One e-mail per escalated application to each active supervisor of its post and each
    HQ admin, in their language; keyed per application, deadline and reader."""
    app = ServiceApplication
    language = StaffAccount.preferred_language
    subject, body = localized(SUBJECT, language), localized(BODY, language)
    key = (
        literal("service-escalated:")
        + cast(app.id, String)
        + literal(":")
        + cast(app.due_at, String)
        + literal(":")
        + cast(StaffAccount.id, String)
    )
    messages = (
        select(
            *notify_service.message_columns(
                channel=ChannelName.EMAIL,
                sealed_recipient=StaffAccount.email_sealed,
                subject=func.replace(subject, "{reference}", app.reference),
                body=func.replace(
                    func.replace(
                        func.replace(body, "{reference}", app.reference),
                        "{service}",
                        app.service_code,
                    ),
                    "{post}",
                    app.representation_code,
                ),
                idempotency_key=key,
                priority=MessagePriority.DEADLINE_REMINDER,
            )
        )
        .select_from(app)
        .join(
            StaffAccount,
            or_(
                (StaffAccount.representation_code == app.representation_code)
                & (StaffAccount.role == Role.SUPERVISOR.value),
                StaffAccount.role == Role.HQ_ADMIN.value,
            )
            & StaffAccount.disabled_at.is_(None),
        )
        .where(app.id.in_(ids))
    )
    notify_service.enqueue_selected(session, messages)


def open_virtual_accounts(session: Session, now: datetime) -> int:
    """Open the virtual accounts of fees waiting to be paid online."""
    return payments.open_virtual_accounts(session, now, gateway=current_gateway())


REMINDER_SUBJECT = _("Peduli: your consular appointment tomorrow")
REMINDER_BODY = _(
    "Peduli: reminder of your appointment {reference} on {when}. Bring your identity "
    "documents. To cancel or move it, open My appointments in Peduli."
)


def remind_appointments(session: Session, now: datetime, *, batch: int = BATCH) -> int:
    """Remind the holders of appointments starting within a day, once each (the mark and
    the messages in one transaction; a move clears the mark, so the new time is reminded)."""
    appointment = Appointment
    due = (
        select(appointment.id)
        .where(
            appointment.state == "booked",
            appointment.reminded_at.is_(None),
            appointment.starts_at > now,
            appointment.starts_at <= now + timedelta(days=1),
        )
        .order_by(appointment.starts_at)
        .limit(batch)
        .scalar_subquery()
    )
    marked = session.execute(
        update(appointment)
        .where(appointment.id.in_(due), appointment.reminded_at.is_(None))
        .values(reminded_at=now)
        .returning(appointment.id)
        .execution_options(synchronize_session=False)
    )
    ids = [row[0] for row in marked]
    if not ids:
        return 0
    body = localized(REMINDER_BODY, appointment.language)
    key = (
        literal("appointment-reminder:")
        + cast(appointment.id, String)
        + literal(":")
        + cast(appointment.sequence, String)
    )
    messages = select(
        *notify_service.message_columns(
            channel=func.coalesce(appointment.remind_channel, literal(ChannelName.EMAIL.value)),
            sealed_recipient=appointment.remind_to,
            subject=localized(REMINDER_SUBJECT, appointment.language),
            body=func.replace(
                func.replace(body, "{reference}", appointment.reference),
                "{when}",
                appointment.local_start,
            ),
            idempotency_key=key,
            priority=MessagePriority.DEADLINE_REMINDER,
        )
    ).where(appointment.id.in_(ids), appointment.remind_to.is_not(None))
    notify_service.enqueue_selected(session, messages)
    return len(ids)


PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    PeriodicTask("escalate-overdue-applications", 60, escalate_overdue),
    PeriodicTask("open-fee-virtual-accounts", 10, open_virtual_accounts),
    PeriodicTask("remind-appointments", 300, remind_appointments),
)
