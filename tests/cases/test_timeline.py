"""``cases.timeline``: the timeline's writers, one event and the same event on many cases."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import String, cast, literal, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.cases import timeline
from peduli.cases.models import Case, CaseEvent, EventKind, Visibility
from peduli.core.db import utcnow
from tests.cases.conftest import open_case


def _events(db: Session, case: Case, kind: EventKind) -> list[CaseEvent]:
    return list(
        db.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id, CaseEvent.kind == kind.value)
            .order_by(CaseEvent.seq)
        )
    )


def test_add_event_appends_one_event_by_the_actor(db: Session, officer: Actor) -> None:
    case = open_case(db, officer)

    timeline.add_event(db, case, kind=EventKind.NOTE, actor=officer, text="Called the employer.")
    db.commit()

    [event] = _events(db, case, EventKind.NOTE)
    assert (event.text, event.actor_display) == ("Called the employer.", officer.display)
    assert event.visibility == Visibility.INTERNAL


def test_write_event_appends_one_event_without_the_unit_of_work(
    db: Session, officer: Actor
) -> None:
    case = open_case(db, officer)

    timeline.write_event(
        db, case.id, kind=EventKind.NOTE, actor=None, visibility=Visibility.SHARED, data={"a": 1}
    )
    db.commit()

    [event] = _events(db, case, EventKind.NOTE)
    assert (event.actor_display, event.visibility, json.loads(event.data)) == (
        "system",
        Visibility.SHARED,
        {"a": 1},
    )


def test_add_event_to_each_appends_one_system_event_per_selected_case(
    db: Session, officer: Actor
) -> None:
    chosen = [open_case(db, officer), open_case(db, officer)]
    other = open_case(db, officer)
    now = utcnow()

    timeline.add_event_to_each(
        db,
        select(Case.id).where(Case.id.in_([case.id for case in chosen])),
        kind=EventKind.ESCALATED,
        at=now,
        data={"to": "supervisor"},
    )
    db.commit()

    for case in chosen:
        [event] = _events(db, case, EventKind.ESCALATED)
        assert event.actor_display == "system" and event.actor_account_id is None
        assert (event.at, event.visibility, event.text) == (now, Visibility.INTERNAL, None)
        assert json.loads(event.data) == {"to": "supervisor"}
    assert _events(db, other, EventKind.ESCALATED) == []


def test_add_event_to_each_takes_data_computed_per_case(db: Session, officer: Actor) -> None:
    case = open_case(db, officer)

    timeline.add_event_to_each(
        db,
        select(Case.id).where(Case.id == case.id),
        kind=EventKind.ESCALATED,
        at=utcnow(),
        text="Escalated.",
        visibility=Visibility.SHARED,
        data=literal('{"reference": "') + cast(Case.reference, String) + '"}',
    )
    db.commit()

    [event] = _events(db, case, EventKind.ESCALATED)
    assert json.loads(event.data) == {"reference": case.reference}
    assert (event.text, event.visibility) == ("Escalated.", Visibility.SHARED)


def test_add_event_to_each_refuses_a_select_of_more_than_the_case_ids(
    db: Session, officer: Actor
) -> None:
    with pytest.raises(ValueError, match="case ids"):
        timeline.add_event_to_each(
            db,
            select(Case.id, Case.reference),  # type: ignore[arg-type]
            kind=EventKind.ESCALATED,
            at=utcnow(),
        )
