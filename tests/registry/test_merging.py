"""Possible duplicates: merge keeps every stay and the history; dismiss closes the pair."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Role
from peduli.core.errors import Conflict, Forbidden
from peduli.merging import STEPS
from peduli.registry import merging, service, unmerging
from peduli.registry.models import DuplicateCandidate, Person, PersonMerge, Stay
from tests.factories import KUALA_LUMPUR, report, staff


def _pair(db: Session, **lookalike: object) -> tuple[Person, Person, DuplicateCandidate]:
    reporter = staff(Role.HQ_ADMIN)
    first = service.submit_self_report(db, report=report(), actor=reporter)
    values = {"nik": None, "passport_number": "B7654321", "full_name": "Moh. Jusuf"}
    second = service.submit_self_report(db, report=report(**(values | lookalike)), actor=reporter)
    pair = db.scalars(select(DuplicateCandidate)).one()
    return first.person, second.person, pair


def test_merge_moves_stays_passports_contacts_and_leaves_a_tombstone(db: Session) -> None:
    keep, other, pair = _pair(
        db, phone="+821098765432", city="Busan", latitude=35.1796, longitude=129.0756
    )
    officer = staff()
    merging.merge(db, candidate_id=pair.id, keep_person_id=keep.id, actor=officer, steps=STEPS)
    db.commit()
    view = service.read_person(db, person_id=keep.id, actor=officer)
    assert {s.city for s in view.stays} == {"Seoul", "Busan"}
    assert {number for number, _ in view.passports} == {"C1234567", "B7654321"}
    assert [p.is_current for _, p in view.passports].count(True) == 1
    assert {c.value for c in view.contacts} >= {"+821012345678", "+821098765432"}
    tombstone = db.get_one(Person, other.id)
    assert (tombstone.status, tombstone.merged_into_id) == ("merged", keep.id)
    assert pair.status == "merged"
    _, trail = audit.trail_for_person(db, person_id=other.id)
    assert any(entry.action == "person.merge" for entry in trail), "history of both kept"


def _stay_languages(db: Session, person: Person) -> list[str]:
    return sorted(db.scalars(select(Stay.language).where(Stay.person_id == person.id)))


def test_moved_stays_speak_their_new_persons_language_and_the_old_one_after_an_unmerge(
    db: Session,
) -> None:
    """A crisis audience reads the language from the stay: it must follow every move."""
    keep, other, pair = _pair(db, language="en", city="Busan", latitude=35.1796, longitude=129.0756)
    assert (_stay_languages(db, keep), _stay_languages(db, other)) == (["id"], ["en"])
    merging.merge(db, candidate_id=pair.id, keep_person_id=keep.id, actor=staff(), steps=STEPS)
    db.commit()
    assert _stay_languages(db, keep) == ["id", "id"]
    merge = db.scalars(select(PersonMerge)).one()
    unmerging.unmerge(db, merge_id=merge.id, reason="Two different people, checked by phone",
                      reopen=False, actor=staff(Role.SUPERVISOR), steps=STEPS)  # fmt: skip
    db.commit()
    assert (_stay_languages(db, keep), _stay_languages(db, other)) == (["id"], ["en"])


def test_merge_gives_the_survivor_the_nik_it_lacked(db: Session) -> None:
    keep, other, pair = _pair(db)
    officer = staff()
    merging.merge(db, candidate_id=pair.id, keep_person_id=other.id, actor=officer, steps=STEPS)
    db.commit()
    survivor = db.get_one(Person, other.id)
    assert survivor.nik_index is not None
    assert db.get_one(Person, keep.id).nik_index is None


def test_merge_fills_the_place_of_birth_and_the_linkage_keys_that_hold_it(db: Session) -> None:
    keep, _, pair = _pair(db, place_of_birth="Kab. Bantul")
    assert keep.link_name_year is None  # a common name with no place of birth
    merging.merge(db, candidate_id=pair.id, keep_person_id=keep.id, actor=staff(), steps=STEPS)
    db.commit()
    survivor = db.get_one(Person, keep.id)
    assert survivor.place_of_birth == "Kab. Bantul"
    assert survivor.link_name_year == "1990:muhammad:yusuf@bantul"


def test_a_resolved_pair_cannot_be_merged_again(db: Session) -> None:
    keep, _, pair = _pair(db)
    merging.dismiss(db, candidate_id=pair.id, actor=staff())
    with pytest.raises(Conflict):
        merging.merge(db, candidate_id=pair.id, keep_person_id=keep.id, actor=staff(), steps=STEPS)


def test_another_post_cannot_see_or_merge_the_pair(db: Session) -> None:
    keep, _, pair = _pair(db)
    elsewhere = staff(representation_code="kbri-kuala-lumpur")
    total, _ = merging.list_open(db, actor=elsewhere, limit=10, offset=0)
    assert total == 0
    with pytest.raises(Forbidden):
        merging.merge(
            db, candidate_id=pair.id, keep_person_id=keep.id, actor=elsewhere, steps=STEPS
        )


def test_list_shows_the_posts_open_pairs_with_paging(db: Session) -> None:
    _pair(db)
    total, items = merging.list_open(db, actor=staff(), limit=1, offset=0)
    assert total == 1 and len(items) == 1


def test_stays_of_the_absorbed_record_follow_to_the_survivor_across_posts(db: Session) -> None:
    keep, other, pair = _pair(db, **KUALA_LUMPUR)
    admin = staff(role=Role.HQ_ADMIN)
    merging.merge(db, candidate_id=pair.id, keep_person_id=keep.id, actor=admin, steps=STEPS)
    codes = set(db.scalars(select(Stay.representation_code).where(Stay.person_id == keep.id)))
    assert codes == {"kbri-seoul", "kbri-kuala-lumpur"}
    assert db.get_one(Person, other.id).merged_into_id == keep.id
