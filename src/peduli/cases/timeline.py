"""The append-only timeline of a case: one row per thing that happened, never changed."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
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
