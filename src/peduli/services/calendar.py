"""Working days in a post's own calendar: its weekend, Indonesia's national holidays and the
host country's public holidays (``data/calendars.json``), in the post's time zone.

A post closes on both: an embassy keeps Indonesia's holidays and the host country's. A post
whose host country has no holiday table counts Indonesia's holidays and its weekend only
(``posts_without_host_holidays`` lists them, for HQ to fill in).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from peduli.reference.places import directory, representation_by_code

HOME = "ID"


@dataclass(frozen=True)
class PostCalendar:
    """Which days a post works, and its time zone."""

    weekend: frozenset[int]  # Monday = 0
    holidays: frozenset[date]
    timezone: ZoneInfo

    def is_working_day(self, day: date) -> bool:
        """Neither the post's weekend nor one of its holidays."""
        return day.weekday() not in self.weekend and day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The day on which ``days`` working days after ``start`` have passed (``start`` itself
        never counts: an application made today is worked from the next working day)."""
        day, left = start, days
        while left > 0 or not self.is_working_day(day):
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie after ``start`` up to and including ``end``."""
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if self.is_working_day(start + timedelta(days=offset))
        )

    def due_at(self, submitted_at: datetime, days: int) -> datetime:
        """The end (midnight, post time) of the last working day of an SLA, in UTC."""
        local = submitted_at.astimezone(self.timezone).date()
        last = self.add_working_days(local, days)
        end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=self.timezone)
        return end.astimezone(UTC)


@cache
def _data() -> dict[str, object]:
    source = resources.files("peduli.services.data").joinpath("calendars.json")
    return dict(json.loads(source.read_text(encoding="utf-8")))


def _holidays(country: str) -> frozenset[date]:
    table = _data()["holidays"]
    assert isinstance(table, dict)
    return frozenset(date.fromisoformat(day) for day in table.get(country, ()))


def has_host_holidays(country: str) -> bool:
    """Whether a holiday table is shipped for ``country``."""
    table = _data()["holidays"]
    assert isinstance(table, dict)
    return country in table


def posts_without_host_holidays() -> list[str]:
    """The posts whose host country has no holiday table yet (HQ's to-do list)."""
    return sorted(p.code for p in directory().all() if not has_host_holidays(p.country))


@cache
def calendar_of_country(country: str, timezone: str) -> PostCalendar:
    """The calendar of a post in ``country`` (Indonesia's holidays and the host's)."""
    weekends = _data()["weekends"]
    assert isinstance(weekends, dict)
    weekend = frozenset(weekends.get(country) or weekends["default"])
    return PostCalendar(
        weekend=weekend,
        holidays=_holidays(HOME) | _holidays(country),
        timezone=ZoneInfo(timezone),
    )


def calendar_of(representation_code: str) -> PostCalendar:
    """The calendar of one post (Jakarta's when the code is unknown)."""
    post = representation_by_code(representation_code)
    if post is None:
        return calendar_of_country(HOME, "Asia/Jakarta")
    return calendar_of_country(post.country, post.timezone)
