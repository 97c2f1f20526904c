"""What the crisis pages and API read: the board (who was reached, who answered) and the
evacuation list, per post.

Counts are per person: every broadcast of a crisis to a person carries their latest answer,
and the outbox counts each person's delivered and dead messages (``delivery_counts``).
Post-bound staff see their own post's people; HQ sees all. Every evacuation list export is
audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, select
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.crisis import access, delivery
from peduli.crisis import service as crisis_service
from peduli.crisis.models import Answer, CheckIn, Recipient
from peduli.crisis.schemas import Board, BoardRow
from peduli.notify import service as notify_service
from peduli.registry.models import ContactKind, ContactPoint, Person, Stay

MAX_AREAS = 30


def _per_person(crisis_id: uuid.UUID, scope: frozenset[str] | None) -> Select[Any]:
    """One row per person: their post, place, answer, and whether anything reached them."""
    counted = Recipient.crisis_id == crisis_id
    if scope is not None:
        counted = counted & Recipient.representation_code.in_(sorted(scope))
    outcomes = notify_service.delivery_counts(
        group=Recipient.person_id, idempotency_keys=delivery.message_keys(), where=counted
    )
    delivered = case((outcomes.c.sent > 0, 1), else_=0)
    failed = case((outcomes.c.dead > 0, 1), else_=0)
    query = (
        select(
            Recipient.person_id,
            func.max(Recipient.representation_code).label("post"),
            func.max(Stay.country + " · " + Stay.city).label("place"),
            func.max(Recipient.answer).label("answer"),
            func.max(delivered).label("delivered"),
            func.max(failed).label("failed"),
        )
        .join(Stay, Stay.id == Recipient.stay_id)
        .outerjoin(outcomes, outcomes.c.group_key == Recipient.person_id)
        .where(counted)
        .group_by(Recipient.person_id)
    )
    result: Select[Any] = query  # type: ignore[assignment]
    return result


def _rows(session: Session, people: Any, key: ColumnElement[Any] | None) -> list[BoardRow]:
    query = (
        select(
            (key if key is not None else literal("all")).label("key"),
            func.count(),
            func.sum(people.c.delivered),
            func.sum(case((people.c.delivered == 0, people.c.failed), else_=0)),
            func.sum(case((people.c.answer == Answer.SAFE.value, 1), else_=0)),
            func.sum(case((people.c.answer == Answer.NEED_HELP.value, 1), else_=0)),
            func.sum(case((people.c.answer.is_(None), 1), else_=0)),
        )
        .select_from(people)
        .order_by(func.count().desc())
    )
    if key is not None:
        query = query.group_by(key)
    return [
        BoardRow(
            key=str(row[0] if row[0] is not None else "—"),
            targeted=row[1] or 0,
            delivered=row[2] or 0,
            failed=row[3] or 0,
            safe=row[4] or 0,
            need_help=row[5] or 0,
            no_answer=row[6] or 0,
        )
        for row in session.execute(query)
    ]


def board(
    session: Session, *, crisis_id: uuid.UUID, actor: Actor, counts: Session | None = None
) -> Board:
    """Targeted, delivered, failed, safe, need help, no answer: in total, by post and place.

    The crisis and the caller's access are read (and audited) on ``session``; the counts may
    come from ``counts``, a lagging read session (a replica): seconds behind is fine there.
    """
    crisis = crisis_service.get(session, crisis_id=crisis_id, actor=actor)
    people = _per_person(crisis.id, access.audience_posts(actor)).subquery()
    reader = counts or session
    totals = _rows(reader, people, None)
    by_area = _rows(reader, people, people.c.place)
    return Board(
        crisis_id=crisis.id,
        totals=totals[0],
        by_representation=_rows(reader, people, people.c.post),
        by_area=by_area[:MAX_AREAS],
    )


@dataclass(frozen=True)
class EvacuationRow:
    full_name: str
    phone: str | None
    email: str | None
    country: str
    city: str
    address: str | None
    latitude: float | None
    longitude: float | None
    representation_code: str | None
    distance_km: float | None
    answer: str | None
    answered_at: datetime | None
    last_place: str | None
    last_note: str | None
    emergency_contact: str | None


def _contact(kind: ContactKind) -> ColumnElement[Any]:
    return (
        select(func.min(ContactPoint.value))
        .where(ContactPoint.person_id == Recipient.person_id, ContactPoint.kind == kind)
        .scalar_subquery()
    )


def _last_checkin(column: Any) -> ColumnElement[Any]:
    return (
        select(column)
        .where(CheckIn.crisis_id == Recipient.crisis_id, CheckIn.person_id == Recipient.person_id)
        .order_by(CheckIn.created_at.desc())
        .limit(1)
        .scalar_subquery()
    )


def evacuation_list(
    session: Session, *, crisis_id: uuid.UUID, actor: Actor, file_format: str
) -> Sequence[EvacuationRow]:
    """Who is where and how to reach them: need help first, then the silent, nearest first."""
    access.require_evacuation_list_reader(session, actor, action="crisis.evacuation_export")
    crisis = crisis_service.get(session, crisis_id=crisis_id, actor=actor)
    scope = access.audience_posts(actor)
    latest = select(func.max(Recipient.id)).where(Recipient.crisis_id == crisis.id)
    if scope is not None:
        latest = latest.where(Recipient.representation_code.in_(sorted(scope)))
    latest = latest.group_by(Recipient.person_id)
    urgency = case(
        (Recipient.answer == Answer.NEED_HELP.value, 0), (Recipient.answer.is_(None), 1), else_=2
    )
    query = (
        select(
            Person.full_name,
            _contact(ContactKind.PHONE),
            _contact(ContactKind.EMAIL),
            Stay.country,
            Stay.city,
            Stay.address,
            Stay.latitude,
            Stay.longitude,
            Recipient.representation_code,
            Recipient.distance_km,
            Recipient.answer,
            Recipient.answered_at,
            _last_checkin(CheckIn.place),
            _last_checkin(CheckIn.note),
            Person.emergency_contact_name,
            Person.emergency_contact_phone,  # encrypted: joined to the name once decrypted
        )
        .join(Person, Person.id == Recipient.person_id)
        .join(Stay, Stay.id == Recipient.stay_id)
        .where(Recipient.id.in_(latest))
        .order_by(urgency, Recipient.distance_km.asc(), Person.full_name)
    )
    rows = [_evacuation_row(row) for row in session.execute(query)]
    audit.record(
        session,
        actor=actor,
        action="crisis.evacuation_export",
        entity_type="crisis",
        entity_id=str(crisis.id),
        fields=["name", "contacts", "stay", "answer", "emergency_contact"],
        reason=f"{file_format}, {len(rows)} people, scope {_scope_text(scope)}",
    )
    return rows


def _evacuation_row(row: Any) -> EvacuationRow:
    """The row, with the emergency contact's name and phone (decrypted) joined in one field."""
    values = dict(zip(_EVACUATION_FIELDS, row, strict=False))
    name, phone = row[-2:]
    values["emergency_contact"] = None if name is None else f"{name} {phone or ''}"
    return EvacuationRow(**values)


_EVACUATION_FIELDS = [f.name for f in fields(EvacuationRow)][:-1]


def _scope_text(scope: frozenset[str] | None) -> str:
    return ",".join(sorted(scope)) if scope is not None else "all"
