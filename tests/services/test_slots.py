"""Slots: opening hours in the post's time zone, its weekend and holidays, blackout days,
daily release windows, and a capacity no number of concurrent bookings can pass."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.core.db import session_scope
from peduli.core.errors import Conflict, NotFound
from peduli.services import schedules, slots
from peduli.services.models import AppointmentSlot
from tests.cases.conftest import staff_actor
from tests.services.appointment_helpers import MONDAY_9AM, RENEWAL, plan_seoul
from tests.services.conftest import SEOUL

SEOUL_TZ = ZoneInfo("Asia/Seoul")


def _offered(db: Session, first: date, last: date, now: datetime = MONDAY_9AM) -> list[slots.Slot]:
    return slots.offered(db, post=SEOUL, service=RENEWAL, first=first, last=last, now=now)


def test_slots_follow_opening_hours_in_the_posts_time_zone(loaded: Session) -> None:
    plan_seoul(loaded)
    found = _offered(loaded, date(2026, 12, 8), date(2026, 12, 8))
    assert [s.local_start.strftime("%H:%M") for s in found] == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
    ]
    assert found[0].starts_at.isoformat() == "2026-12-08T00:00:00+00:00"  # 09:00 KST
    assert all(s.free == 4 for s in found)


def test_weekends_holidays_and_blackouts_have_no_slots(loaded: Session) -> None:
    supervisor = plan_seoul(loaded)
    schedules.add_blackout(
        loaded, post=SEOUL, day=date(2026, 12, 9), reason="Staff training", actor=supervisor
    )
    loaded.commit()
    days = {s.local_start.date() for s in _offered(loaded, date(2026, 12, 7), date(2026, 12, 31))}
    assert date(2026, 12, 9) not in days  # blackout
    assert date(2026, 12, 25) not in days  # Christmas, a Korean public holiday
    assert date(2026, 12, 12) not in days and date(2026, 12, 13) not in days  # weekend
    assert date(2026, 12, 8) in days and date(2026, 12, 10) in days


def test_slots_are_released_in_daily_windows(loaded: Session) -> None:
    plan_seoul(loaded, release_days=7)
    before_eight = MONDAY_9AM - timedelta(hours=2)  # 07:00 in Seoul
    last_before = max(
        s.local_start.date()
        for s in _offered(loaded, date(2026, 12, 7), date(2027, 1, 31), before_eight)
    )
    last_after = max(
        s.local_start.date() for s in _offered(loaded, date(2026, 12, 7), date(2027, 1, 31))
    )
    assert last_before == date(2026, 12, 11)  # +6 days (Sunday 13th is closed anyway)
    assert last_after == date(2026, 12, 14)  # +7 days, opened at 08:00


def test_past_slots_of_today_are_not_offered(loaded: Session) -> None:
    plan_seoul(loaded)
    now = MONDAY_9AM + timedelta(hours=1, minutes=10)  # 10:10 in Seoul
    today = [
        s.local_start.strftime("%H:%M")
        for s in _offered(loaded, date(2026, 12, 7), date(2026, 12, 7), now)
    ]
    assert today == ["10:30", "11:00", "11:30"]


def test_a_post_without_a_schedule_offers_nothing(loaded: Session) -> None:
    assert (
        slots.offered(
            loaded,
            post="kbri-kuala-lumpur",
            service=RENEWAL,
            first=date(2026, 12, 7),
            last=date(2026, 12, 31),
            now=MONDAY_9AM,
        )
        == []
    )


def test_capacity_holds_under_concurrent_bookings(loaded: Session, clean_engine: Engine) -> None:
    plan_seoul(loaded, capacity=5)
    slot = _offered(loaded, date(2026, 12, 8), date(2026, 12, 8))[0]
    loaded.rollback()

    def take(places: int) -> bool:
        try:
            with session_scope() as session:
                slots.take(session, post=SEOUL, service=RENEWAL, slot=slot, places=places)
            return True
        except Conflict:
            return False

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(take, [1, 2] * 20))
    taken = sum(places for places, ok in zip([1, 2] * 20, results, strict=True) if ok)
    booked = loaded.scalar(select(AppointmentSlot.booked))
    assert taken == booked and 4 <= booked <= 5
    with pytest.raises(Conflict):
        slots.take(loaded, post=SEOUL, service=RENEWAL, slot=slot, places=1 + 5 - booked)


def test_an_unknown_service_cannot_be_planned(loaded: Session) -> None:
    supervisor = plan_seoul(loaded)
    plan = schedules.Plan(time(9), time(12), 30, 2)
    with pytest.raises(NotFound):
        schedules.set_schedule(
            loaded,
            post=SEOUL,
            service="no-such-service",
            actor=supervisor,
            now=MONDAY_9AM,
            plan=plan,
        )


def test_an_officer_of_another_post_cannot_plan_seoul(loaded: Session) -> None:
    plan_seoul(loaded)
    other = staff_actor(loaded, Role.SUPERVISOR, "kbri-kuala-lumpur", "supervisor-kl")
    with pytest.raises(NotFound):
        schedules.set_schedule(
            loaded,
            post=SEOUL,
            service=RENEWAL,
            actor=other,
            now=MONDAY_9AM,
            plan=schedules.Plan(time(9), time(12), 30, 2),
        )
