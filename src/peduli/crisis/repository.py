"""What the crisis pages and API read: the board (who was reached, who answered) and the
evacuation list, per post.

Counts are per person: every broadcast of a crisis to a person carries their latest answer,
and each recipient row how its messages fared (``crisis.delivery_state``).
Post-bound staff see their own post's people; HQ sees all. Every evacuation list export is
audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import CTE, ColumnElement, Select, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.crisis import access
from peduli.crisis import service as crisis_service
from peduli.crisis.models import Answer, CheckIn, Delivery, Recipient
from peduli.crisis.schemas import Board, BoardRow
from peduli.registry.models import ContactKind, ContactPoint, Person, Stay

MAX_AREAS = 30


def _per_person(crisis_id: uuid.UUID, scope: frozenset[str] | None) -> CTE:
    """One row per person (several broadcasts to a person count once): their post, place,
    latest answer (kept on every one of their rows), whether any message reached them and
    whether, none having, the outbox gave up on one; all from their recipient rows alone."""
    counted = Recipient.crisis_id == crisis_id
    if scope is not None:
        counted = counted & Recipient.representation_code.in_(sorted(scope))
    return (
        select(
            func.max(Recipient.representation_code).label("post"),
            func.max(Recipient.place).label("place"),
            func.max(Recipient.answer).label("answer"),
            func.max(case((Recipient.delivery == Delivery.SENT.value, 1), else_=0)).label(
                "delivered"
            ),
            func.max(case((Recipient.delivery == Delivery.DEAD.value, 1), else_=0)).label("failed"),
        )
        .where(counted)
        .group_by(Recipient.person_id)
        .cte("people")
    )


def row_figures(people: Any) -> tuple[ColumnElement[Any], ...]:
    """``BoardRow``'s figures over ``people`` (a row per person: ``delivered`` and ``failed``
    as 0 or 1, and ``answer``): failed counts only those nothing reached."""
    return (
        func.count(),
        func.sum(people.c.delivered),
        func.sum(case((people.c.delivered == 0, people.c.failed), else_=0)),
        func.sum(case((people.c.answer == Answer.SAFE.value, 1), else_=0)),
        func.sum(case((people.c.answer == Answer.NEED_HELP.value, 1), else_=0)),
        func.sum(case((people.c.answer.is_(None), 1), else_=0)),
    )


def _counts(people: CTE) -> Select[Any]:
    """The board's three tables in one statement: the total, by post and by place.

    A UNION ALL of three GROUP BYs over the people, which both databases read once (a CTE
    named three times is computed once); GROUPING SETS would say the same, but SQLite has
    none, and one statement for both keeps one code path.
    """
    figures = row_figures(people)
    tables = [select(literal(0).label("level"), literal("all").label("key"), *figures)]
    for level, key in enumerate((people.c.post, people.c.place), start=1):
        tables.append(select(literal(level), key, *figures).group_by(key))
    union = union_all(*tables).subquery()
    return select(union).order_by(union.c.level, union.c[2].desc(), union.c.key)


def board_row(row: Sequence[Any]) -> BoardRow:
    """A board row from its key and its figures, in ``BoardRow``'s order (a SUM of no
    rows is NULL: zero)."""
    key, *figures = row
    names = list(BoardRow.model_fields)[1:]
    values = {name: figure or 0 for name, figure in zip(names, figures, strict=True)}
    return BoardRow(key=str(key if key is not None else "—"), **values)


def board(
    session: Session, *, crisis_id: uuid.UUID, actor: Actor, counts: Session | None = None
) -> Board:
    """Targeted, delivered, failed, safe, need help, no answer: in total, by post and place.

    The crisis and the caller's access are read (and audited) on ``session``; the counts may
    come from ``counts``, a lagging read session (a replica): seconds behind is fine there,
    as the delivery on the recipient rows is (``crisis.delivery_state``).
    """
    crisis = crisis_service.get(session, crisis_id=crisis_id, actor=actor)
    query = _counts(_per_person(crisis.id, access.audience_posts(actor)))
    levels: tuple[list[BoardRow], list[BoardRow], list[BoardRow]] = ([], [], [])
    for row in (counts or session).execute(query):
        levels[row[0]].append(board_row(row[1:]))
    totals, by_post, by_area = levels
    return Board(
        crisis_id=crisis.id,
        totals=totals[0],
        by_representation=by_post,
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
