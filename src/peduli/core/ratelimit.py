"""Rate limits counted in the database, so they hold across any number of app processes.

Each key (``login:ip:203.0.113.9``, ``otp:address:<hash>``...) has one row: a window that
starts at its first hit and lasts ``window_seconds``, and the number of hits in it. One
atomic upsert counts a hit, so concurrent requests never lose a count. Counts belong to
the caller's transaction: a request that rolls back does not count, unless the caller
records the hit again after the rollback (``core.db.after_rollback``).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, Table, case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from peduli.core.db import Base, is_postgres, utcnow
from peduli.core.errors import TooManyRequests
from peduli.core.i18n import _


class RateLimitCounter(Base):
    """Hits of one key in its current window."""

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_started_at: Mapped[datetime]
    hits: Mapped[int] = mapped_column(Integer)


def _too_many(window_started_at: datetime, window_seconds: int, now: datetime) -> TooManyRequests:
    remaining = window_started_at + timedelta(seconds=window_seconds) - now
    retry_after = max(1, math.ceil(remaining.total_seconds()))
    minutes = max(1, math.ceil(retry_after / 60))
    return TooManyRequests(
        _("Too many attempts. Wait {minutes} minute(s) and try again.").format(minutes=minutes),
        retry_after_seconds=retry_after,
    )


def hit(session: Session, *, key: str, limit: int, window_seconds: int) -> int:
    """Count one hit of ``key``; raise ``TooManyRequests`` (with retry-after) past ``limit``.

    Returns the number of hits in the current window, this one included.
    """
    now = utcnow()
    table = RateLimitCounter.__table__
    assert isinstance(table, Table)
    expired = table.c.window_started_at <= now - timedelta(seconds=window_seconds)
    insert = pg_insert if is_postgres(session) else sqlite_insert
    statement = (
        insert(table)
        .values(key=key, window_started_at=now, hits=1)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                # Both expressions read the row as it was before this update.
                "hits": case((expired, 1), else_=table.c.hits + 1),
                "window_started_at": case((expired, now), else_=table.c.window_started_at),
            },
        )
        .returning(table.c.hits, table.c.window_started_at)
    )
    count, started = session.execute(statement).one()
    if count > limit:
        raise _too_many(started, window_seconds, now)
    return int(count)


def check(session: Session, *, key: str, limit: int, window_seconds: int) -> None:
    """Raise ``TooManyRequests`` if ``key`` already used up ``limit``, without counting a hit."""
    now = utcnow()
    row = session.execute(
        select(RateLimitCounter.hits, RateLimitCounter.window_started_at).where(
            RateLimitCounter.key == key
        )
    ).one_or_none()
    if row is None:
        return
    count, started = row
    if count >= limit and started > now - timedelta(seconds=window_seconds):
        raise _too_many(started, window_seconds, now)


def reset(session: Session, *, key: str) -> None:
    """Forget the hits of ``key`` (e.g. failed sign-ins after a successful one)."""
    session.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))


def purge(session: Session, *, older_than: timedelta) -> int:
    """Delete counters whose window started before ``older_than`` ago; returns how many."""
    result = session.execute(
        delete(RateLimitCounter).where(RateLimitCounter.window_started_at < utcnow() - older_than)
    )
    return int(getattr(result, "rowcount", 0) or 0)
