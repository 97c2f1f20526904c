"""The demo publishes two months of open data for its population, with suppressed cells."""

from __future__ import annotations

from sqlalchemy.orm import Session

from peduli.core.db import utcnow
from peduli.demo import seed as seeding
from peduli.demo.open_data import ensure_demo_releases
from peduli.stats import releases

CITIZENS = 2_000  # the demo's size


def test_the_demo_shows_tables_with_suppressed_cells_once(db: Session) -> None:
    today = utcnow().date()
    seeding.seed_citizens(db, citizens=CITIZENS, seed=2026, batch_size=CITIZENS, today=today)
    months = ensure_demo_releases(db, today=today)
    assert len(months) == 2 and ensure_demo_releases(db, today=today) == []
    by_post = releases.published_table(db, month=months[1], dimension="representation")
    suppressed = [cell for cell in by_post.cells if cell.suppressed]
    published = [cell for cell in by_post.cells if not cell.suppressed]
    assert suppressed and published
    assert by_post.total is not None and by_post.total > 0
    # the later month keeps the earlier month's suppressed posts suppressed
    earlier = releases.published_table(db, month=months[0], dimension="representation")
    hidden_before = {(c.parent, c.code) for c in earlier.cells if c.suppressed}
    assert all(c.suppressed for c in by_post.cells if (c.parent, c.code) in hidden_before)
