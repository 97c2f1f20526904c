"""Working days in a post's calendar: weekends and both countries' holidays never count,
and the deadline lands on a working day exactly N working days later."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from peduli.services.calendar import calendar_of, posts_without_host_holidays

SEOUL = calendar_of("kbri-seoul")
DAYS = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 11, 30))
CALENDARS = st.sampled_from(
    [
        SEOUL,
        calendar_of("kbri-kuala-lumpur"),
        calendar_of("kjri-hong-kong"),
        calendar_of("kbri-riyadh"),
    ]
)


@given(CALENDARS, DAYS, st.integers(min_value=1, max_value=30))
def test_the_deadline_is_a_working_day_exactly_n_working_days_on(calendar, start, days) -> None:
    due = calendar.add_working_days(start, days)
    assert calendar.is_working_day(due)
    assert calendar.working_days_between(start, due) == days
    assert calendar.working_days_between(start, due - timedelta(days=1)) == days - 1


@given(CALENDARS, DAYS, st.integers(min_value=1, max_value=20))
def test_one_more_working_day_never_ends_earlier(calendar, start, days) -> None:
    assert calendar.add_working_days(start, days + 1) > calendar.add_working_days(start, days)


@given(CALENDARS, DAYS, st.integers(min_value=0, max_value=20))
def test_no_holiday_or_weekend_is_counted(calendar, start, days) -> None:
    due = calendar.add_working_days(start, days)
    counted = [
        start + timedelta(days=n)
        for n in range(1, (due - start).days + 1)
        if calendar.is_working_day(start + timedelta(days=n))
    ]
    assert all(d not in calendar.holidays and d.weekday() not in calendar.weekend for d in counted)


def test_seoul_closes_for_seollal_and_for_indonesian_holidays() -> None:
    # Friday 13 February 2026 + 3 working days: Seollal (16-18 Feb, Korea) and Imlek (17 Feb,
    # Indonesia) close the post, so the third working day is Monday 23 February.
    assert SEOUL.add_working_days(date(2026, 2, 13), 3) == date(2026, 2, 23)
    # Kuala Lumpur works on Seollal but not on Chinese New Year (17-18 Feb).
    assert calendar_of("kbri-kuala-lumpur").add_working_days(date(2026, 2, 13), 3) == date(
        2026, 2, 20
    )


def test_the_deadline_is_midnight_at_the_post() -> None:
    submitted = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # Monday 11:00 in Seoul
    due = SEOUL.due_at(submitted, 3)
    assert due == datetime(2026, 12, 10, 15, 0, tzinfo=UTC)  # Thursday 24:00 in Seoul


def test_riyadh_keeps_a_friday_saturday_weekend_and_lacks_a_holiday_table() -> None:
    riyadh = calendar_of("kbri-riyadh")
    assert riyadh.weekend == frozenset({4, 5})
    assert "kbri-riyadh" in posts_without_host_holidays()
    assert "kbri-seoul" not in posts_without_host_holidays()
