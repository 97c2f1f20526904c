"""The departed-stays purge reads only the stays it blanks, never those blanked before: on
SQLite the plan searches the partial index, on PostgreSQL the plan reads a few rows."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.registry import retention, service
from peduli.registry.models import Stay, StayStatus
from tests import factories
from tests.plans import assert_reads_only_through, read_by, updates_of

TODAY = date(2026, 6, 1)
PURGED_BEFORE = 30
DUE = 3


def _departed(db: Session, first: int, count: int, *, days_ago: int) -> None:
    for serial in range(first, first + count):
        factories_report = factories.report(
            nik=factories.nik(serial=serial), passport_number=f"C{serial:07d}", phone=None,
            email=f"p{serial}@example.org",
        )  # fmt: skip
        person = service.submit_self_report(db, report=factories_report, actor=factories.staff())
        db.execute(
            update(Stay)
            .where(Stay.person_id == person.person.id)  # type: ignore[union-attr]
            .values(status=StayStatus.DEPARTED, departed_on=TODAY - timedelta(days=days_ago))
        )


def test_a_purge_batch_never_reads_the_stays_purged_before(db: Session) -> None:
    _departed(db, 1, PURGED_BEFORE, days_ago=500)
    db.commit()
    before = TODAY - timedelta(days=365)
    assert retention.purge_departed_stays(db, departed_before=before, limit=1000) == PURGED_BEFORE
    _departed(db, 100, DUE, days_ago=400)
    _departed(db, 200, DUE, days_ago=10)  # departed lately: kept
    db.commit()
    with updates_of(db, "stay") as statements:
        assert retention.purge_departed_stays(db, departed_before=before, limit=1000) == DUE
    db.rollback()
    [(statement, parameters)] = statements
    read = read_by(db, "stay", statement, parameters)
    db.rollback()
    assert_reads_only_through(
        read, index="ix_stay_departed_with_details", table="stay", most=2 * DUE
    )
    kept = db.scalars(select(Stay.employer).where(Stay.departed_on > before)).all()
    assert kept == ["Hanil Metal"] * DUE
