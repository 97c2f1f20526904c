"""The checks before fixing: a duplicate across posts blocks until one post strikes it, an
unverified residence does not block, a contradiction with the civil registry blocks;
another post's committee reaches nothing; the changes since the previous round."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from peduli.agencies.models import RECORD, CheckState, PersonVerification, Source
from peduli.auth.actor import Role
from peduli.core.errors import Conflict, NotFound, ValidationFailed
from peduli.elections import checks, repository
from peduli.elections.models import ListProblem
from tests.elections.conftest import KL, SEOUL, election, facts, generated, officer, person
from tests.factories import KUALA_LUMPUR

SUPERVISOR, SUPERVISOR_KL = officer(SEOUL, Role.SUPERVISOR), officer(KL, Role.SUPERVISOR)


def kinds(db: Session, post: str) -> dict[tuple[str, str], ListProblem]:
    found: dict[tuple[str, str], ListProblem] = {}
    for voter_list in repository.lists_of_round(db, election_id=db.info["election"], where=True):
        if voter_list.representation_code == post:
            for problem, name in repository.problems(db, list_id=voter_list.id, open_only=True):
                found[(name, problem.kind)] = problem
    return found


@pytest.fixture
def two_posts(db: Session) -> Session:
    """Dewi on both posts' lists (two active stays), Rina unverified in Seoul, Sari in KL."""
    person(db, 1, name="Dewi Dua Pos")
    person(db, 1, name="Dewi Dua Pos", post=KL)
    person(db, 2, name="Rina Seoul")
    person(db, 3, name="Sari Sepang", post=KL)
    made = election(db)
    db.info["election"] = made.id
    generated(db, made.id)
    return db


def test_a_duplicate_blocks_until_one_post_strikes_it(two_posts: Session) -> None:
    db, election_id = two_posts, two_posts.info["election"]
    checks.run_checks(db, election_id=election_id, post=None, actor=SUPERVISOR)
    found = kinds(db, SEOUL)
    duplicate = found[("Dewi Dua Pos", "duplicate")]
    assert duplicate.blocking and duplicate.detail == KL
    assert not found[("Rina Seoul", "unverified")].blocking
    with pytest.raises(Conflict):
        checks.fix(db, election_id=election_id, post=None, actor=SUPERVISOR)
    with pytest.raises(ValidationFailed):  # a duplicate is not "confirmed": one list only
        checks.resolve(db, election_id=election_id, problem_id=duplicate.id, strike=False,
                       note="lives in Seoul", actor=SUPERVISOR)  # fmt: skip
    checks.run_checks(db, election_id=election_id, post=None, actor=SUPERVISOR_KL)
    theirs = kinds(db, KL)[("Dewi Dua Pos", "duplicate")]
    checks.resolve(db, election_id=election_id, problem_id=theirs.id, strike=True,
                   note="moved to Seoul", actor=SUPERVISOR_KL)  # fmt: skip
    fixed = checks.fix(db, election_id=election_id, post=None, actor=SUPERVISOR)
    assert fixed.state == "fixed"
    summary = repository.summary(db, fixed)
    assert (summary.voters, summary.verified) == (2, 0) and summary.verified_share == 0
    assert ("Dewi Dua Pos", "duplicate") not in kinds(db, SEOUL)


def test_a_contradiction_with_the_civil_registry_blocks(db: Session) -> None:
    someone = person(db, 1, name="Beda Data")
    db.add(PersonVerification(person_id=someone, source=Source.CIVIL_REGISTRY.value,
                              subject=RECORD, state=CheckState.MISMATCH.value,
                              fields=json.dumps(["mother_name"]), purpose="test", cause="test",
                              requested_by="test"))  # fmt: skip
    made = election(db)
    db.info["election"] = made.id
    generated(db, made.id)
    checks.run_checks(db, election_id=made.id, post=None, actor=SUPERVISOR)
    problem = kinds(db, SEOUL)[("Beda Data", "civil_registry")]
    assert problem.blocking and "mother_name" in (problem.detail or "")
    with pytest.raises(Conflict):
        checks.fix(db, election_id=made.id, post=None, actor=SUPERVISOR)
    checks.resolve(db, election_id=made.id, problem_id=problem.id, strike=False,
                   note="KK checked at the counter", actor=SUPERVISOR)  # fmt: skip
    assert checks.fix(db, election_id=made.id, post=None, actor=SUPERVISOR).state == "fixed"


def test_another_posts_committee_reaches_nothing(two_posts: Session) -> None:
    db, election_id = two_posts, two_posts.info["election"]
    checks.run_checks(db, election_id=election_id, post=None, actor=SUPERVISOR)
    problem = kinds(db, SEOUL)[("Rina Seoul", "unverified")]
    with pytest.raises(NotFound):
        checks.run_checks(db, election_id=election_id, post=SEOUL, actor=SUPERVISOR_KL)
    with pytest.raises(NotFound):
        checks.resolve(db, election_id=election_id, problem_id=problem.id, strike=True,
                       note="not here", actor=SUPERVISOR_KL)  # fmt: skip


def test_the_changes_since_the_previous_round(two_posts: Session) -> None:
    db, election_id = two_posts, two_posts.info["election"]
    soldier_id = person(db, 7, name="Prajurit Baru")
    generated(db, election_id)  # round 2: Prajurit added
    facts(db, soldier_id, armed_forces_active=True)
    person(db, 2, name="Rina Seoul", post=KL, **KUALA_LUMPUR)  # Rina now also in KL
    generated(db, election_id)  # round 3
    seoul = repository.changes(db, election_id=election_id, post=SEOUL, round_=3)
    assert [(c.change, c.full_name, c.reason) for c in seoul] == [
        ("removed", "Prajurit Baru", "active member of the armed forces or police"),
    ]
    kl = repository.changes(db, election_id=election_id, post=KL, round_=3)
    assert [(c.change, c.full_name, c.other_post) for c in kl] == [
        ("moved_in", "Rina Seoul", SEOUL),
    ]
