"""A voice call keeps the caller's number until it is over, returned, and 90 days old, or
until the citizen's erasure."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.core.db import utcnow
from peduli.retention import purge_round
from peduli.voice.models import VoiceCall
from peduli.voice.retention import erase_people
from tests.voice.conftest import KOREAN_CALLER
from tests.web.officer_support import reported


def _call(db: Session, name: str, *, ended_days_ago: int | None, callback: str | None) -> None:
    now = utcnow()
    db.add(VoiceCall(
        platform_call_id=name, caller_number=KOREAN_CALLER, representation_code="kbri-seoul",
        state="ended" if ended_days_ago is not None else "menu", started_at=now,
        last_event_at=now, callback_state=callback,
        ended_at=now - timedelta(days=ended_days_ago) if ended_days_ago is not None else None,
    ))  # fmt: skip
    db.flush()


def test_only_old_calls_nobody_waits_for_lose_the_number(db: Session) -> None:
    _call(db, "old-returned", ended_days_ago=91, callback="reached")
    _call(db, "old-talked", ended_days_ago=91, callback=None)
    _call(db, "old-still-due", ended_days_ago=91, callback="due")
    _call(db, "old-not-reached", ended_days_ago=91, callback="not_reached")
    _call(db, "recent", ended_days_ago=89, callback="reached")
    _call(db, "open", ended_days_ago=None, callback=None)
    assert purge_round(db, now=utcnow())["voice_call_numbers"] == 2
    kept = dict(db.execute(select(VoiceCall.platform_call_id, VoiceCall.caller_number)).all())
    assert kept == {
        "old-returned": None, "old-talked": None, "old-still-due": KOREAN_CALLER,
        "old-not-reached": KOREAN_CALLER, "recent": KOREAN_CALLER, "open": KOREAN_CALLER,
    }  # fmt: skip


def test_an_erasure_takes_the_number_and_the_person_off_their_calls(db: Session) -> None:
    person_id = reported(db, phone=KOREAN_CALLER)
    _call(db, "theirs", ended_days_ago=1, callback="reached")
    _call(db, "someone-else", ended_days_ago=1, callback="reached")
    db.execute(
        update(VoiceCall).where(VoiceCall.platform_call_id == "theirs").values(person_id=person_id)
    )
    assert erase_people(db, [person_id], None) == 1
    rows = dict(db.execute(select(VoiceCall.platform_call_id, VoiceCall.caller_number)).all())
    assert rows == {"theirs": None, "someone-else": KOREAN_CALLER}
    assert db.scalars(select(VoiceCall.person_id)).all() == [None, None]
