"""The partners' periodic work, run by ``peduli worker``: deadline reminders of referrals
and delegations.

A delegation or referral still open 24 hours before its deadline (or past it) gets one
reminder: delegations to the partner's contact, in the partner's language (the first of
its ``languages`` if the platform speaks it, else Indonesian), referrals to the officer who
made them (else the case's officer), in that officer's preferred language. Each run is two
set-based statements per kind in one transaction: mark the due rows (``reminded_at``),
then write one outbox row per marked row with ``INSERT … SELECT``. Two workers at once:
the second's UPDATE waits for the first's row locks and then finds nothing left to mark,
and the outbox key is unique per item anyway, so a reminder is never sent twice and never
lost on a restart (a failed run rolls back).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal, select, update
from sqlalchemy.orm import Session, aliased

from peduli.auth.models import StaffAccount
from peduli.cases.models import Case
from peduli.core.i18n import LANGUAGES, _, localized
from peduli.core.periodic import PeriodicTask
from peduli.notify import service as notify_service
from peduli.notify.models import ChannelName, MessagePriority
from peduli.partners.models import Delegation, Partner, Referral

REMIND_BEFORE = timedelta(hours=24)
OPEN = ("sent", "accepted")

DELEGATION_SUBJECT = _("Peduli: a delegated case is due")
DELEGATION_BODY = _(
    "Peduli reminder: the task for case {reference} delegated to your organisation is due "
    "within 24 hours or overdue. Open Peduli to go on or hand it back to the representation."
)
REFERRAL_SUBJECT = _("Peduli: a referral is due")
REFERRAL_BODY = _(
    "Peduli reminder: the referral of case {reference} to an agency is not done and is due "
    "within 24 hours or overdue. Ask the agency and record its answer."
)


def partner_language() -> Any:
    """SQL: the partner's first listed language, when the platform speaks it (the rule of
    ``Partner.reader_language``; NULL means Indonesian)."""
    first = Partner.languages[0].as_string()
    return case((first.in_(LANGUAGES), first), else_=None)


def _body(template: Any, reference: Any) -> Any:
    """The (localized) template with the case reference put in by the database."""
    return func.replace(template, "{reference}", reference)


def _key(prefix: str, row_id: Any) -> Any:
    return literal(prefix, String) + cast(row_id, String)


def _mark_due(session: Session, item: type[Delegation] | type[Referral], now: datetime) -> int:
    """Mark the open items due within ``REMIND_BEFORE`` (or overdue) and not yet reminded as
    reminded ``now``, in one conditional UPDATE; how many. Their messages select
    ``reminded_at == now``, so two workers at once never remind an item twice."""
    due = and_(
        item.due_at <= now + REMIND_BEFORE,
        item.reminded_at.is_(None),
        item.status.in_(OPEN),
    )
    marked = session.execute(
        update(item).where(due).values(reminded_at=now).execution_options(synchronize_session=False)
    )
    return int(getattr(marked, "rowcount", 0) or 0)


def _remind_delegations(session: Session, now: datetime) -> int:
    count = _mark_due(session, Delegation, now)
    if not count:
        return 0
    recipient = func.coalesce(Partner.contact_email, Partner.contact_phone)
    rows = (
        select(
            *notify_service.message_columns(
                channel=case((Partner.contact_email.is_not(None), "email"), else_="sms"),
                sealed_recipient=recipient,
                subject=localized(DELEGATION_SUBJECT, partner_language()),
                body=_body(localized(DELEGATION_BODY, partner_language()), Case.reference),
                idempotency_key=_key("partners.delegation-reminder:", Delegation.id),
                priority=MessagePriority.DEADLINE_REMINDER,
            )
        )
        .select_from(Delegation)
        .join(Partner, Partner.id == Delegation.partner_id)
        .join(Case, Case.id == Delegation.case_id)
        .where(Delegation.reminded_at == now, recipient.is_not(None))
    )
    notify_service.enqueue_selected(session, rows)
    return count


def _remind_referrals(session: Session, now: datetime) -> int:
    count = _mark_due(session, Referral, now)
    if not count:
        return 0
    creator = aliased(StaffAccount)
    assignee = aliased(StaffAccount)
    recipient = func.coalesce(creator.email_sealed, assignee.email_sealed)
    language = case(
        (creator.email.is_not(None), creator.preferred_language),
        else_=assignee.preferred_language,
    )
    rows = (
        select(
            *notify_service.message_columns(
                channel=ChannelName.EMAIL,
                sealed_recipient=recipient,
                subject=localized(REFERRAL_SUBJECT, language),
                body=_body(localized(REFERRAL_BODY, language), Case.reference),
                idempotency_key=_key("partners.referral-reminder:", Referral.id),
                priority=MessagePriority.DEADLINE_REMINDER,
            )
        )
        .select_from(Referral)
        .join(Case, Case.id == Referral.case_id)
        .outerjoin(
            creator,
            and_(creator.id == Referral.created_by_account_id, creator.disabled_at.is_(None)),
        )
        .outerjoin(
            assignee,
            and_(assignee.id == Case.assigned_officer_id, assignee.disabled_at.is_(None)),
        )
        .where(Referral.reminded_at == now, recipient.is_not(None))
    )
    notify_service.enqueue_selected(session, rows)
    return count


def send_reminders(session: Session, now: datetime) -> int:
    """One reminder per due delegation and referral; returns how many were due."""
    return _remind_delegations(session, now) + _remind_referrals(session, now)


PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    PeriodicTask("partner-deadline-reminders", 300, send_reminders),
)
