"""What the crisis pages and API read: the board (who was reached, who answered) and the
evacuation list, per post.

Counts are per person: their first recipient row in the crisis (``Recipient.counted``)
carries their place, how their messages fared (``crisis.delivery_state``) and their latest
answer, so the board reads one row per person and nothing else.
Post-bound staff see their own post's people; HQ sees all. Every evacuation list export is
audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    func,
    literal,
    null,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core.db import is_postgres
from peduli.crisis import access
from peduli.crisis import service as crisis_service
from peduli.crisis.models import Answer, CheckIn, Delivery, Recipient
from peduli.crisis.schemas import Board, BoardRow
from peduli.registry.models import ContactKind, ContactPoint, Person, Stay

MAX_AREAS = 30


def _counted(crisis_id: uuid.UUID, scope: frozenset[str] | None) -> ColumnElement[bool]:
    """One row per person (several broadcasts to a person count once): their first in the
    crisis, which carries their place, their delivery and (an answer is written to every row
    the person has) their latest answer."""
    counted = (Recipient.crisis_id == crisis_id) & Recipient.counted.is_(True)
    if scope is not None:
        counted = counted & Recipient.representation_code.in_(sorted(scope))
    return counted


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


# The levels of the board's rows: as GROUPING(post, place) numbers them on PostgreSQL.
BY_POST, BY_PLACE, TOTAL = 1, 2, 3


def _counts(session: Session, counted: ColumnElement[bool]) -> Select[Any]:
    """The board's three tables in one statement over the counted rows: the total, by post
    and by place, each row with its level, post and place.

    On PostgreSQL one GROUP BY GROUPING SETS, one pass over the rows; SQLite has none, so
    there a UNION ALL of the three GROUP BYs (its boards are small).
    """
    people = (
        select(
            Recipient.representation_code.label("post"),
            Recipient.place,
            Recipient.answer,
            case((Recipient.delivery == Delivery.SENT.value, 1), else_=0).label("delivered"),
            case((Recipient.delivery == Delivery.DEAD.value, 1), else_=0).label("failed"),
        )
        .where(counted)
        .subquery("people")
    )
    figures = row_figures(people)
    post, place = people.c.post, people.c.place
    if is_postgres(session):
        return select(func.grouping(post, place), post, place, *figures).group_by(
            func.grouping_sets(tuple_(), post, place)
        )
    levels = (
        select(literal(TOTAL), null().label("post"), null().label("place"), *figures),
        select(literal(BY_POST), post, null(), *figures).group_by(post),
        select(literal(BY_PLACE), null(), place, *figures).group_by(place),
    )
    return select(union_all(*levels).subquery())


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
    reader = counts or session
    query = _counts(reader, _counted(crisis.id, access.audience_posts(actor)))
    levels: dict[int, list[BoardRow]] = {TOTAL: [], BY_POST: [], BY_PLACE: []}
    for level, post, place, *figures in reader.execute(query):
        key = {TOTAL: "all", BY_POST: post, BY_PLACE: place}[level]
        levels[level].append(board_row((key, *figures)))
    by_area = sorted(levels[BY_PLACE], key=_largest_first)
    return Board(
        crisis_id=crisis.id,
        totals=levels[TOTAL][0],
        by_representation=sorted(levels[BY_POST], key=_largest_first),
        by_area=by_area[:MAX_AREAS],
    )


def _largest_first(row: BoardRow) -> tuple[int, str]:
    return (-row.targeted, row.key)


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
