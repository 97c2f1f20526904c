"""Who asked for help in a crisis: the board's live list, one row per person, newest first.

Each row is the person's latest "I need help" (what they wrote, where they said they are),
their name, trusted phone, stay and language, and the emergency it raised: when and by whom
it was taken on. Post-bound staff see their own post's people, HQ admins everyone; showing a
person is a staff read of them, audited by an entry that names them (``_audit_shown``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session, aliased

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.auth.models import StaffAccount
from peduli.core.db import utcnow
from peduli.crisis import access
from peduli.crisis import service as crisis_service
from peduli.crisis.models import Answer, CheckIn, Recipient
from peduli.emergency.models import Emergency
from peduli.registry.models import ContactKind, ContactPoint, Person, Stay

PER_PAGE = 25
LIST_ACTION = "crisis.help_list"
# How long an audit entry naming a person shown on the list covers showing them again.
AUDIT_EVERY = timedelta(minutes=15)


@dataclass(frozen=True)
class HelpRow:
    person_id: uuid.UUID
    full_name: str
    phone: str | None
    country: str | None
    city: str | None
    place: str | None  # where they said they are, in their words
    language: str | None
    note: str | None
    asked_at: datetime
    representation_code: str | None
    taken_by: str | None  # the officer who acknowledged the emergency
    taken_at: datetime | None
    now_safe: bool  # said "I am safe" after asking for help


def _asked(crisis_id: uuid.UUID, scope: frozenset[str] | None) -> ColumnElement[bool]:
    asked = (CheckIn.crisis_id == crisis_id) & (CheckIn.answer == Answer.NEED_HELP.value)
    if scope is not None:
        asked = asked & CheckIn.representation_code.in_(sorted(scope))
    return asked


def _phone() -> ColumnElement[Any]:
    return (
        select(ContactPoint.value)
        .where(
            ContactPoint.person_id == Person.id,
            ContactPoint.kind == ContactKind.PHONE,
            ContactPoint.trusted_at.is_not(None),
        )
        .order_by(ContactPoint.is_primary.desc(), ContactPoint.trusted_at.desc())
        .limit(1)
        .scalar_subquery()
    )


def help_requests(
    session: Session,
    *,
    crisis_id: uuid.UUID,
    actor: Actor,
    limit: int = PER_PAGE,
    offset: int = 0,
) -> tuple[int, list[HelpRow]]:
    """How many people asked for help, and ``limit`` of them from ``offset``, newest call
    first (an audited read of the people shown)."""
    access.require_help_reader(session, actor, action=LIST_ACTION)
    crisis = crisis_service.get(session, crisis_id=crisis_id, actor=actor)
    scope = access.audience_posts(actor)
    asked = _asked(crisis.id, scope)
    total = session.scalar(select(func.count(func.distinct(CheckIn.person_id))).where(asked)) or 0
    latest = select(
        CheckIn.person_id, CheckIn.recipient_id, CheckIn.case_id, CheckIn.place, CheckIn.note,
        CheckIn.created_at, CheckIn.representation_code,
        func.row_number()
        .over(partition_by=CheckIn.person_id, order_by=CheckIn.created_at.desc())
        .label("newest"),
    ).where(asked).subquery()  # fmt: skip
    later = aliased(CheckIn)
    now_safe = exists().where(
        later.crisis_id == crisis.id,
        later.person_id == latest.c.person_id,
        later.answer == Answer.SAFE.value,
        later.created_at > latest.c.created_at,
    )
    query = (
        select(
            Person.id, Person.full_name, _phone(), Stay.country, Stay.city, latest.c.place,
            Person.preferred_language, latest.c.note, latest.c.created_at,
            latest.c.representation_code, StaffAccount.display_name, Emergency.acknowledged_at,
            now_safe,
        )
        .select_from(latest)
        .join(Person, Person.id == latest.c.person_id)
        .join(Recipient, Recipient.id == latest.c.recipient_id)
        .outerjoin(Stay, Stay.id == Recipient.stay_id)
        .outerjoin(Emergency, Emergency.case_id == latest.c.case_id)
        .outerjoin(StaffAccount, StaffAccount.id == Emergency.acknowledged_by_account_id)
        .where(latest.c.newest == 1)
        .order_by(latest.c.created_at.desc(), Person.id)
        .limit(limit)
        .offset(max(0, offset))
    )  # fmt: skip
    rows = [HelpRow(*row) for row in session.execute(query)]
    _audit_shown(session, actor, crisis.id, rows, scope)
    return total, rows


def _audit_shown(
    session: Session,
    actor: Actor,
    crisis_id: uuid.UUID,
    rows: list[HelpRow],
    scope: frozenset[str] | None,
) -> None:
    """One entry naming each person shown whom no entry of this officer on this crisis has
    named within ``AUDIT_EVERY``: a new person in the list is audited at once, and everyone
    shown again once per period, not at every 10-second refresh of the board.

    An entry per person, so that each appears in that person's own trail (who read my
    data); at most a page of them, appended one by one as the hash chain requires.
    """
    shown = [row.person_id for row in rows]
    covered = audit.subjects_recorded_since(
        session,
        actor=actor,
        action=LIST_ACTION,
        entity_id=str(crisis_id),
        subjects=shown,
        since=utcnow() - AUDIT_EVERY,
    )
    for person_id in (p for p in shown if p not in covered):
        audit.record(
            session,
            actor=actor,
            action=LIST_ACTION,
            entity_type="crisis",
            entity_id=str(crisis_id),
            subject_person_id=person_id,
            fields=["name", "phone", "stay", "language", "note"],
            reason=f"scope {_scope_text(scope)}",
        )


def _scope_text(scope: frozenset[str] | None) -> str:
    return ",".join(sorted(scope)) if scope is not None else "all"
