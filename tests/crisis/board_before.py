"""The board as counted before issue 18: on every call, each recipient of the crisis joined
to their messages in the outbox. Kept to check that the counts from the recipients' own
delivery are the same, and for ``benchmarks.crisis_board`` to time against."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.orm import Session

from peduli.crisis import delivery
from peduli.crisis.models import Recipient
from peduli.crisis.repository import board_row, row_figures
from peduli.crisis.schemas import BoardRow
from peduli.notify import service as notify_service
from peduli.registry.models import Stay


def _per_person(crisis_id: uuid.UUID) -> Any:
    counted = Recipient.crisis_id == crisis_id
    outcomes = notify_service.delivery_counts(
        group=Recipient.person_id, idempotency_keys=delivery.message_keys(), where=counted
    )
    return (
        select(
            Recipient.person_id,
            func.max(Recipient.representation_code).label("post"),
            func.max(Stay.country + " · " + Stay.city).label("place"),
            func.max(Recipient.answer).label("answer"),
            func.max(case((outcomes.c.sent > 0, 1), else_=0)).label("delivered"),
            func.max(case((outcomes.c.dead > 0, 1), else_=0)).label("failed"),
        )
        .join(Stay, Stay.id == Recipient.stay_id)
        .outerjoin(outcomes, outcomes.c.group_key == Recipient.person_id)
        .where(counted)
        .group_by(Recipient.person_id)
        .subquery()
    )


def _rows(session: Session, people: Any, key: ColumnElement[Any] | None) -> list[BoardRow]:
    query = select(
        (key if key is not None else literal("all")).label("key"), *row_figures(people)
    ).select_from(people)
    if key is not None:
        query = query.group_by(key)
    rows = [board_row(row) for row in session.execute(query)]
    return sorted(rows, key=lambda row: (-row.targeted, row.key))


def board_before(session: Session, crisis_id: uuid.UUID) -> dict[str, list[BoardRow]]:
    """HQ's board of the crisis, counted the old way (three statements)."""
    people = _per_person(crisis_id)
    return {
        "totals": _rows(session, people, None),
        "by_representation": _rows(session, people, people.c.post),
        "by_area": _rows(session, people, people.c.place),
    }
