"""Who is on duty: shifts in the post's local time, right across midnight, zones and DST."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.core.errors import NotFound, ValidationFailed
from peduli.emergency import roster
from tests.emergency.conftest import HQ, SEOUL, shift, staff_actor


def _names(db: Session, code: str, at: datetime) -> list[str]:
    return [d.display_name for d in roster.on_duty(db, representation_code=code, now=at)]


def test_a_night_shift_crossing_midnight_in_seoul(db: Session) -> None:
    night = staff_actor(db, Role.OFFICER, SEOUL, "night")
    # 22:00-06:00 Seoul time (UTC+9): 13:00-21:00 UTC.
    shift(db, night, datetime(2026, 11, 24, 22), datetime(2026, 11, 25, 6))
    assert _names(db, SEOUL, datetime(2026, 11, 24, 12, 59, tzinfo=UTC)) == []
    assert _names(db, SEOUL, datetime(2026, 11, 24, 13, 0, tzinfo=UTC)) == ["night"]
    assert _names(db, SEOUL, datetime(2026, 11, 24, 15, 30, tzinfo=UTC)) == ["night"]  # 00:30
    assert _names(db, SEOUL, datetime(2026, 11, 24, 20, 59, tzinfo=UTC)) == ["night"]
    assert _names(db, SEOUL, datetime(2026, 11, 24, 21, 0, tzinfo=UTC)) == []


def test_the_same_wall_clock_shift_is_a_different_instant_in_another_zone(db: Session) -> None:
    seoul = staff_actor(db, Role.OFFICER, SEOUL, "seoul")
    new_york = staff_actor(db, Role.OFFICER, "kjri-new-york", "new-york")
    for officer in (seoul, new_york):
        shift(db, officer, datetime(2026, 7, 1, 9), datetime(2026, 7, 1, 17))
    # 09:00 in Seoul is 00:00 UTC; 09:00 in New York (EDT, UTC-4) is 13:00 UTC.
    at = datetime(2026, 7, 1, 1, tzinfo=UTC)
    assert (_names(db, SEOUL, at), _names(db, "kjri-new-york", at)) == (["seoul"], [])
    at = datetime(2026, 7, 1, 14, tzinfo=UTC)
    assert (_names(db, SEOUL, at), _names(db, "kjri-new-york", at)) == ([], ["new-york"])


def test_a_night_shift_over_the_dst_change_lasts_its_real_length(db: Session) -> None:
    officer = staff_actor(db, Role.OFFICER, "kbri-berlin", "berlin")
    # Berlin leaves summer time on 2026-10-25 at 03:00 CEST → 02:00 CET: the night is 9 hours.
    made = shift(db, officer, datetime(2026, 10, 24, 22), datetime(2026, 10, 25, 6))
    assert made.starts_at == datetime(2026, 10, 24, 20, tzinfo=UTC)  # 22:00 CEST
    assert made.ends_at == datetime(2026, 10, 25, 5, tzinfo=UTC)  # 06:00 CET
    assert _names(db, "kbri-berlin", datetime(2026, 10, 25, 4, 30, tzinfo=UTC)) == ["berlin"]
    assert _names(db, "kbri-berlin", datetime(2026, 10, 25, 5, tzinfo=UTC)) == []


def test_a_shift_over_the_spring_change_in_sydney(db: Session) -> None:
    officer = staff_actor(db, Role.OFFICER, "kjri-sydney", "sydney")
    # Sydney starts summer time on 2026-10-04 at 02:00 AEST → 03:00 AEDT: the night is 7 hours.
    made = shift(db, officer, datetime(2026, 10, 3, 23), datetime(2026, 10, 4, 7))
    assert (made.ends_at - made.starts_at).total_seconds() == 7 * 3600


def test_primary_first_then_backups(db: Session) -> None:
    backup = staff_actor(db, Role.OFFICER, SEOUL, "backup")
    primary = staff_actor(db, Role.OFFICER, SEOUL, "primary")
    shift(db, backup, datetime(2026, 11, 24, 8), datetime(2026, 11, 24, 20), rank=1)
    shift(db, primary, datetime(2026, 11, 24, 8), datetime(2026, 11, 24, 20), rank=0)
    assert _names(db, SEOUL, datetime(2026, 11, 24, 3, tzinfo=UTC)) == ["primary", "backup"]


def test_a_shift_with_an_offset_is_converted_to_local_time(db: Session) -> None:
    officer = staff_actor(db, Role.OFFICER, SEOUL, "officer")
    made = shift(
        db, officer, datetime(2026, 11, 24, 0, tzinfo=UTC), datetime(2026, 11, 24, 8, tzinfo=UTC)
    )
    assert made.starts_local == datetime(2026, 11, 24, 9)


def test_bad_shifts_are_refused_field_by_field(db: Session) -> None:
    officer = staff_actor(db, Role.OFFICER, SEOUL, "officer")
    stranger = staff_actor(db, Role.OFFICER, "kbri-berlin", "stranger")
    with pytest.raises(ValidationFailed) as failure:
        roster.add_shift(
            db,
            representation_code=SEOUL,
            data=roster.ShiftInput(
                account_id=stranger.account_id,
                starts_local=datetime(2026, 11, 24, 22),
                ends_local=datetime(2026, 11, 24, 6),
                rank=12,
            ),
            actor=HQ,
        )
    assert {p.field for p in failure.value.problems} == {"account_id", "ends_local", "rank"}
    assert officer


def test_officers_read_their_roster_but_only_supervisors_edit_it(db: Session) -> None:
    officer = staff_actor(db, Role.OFFICER, SEOUL, "officer")
    supervisor = staff_actor(db, Role.SUPERVISOR, SEOUL, "supervisor")
    other = staff_actor(db, Role.SUPERVISOR, "kbri-berlin", "other")
    data = roster.ShiftInput(officer.account_id, datetime(2026, 1, 1, 8), datetime(2026, 1, 1, 16))
    roster.add_shift(db, representation_code=SEOUL, data=data, actor=supervisor)
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    assert len(roster.list_shifts(db, representation_code=SEOUL, actor=officer, start=start,
                                  end=end)) == 1  # fmt: skip
    from peduli.core.errors import Forbidden

    with pytest.raises(Forbidden):
        roster.add_shift(db, representation_code=SEOUL, data=data, actor=officer)
    with pytest.raises(NotFound):
        roster.add_shift(db, representation_code=SEOUL, data=data, actor=other)
