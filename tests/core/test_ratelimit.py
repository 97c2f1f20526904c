"""The database rate limiter: counts per key and window, retry-after, reset, purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from peduli.core import ratelimit
from peduli.core.errors import TooManyRequests
from peduli.core.ratelimit import RateLimitCounter


def _age(db: Session, key: str, seconds: int) -> None:
    """Move a counter's window into the past (instead of sleeping)."""
    row = db.get_one(RateLimitCounter, key)
    db.execute(
        update(RateLimitCounter)
        .where(RateLimitCounter.key == key)
        .values(window_started_at=row.window_started_at - timedelta(seconds=seconds))
    )
    db.commit()
    db.expire_all()


def test_hits_count_up_to_the_limit_then_raise_with_retry_after(db: Session) -> None:
    counts = [ratelimit.hit(db, key="k", limit=3, window_seconds=60) for _ in range(3)]
    assert counts == [1, 2, 3]
    with pytest.raises(TooManyRequests) as raised:
        ratelimit.hit(db, key="k", limit=3, window_seconds=60)
    assert 0 < raised.value.retry_after_seconds <= 60
    assert raised.value.status == 429
    assert "minute" in raised.value.detail


def test_keys_are_independent(db: Session) -> None:
    ratelimit.hit(db, key="a", limit=1, window_seconds=60)
    assert ratelimit.hit(db, key="b", limit=1, window_seconds=60) == 1


def test_a_new_window_starts_after_the_old_one_ends(db: Session) -> None:
    for _ in range(2):
        ratelimit.hit(db, key="w", limit=2, window_seconds=60)
    db.commit()
    _age(db, "w", 61)
    assert ratelimit.hit(db, key="w", limit=2, window_seconds=60) == 1


def test_retry_after_counts_from_the_window_start(db: Session) -> None:
    ratelimit.hit(db, key="r", limit=1, window_seconds=600)
    db.commit()
    _age(db, "r", 500)
    with pytest.raises(TooManyRequests) as raised:
        ratelimit.hit(db, key="r", limit=1, window_seconds=600)
    assert 90 <= raised.value.retry_after_seconds <= 100


def test_check_raises_at_the_limit_without_counting(db: Session) -> None:
    ratelimit.check(db, key="c", limit=1, window_seconds=60)  # no row yet: fine
    ratelimit.hit(db, key="c", limit=1, window_seconds=60)
    with pytest.raises(TooManyRequests):
        ratelimit.check(db, key="c", limit=1, window_seconds=60)
    assert db.get_one(RateLimitCounter, "c").hits == 1
    db.commit()
    _age(db, "c", 61)
    ratelimit.check(db, key="c", limit=1, window_seconds=60)  # window over: allowed again


def test_counts_live_in_the_database_across_sessions(db: Session) -> None:
    from peduli.core.db import get_sessionmaker

    ratelimit.hit(db, key="shared", limit=2, window_seconds=60)
    db.commit()
    other = get_sessionmaker()()
    try:
        assert ratelimit.hit(other, key="shared", limit=2, window_seconds=60) == 2
        other.commit()
    finally:
        other.close()
    with pytest.raises(TooManyRequests):
        ratelimit.hit(db, key="shared", limit=2, window_seconds=60)


def test_reset_forgets_and_purge_deletes_old_windows(db: Session) -> None:
    ratelimit.hit(db, key="x", limit=1, window_seconds=60)
    ratelimit.reset(db, key="x")
    assert ratelimit.hit(db, key="x", limit=1, window_seconds=60) == 1
    ratelimit.hit(db, key="old", limit=5, window_seconds=60)
    db.commit()
    _age(db, "old", 2 * 86400)
    assert ratelimit.purge(db, older_than=timedelta(days=1)) == 1
    assert db.get(RateLimitCounter, "old") is None
    assert db.get(RateLimitCounter, "x") is not None
