"""A published November 2026 release of a population with small groups."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from peduli.auth.actor import SYSTEM
from peduli.stats import releases
from tests.stats.population import SMALL_GROUPS, add_people


@pytest.fixture
def november(db: Session) -> date:
    """November 2026 published (committed, so the app's requests see it)."""
    add_people(db, SMALL_GROUPS)
    month = date(2026, 11, 1)
    releases.publish(db, month=month, actor=SYSTEM, now=datetime(2026, 12, 2, tzinfo=UTC))
    db.commit()
    return month
