"""A check-in's write: the check-in row, the answer on the person's broadcasts and the
``checkin.recorded`` event, in as few statements as each database allows.

Thousands answer at once in a crisis, and on SQLite every answer takes the one writer's
turn, so the write is plain SQL built once: one statement on PostgreSQL; on SQLite three
statements compiled once and run on the driver's cursor (``core.prepared``), whose
SQLAlchemy execution cost more than the statements themselves.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from peduli.core import events
from peduli.core.db import is_postgres
from peduli.core.prepared import Prepared
from peduli.crisis.models import CheckIn, Recipient

# On PostgreSQL the answer on every broadcast of the crisis to the person, the check-in row
# and its ``checkin.recorded`` event (as ``_event``) are one round trip, whichever the answer.
_ANSWER_SQL = text(
    """
    WITH target AS (
        SELECT id, crisis_id, person_id, representation_code
        FROM crisis_recipient WHERE id = :recipient_id
    ), answered AS (
        UPDATE crisis_recipient r SET answer = :answer, answered_at = :created_at
        FROM target t WHERE r.crisis_id = t.crisis_id AND r.person_id = t.person_id
        RETURNING r.id
    ), published AS (
        INSERT INTO domain_event (public_id, event_type, subject_id, representation_code,
                                  data, occurred_at)
        SELECT :event_id, 'checkin.recorded', t.crisis_id::text, t.representation_code,
               jsonb_build_object('answer', CAST(:answer AS text), 'via', CAST(:via AS text),
               'crisis_id', t.crisis_id::text, 'representation_code', t.representation_code
               )::text, :created_at FROM target t
    )
    INSERT INTO crisis_checkin (id, recipient_id, crisis_id, person_id, representation_code,
                                answer, latitude, longitude, place, note, via, created_at,
                                case_id, help_raised_at)
    SELECT :id, t.id, t.crisis_id, t.person_id, t.representation_code, :answer,
           :latitude, :longitude, :place, :note, :via, :created_at, :case_id, :help_raised_at
    FROM target t
    RETURNING crisis_id, person_id, representation_code
    """
)
_CHECKIN_VALUES = (
    "id", "recipient_id", "answer", "latitude", "longitude", "place", "note", "via",
    "created_at", "case_id", "help_raised_at",
)  # fmt: skip
# SQLite has no data-modifying WITH: the check-in row copies the recipient's crisis, person
# and post in one INSERT … SELECT … RETURNING, then one UPDATE answers their broadcasts.
_GIVEN = tuple(name for name in _CHECKIN_VALUES if name != "recipient_id")
_ADD_CHECKIN_OF_RECIPIENT = (
    insert(CheckIn)
    .from_select(
        [*_GIVEN, "recipient_id", "crisis_id", "person_id", "representation_code"],
        select(
            *(bindparam(name, type_=CheckIn.__table__.c[name].type) for name in _GIVEN),
            Recipient.id,
            Recipient.crisis_id,
            Recipient.person_id,
            Recipient.representation_code,
        ).where(Recipient.id == bindparam("recipient_id")),
    )
    .returning(CheckIn.crisis_id, CheckIn.person_id, CheckIn.representation_code)
)
_ANSWER_BROADCASTS = (
    update(Recipient)
    .where(
        Recipient.crisis_id == bindparam("of_crisis"),
        Recipient.person_id == bindparam("of_person"),
    )
    .values(answer=bindparam("answer"), answered_at=bindparam("answered_at"))
)

_ADD_PREPARED = Prepared(_ADD_CHECKIN_OF_RECIPIENT)
_ANSWER_PREPARED = Prepared(_ANSWER_BROADCASTS)
_EVENT_COLUMNS = events.DomainEvent.__table__.c
_EVENT_NAMES = (
    "public_id",
    "event_type",
    "subject_id",
    "representation_code",
    "data",
    "occurred_at",
)
_EVENT_PREPARED = Prepared(
    insert(events.DomainEvent).values(
        {name: bindparam(name, type_=_EVENT_COLUMNS[name].type) for name in _EVENT_NAMES}
    )
)


@dataclass(slots=True)
class RecordedCheckIn:
    """A check-in as written, for its callers to read back (the API's answer, an SMS reply,
    an officer's attempt): a plain object, as building an ORM instance was a tenth of an
    answer's time on SQLite."""

    id: uuid.UUID
    recipient_id: int
    answer: str
    latitude: float | None
    longitude: float | None
    place: str | None
    note: str | None
    via: str
    created_at: datetime
    case_id: uuid.UUID | None = None
    help_raised_at: datetime | None = None
    crisis_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    representation_code: str | None = None


class Answered(NamedTuple):
    """Whom the answer was about: copied from the recipient row into the check-in."""

    crisis_id: uuid.UUID
    person_id: uuid.UUID
    representation_code: str | None


def write(session: Session, checkin: RecordedCheckIn) -> Answered | None:
    """Write ``checkin`` for its recipient; None when the recipient does not exist."""
    values = {name: getattr(checkin, name) for name in _CHECKIN_VALUES}
    if is_postgres(session):
        values["event_id"] = events.public_id()
        row = session.connection().execute(_ANSWER_SQL, values).first()
        return None if row is None else Answered(*row)
    rows = _ADD_PREPARED.run(session, values)
    if not rows:
        return None
    crisis_id, person_id, post = rows[0]
    # As the driver returns them: the UUIDs as SQLite stores them (32 hex digits).
    target = Answered(uuid.UUID(crisis_id), uuid.UUID(person_id), post)
    _ANSWER_PREPARED.run(
        session,
        {"of_crisis": target.crisis_id, "of_person": target.person_id,
         "answer": checkin.answer, "answered_at": checkin.created_at},
    )  # fmt: skip
    _EVENT_PREPARED.run(session, _event(checkin, target))
    return target


def _event(checkin: RecordedCheckIn, target: Answered) -> dict[str, Any]:
    """For subscribers: the crisis, the post, the answer and its door; never the person."""
    post, crisis_id = target.representation_code, str(target.crisis_id)
    data = {"answer": checkin.answer, "via": checkin.via, "representation_code": post,
            "crisis_id": crisis_id}  # fmt: skip
    return events.row(event_type=events.EventType.CHECKIN_RECORDED, subject_id=crisis_id,
                      representation_code=post, data=data, at=checkin.created_at)  # fmt: skip
