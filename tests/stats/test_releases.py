"""Publishing a month's open data: counted from the registry, protected, frozen, audited; and
the intruder who differences the published tables (totals, countries against posts, months)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import SYSTEM
from peduli.auth.audit import AuditEntry
from peduli.auth.roles import Role
from peduli.core.errors import Conflict, Forbidden, ValidationFailed
from peduli.stats import releases
from peduli.stats.release_models import OpenDataCell, OpenDataRelease
from tests.factories import staff
from tests.stats.attack import recoverable_small_cells
from tests.stats.population import SMALL_GROUPS, Group, add_people

NOVEMBER = date(2026, 11, 1)
DECEMBER = date(2026, 12, 1)
AFTER_NOVEMBER = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
AFTER_DECEMBER = datetime(2027, 1, 3, 2, 0, tzinfo=UTC)


def _published(db: Session, month: date) -> dict[releases.Key, int | None]:
    rows = db.execute(
        select(OpenDataCell.dimension, OpenDataCell.parent, OpenDataCell.code, OpenDataCell.value)
        .join(OpenDataRelease, OpenDataRelease.id == OpenDataCell.release_id)
        .where(OpenDataRelease.month == month)
    )
    return {(d, p, c): v for d, p, c, v in rows}


def test_the_month_counts_who_was_abroad_on_its_last_day(db: Session) -> None:
    add_people(db, [
        Group(12),
        Group(5, arrived=date(2026, 12, 1)),  # came after the count
        Group(6, arrived=date(2025, 1, 1), departed=date(2026, 11, 15)),  # left before it
        Group(3, arrived=date(2025, 1, 1), departed=date(2026, 12, 2)),  # left after it
        Group(4, status="merged"),  # folded into another record
        Group(2, born=date(2008, 11, 30)),  # 18 on the day of the count
        Group(1, born=date(2008, 12, 1)),  # 18 the day after
    ])  # fmt: skip
    counts = releases.count_month(db, NOVEMBER).counts
    assert counts[releases.TOTAL] == 12 + 3 + 2 + 1
    assert counts[("age_band", "", "18-24")] == 2
    assert counts[("age_band", "", "0-17")] == 1
    assert counts[("representation", "MY", "kbri-kuala-lumpur")] == 18


def test_publishing_suppresses_rounds_freezes_and_audits(db: Session) -> None:
    add_people(db, SMALL_GROUPS)
    releases.publish(db, month=NOVEMBER, actor=SYSTEM, now=AFTER_NOVEMBER)
    db.commit()
    values = _published(db, NOVEMBER)
    assert values[("country", "", "BN")] is None  # 4 people
    assert values[("representation", "MY", "kjri-kuching")] is None  # 7 people
    assert values[("sector", "", "caregiving")] is None
    assert values[releases.TOTAL] == 330  # 331 people, rounded
    assert all(v is None or (v % 5 == 0 and v >= 10) for v in values.values())
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "stats.open_data_published")
    ).one()
    assert entry.entity_id == "2026-11"
    with pytest.raises(Conflict):
        releases.publish(db, month=NOVEMBER, actor=SYSTEM, now=AFTER_NOVEMBER)


def test_only_hq_admins_publish_and_only_a_month_that_is_over(db: Session) -> None:
    with pytest.raises(Forbidden):
        releases.publish(db, month=NOVEMBER, actor=staff(Role.OFFICER), now=AFTER_NOVEMBER)
    with pytest.raises(ValidationFailed):
        releases.publish(db, month=DECEMBER, actor=SYSTEM, now=AFTER_NOVEMBER)
    with pytest.raises(ValidationFailed):
        releases.parse_month("2026-13")


def test_months_are_published_in_order(db: Session) -> None:
    add_people(db, SMALL_GROUPS)
    releases.publish(db, month=NOVEMBER, actor=SYSTEM, now=AFTER_DECEMBER)
    with pytest.raises(ValidationFailed) as refused:
        releases.publish(db, month=date(2026, 10, 1), actor=SYSTEM, now=AFTER_DECEMBER)
    assert refused.value.problems[0].code == "before_newest_release"
    releases.publish(db, month=DECEMBER, actor=SYSTEM, now=AFTER_DECEMBER)


def test_the_worker_publishes_last_month_once(db: Session) -> None:
    add_people(db, SMALL_GROUPS)
    assert releases.publish_last_month(db, AFTER_NOVEMBER) == 1
    assert releases.publish_last_month(db, AFTER_NOVEMBER) == 0
    assert releases.published_months(db) == [NOVEMBER]


def test_the_intruder_recovers_no_small_cell_from_any_table_or_month(db: Session) -> None:
    add_people(db, SMALL_GROUPS)
    releases.publish(db, month=NOVEMBER, actor=SYSTEM, now=AFTER_NOVEMBER)
    # December: Brunei grew past the threshold, Kuching too, and new small groups came
    add_people(db, [
        Group(20, country="BN", post="kbri-bandar-seri-begawan", arrived=date(2026, 12, 5)),
        Group(9, post="kjri-kuching", arrived=date(2026, 12, 5)),
        Group(3, country="HK", post="kjri-hong-kong", sector="domestic_work",
              arrived=date(2026, 12, 5)),
    ])  # fmt: skip
    releases.publish(db, month=DECEMBER, actor=SYSTEM, now=AFTER_DECEMBER)
    november, december = _published(db, NOVEMBER), _published(db, DECEMBER)
    for month, values in ((NOVEMBER, november), (DECEMBER, december)):
        truth = releases.count_month(db, month).counts
        # The intruder knows the published values and how the tables add up (totals, each
        # country's posts), and solves for every suppressed cell.
        assert recoverable_small_cells(truth, values, releases.lines_for(values)) == []
    # Across months: what November hid, December hides, though Brunei and Kuching grew
    hidden = {key for key, value in november.items() if value is None}
    assert {("country", "", "BN"), ("representation", "MY", "kjri-kuching")} <= hidden
    assert all(december[key] is None for key in hidden if key in december)
    assert december[("country", "", "HK")] is None


def test_a_nearly_empty_first_month_does_not_hide_later_totals(db: Session) -> None:
    add_people(db, [Group(4)])
    releases.publish(db, month=NOVEMBER, actor=SYSTEM, now=AFTER_NOVEMBER)
    add_people(db, [
        Group(40, country="SG", post="kbri-singapore", purpose="study", sector=None, sex="M",
              born=date(1980, 2, 2), arrived=date(2026, 12, 5)),
    ])  # fmt: skip
    releases.publish(db, month=DECEMBER, actor=SYSTEM, now=AFTER_DECEMBER)
    assert _published(db, NOVEMBER)[releases.TOTAL] is None  # 4 people
    december = _published(db, DECEMBER)
    assert december[releases.TOTAL] == 45  # 44 people: the total is not kept hidden
    # Malaysia stays hidden from November; Singapore goes with it, or it would give it away
    assert december[("country", "", "MY")] is None and december[("country", "", "SG")] is None
    assert december[("sex", "", "F")] is None and december[("sex", "", "M")] is None
