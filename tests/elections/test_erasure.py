"""A citizen's erasure removes their elector facts and list entries; a merge carries the
facts to the survivor and an unmerge back."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.elections import erasure, merges
from peduli.elections.models import ElectorFact, VoterEntry
from tests.elections.conftest import election, facts, generated, person


def test_erasure_removes_facts_and_entries(db: Session) -> None:
    gone, kept = person(db, 1, name="Hapus Saya"), person(db, 2, name="Tetap Ada")
    facts(db, gone, ever_married=True)
    generated(db, election(db).id)
    assert erasure.ERASURE_STEP.run(db, [gone], None) == 2
    assert db.scalar(select(func.count()).select_from(ElectorFact)) == 0
    assert list(db.scalars(select(VoterEntry.person_id))) == [kept]


def test_facts_follow_a_merge_and_come_back(db: Session) -> None:
    absorbed, survivor = person(db, 1, name="Satu"), person(db, 2, name="Dua")
    facts(db, absorbed, armed_forces_active=True)
    moved = merges.MERGE_STEP.move(db, absorbed, survivor)
    assert db.get_one(ElectorFact, survivor).armed_forces_active and len(moved) == 1
    assert merges.MERGE_STEP.move_back(db, moved, survivor, absorbed) == 1
    assert db.get(ElectorFact, survivor) is None and db.get(ElectorFact, absorbed) is not None
