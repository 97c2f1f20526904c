"""The append-only timeline of a case: one row per thing that happened, never changed.

The timeline's only writers: ``add_event`` (one event, through the unit of work),
``write_event`` (one event, one prebuilt INSERT, for hot paths) and ``add_event_to_each``
(the same event on many cases, one ``INSERT … SELECT``). Other domains append through them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, func, insert, literal, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.cases.models import Case, CaseEvent, EventKind, Visibility
from peduli.core.db import utcnow


def _event_row(
    case_id: uuid.UUID,
    *,
    kind: EventKind,
    actor: Actor | None,
    text: str | None,
    visibility: Visibility,
    data: dict[str, Any] | None,
    at: datetime | None,
) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "at": at or utcnow(),
        "kind": kind,
        "visibility": visibility,
        "actor_account_id": actor.account_id if actor else None,
        "actor_display": actor.display if actor else "system",
        "text": text,
        "data": json.dumps(data or {}, sort_keys=True, default=str),
    }


def add_event(
    session: Session,
    case: Case,
    *,
    kind: EventKind,
    actor: Actor | None,
    text: str | None = None,
    visibility: Visibility = Visibility.INTERNAL,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """Append one event to ``case``'s timeline in the caller's transaction."""
    event = CaseEvent(
        **_event_row(
            case.id, kind=kind, actor=actor, text=text, visibility=visibility, data=data, at=at
        )
    )
    session.add(event)
    return event


_INSERT_EVENT = insert(CaseEvent)


def write_event(
    session: Session,
    case_id: uuid.UUID,
    *,
    kind: EventKind,
    actor: Actor | None,
    text: str | None = None,
    visibility: Visibility = Visibility.INTERNAL,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Insert one event now, without the unit of work, for a case already flushed.

    For hot paths (opening a case on a call for help): one prebuilt INSERT, no ORM object.
    """
    row = _event_row(
        case_id, kind=kind, actor=actor, text=text, visibility=visibility, data=data, at=at
    )
    session.connection().execute(_INSERT_EVENT, row)


def add_event_to_each(
    session: Session,
    case_ids: Select[uuid.UUID],
    *,
    kind: EventKind,
    at: datetime,
    text: str | None = None,
    visibility: Visibility = Visibility.INTERNAL,
    data: dict[str, Any] | ColumnElement[str] | None = None,
) -> None:
    """Append one system event to the timeline of every case ``case_ids`` selects, in one
    ``INSERT … SELECT`` in the caller's transaction (never one statement per case).

    ``data`` is a dict like ``add_event``'s, or JSON text computed in SQL over the rows of
    ``case_ids`` (a level, a count), when it differs from case to case.
    """
    if len(case_ids.selected_columns) != 1:
        raise ValueError("select the case ids only")
    events = CaseEvent.__table__
    assert isinstance(events, Table)
    if not isinstance(data, ColumnElement):
        data = literal(json.dumps(data or {}, sort_keys=True, default=str))
    rows = case_ids.add_columns(
        literal(at, type_=events.c.at.type),
        literal(kind.value),
        literal(visibility.value),
        literal("system"),
        literal(text, type_=events.c.text.type),
        data,
    )
    columns = ["case_id", "at", "kind", "visibility", "actor_display", "text", "data"]
    session.execute(insert(events).from_select(columns, rows))


def events_of(
    session: Session,
    case_id: uuid.UUID,
    *,
    shared_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, Sequence[CaseEvent]]:
    """A case's events in order, with their total (only shared ones for the citizen)."""
    condition = CaseEvent.case_id == case_id
    if shared_only:
        condition = condition & (CaseEvent.visibility == Visibility.SHARED)
    total = session.scalar(select(func.count()).select_from(CaseEvent).where(condition)) or 0
    rows = session.scalars(
        select(CaseEvent).where(condition).order_by(CaseEvent.seq).limit(limit).offset(offset)
    ).all()
    return total, rows
