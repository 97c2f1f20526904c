"""The demo election: every demo post's list generated from the demo population with its
checks run, a serving soldier kept off each, created once; its export opens."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import SYSTEM
from peduli.demo import seed as seeding
from peduli.demo.cases import DEMO_POSTS
from peduli.demo.elections import ensure_demo_election
from peduli.elections import repository, roll
from peduli.elections.models import ElectorFact, VoterEntry

CITIZENS = 600


def test_the_demo_election_has_checked_lists_and_an_export(db: Session) -> None:
    seeding.seed_citizens(db, citizens=CITIZENS, seed=2026, batch_size=CITIZENS)
    election = ensure_demo_election(db)
    db.commit()
    lists = repository.lists_of_round(db, election_id=election.id, where=True)
    assert {v.representation_code for v in lists} >= set(DEMO_POSTS)
    for voter_list in lists:
        if voter_list.representation_code in DEMO_POSTS:
            assert voter_list.state == "checked"
            assert repository.summary(db, voter_list).voters > 0
    soldiers = select(ElectorFact.person_id).where(ElectorFact.armed_forces_active.is_(True))
    assert len(db.scalars(soldiers).all()) == len(DEMO_POSTS)
    on_list = select(func.count()).where(VoterEntry.person_id.in_(soldiers))
    assert db.scalar(on_list) == 0
    made = roll.export(db, SYSTEM, election_id=election.id, post=DEMO_POSTS[0], file_format="csv")
    rows = list(csv.reader(io.StringIO(made.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == roll.COLUMNS and len(rows) > 1
    assert ensure_demo_election(db).id == election.id
