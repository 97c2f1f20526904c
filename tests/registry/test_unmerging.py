"""Undoing a merge: both records and every row that points at them as before the merge
(whichever rows exist), rows added to the survivor since stay on it; who may undo; audit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, or_, select
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Role
from peduli.auth.models import CitizenAccount
from peduli.cases import service as case_service
from peduli.cases.models import CasePerson
from peduli.cases.schemas import CaseCreate
from peduli.conversations.models import Conversation
from peduli.core.db import get_sessionmaker, utcnow
from peduli.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from peduli.crisis.models import CheckIn, Recipient
from peduli.merging import STEPS
from peduli.models import Base
from peduli.registry import merging, service, unmerging
from peduli.registry.merge_moves import REGISTRY_STEPS
from peduli.registry.models import (
    ContactPoint,
    DuplicateCandidate,
    Person,
    PersonMerge,
    Stay,
)
from peduli.voice.models import VoiceCall
from tests.conftest import empty_all_tables
from tests.factories import KUALA_LUMPUR, nik, report, staff
from tests.fuzzing import examples

REASON = "Two brothers born the same day; the passports differ."
# Columns that change with any write, not with what a merge moved.
VOLATILE = {"updated_at"}


def _person_columns() -> dict[str, list[str]]:
    """Every table's columns that point at a person (a foreign key, or a bare person_id)."""
    found: dict[str, list[str]] = {}
    for table in Base.metadata.sorted_tables:
        columns = [
            column.name
            for column in table.columns
            if column.name == "person_id"
            or any(fk.column.table.name == "person" for fk in column.foreign_keys)
        ]
        if columns:
            found[table.name] = columns
    return found


# What a merge leaves where it is, and why.
NOT_MOVED = {
    "person": "the tombstone points at the survivor (merged_into_id); restored by the unmerge",
    "duplicate_candidate": "pairs are re-pointed by the merge itself and put back",
    "person_merge": "the record of the merge",
    "erasure_record": "ids of erased people, never merged again",
    "agency_message": "the signed append-only log: what was asked about which record, as it was",
    "person_verification": "an agency's answer on that record's own data; the survivor has its own",
    "agency_passport_check": "immigration's answer on that record's passport, as it was asked",
    "agency_border_crossing": "immigration's answer on that record's passport, as it was asked",
    "agency_placement": "BP2MI's answer on that record, as it was asked",
    "agency_import_row": "rows staged while an import runs, deleted when it ends",
    "voter_entry": "a round of a voter list as generated: the next round lists the survivor",
    "voter_list_problem": "what a check found on a round's entry, kept with it",
    "stats_stay_contribution": "derived: the statistics' tally recounts each stay that moved",
}
MOVED_BY = {
    "stay": "stays",
    "passport": "passports",
    "contact_point": "contacts",
    "data_request": "data_requests",
    "identity_claim": "identity_claims",
    "citizen_account": "citizen_accounts",
    "case_person": "cases",
    "crisis_recipient": "crisis_recipients",
    "crisis_checkin": "crisis_checkins",
    "crisis_reach_attempt": "crisis_reach_attempts",
    "voice_call": "voice_calls",
    "conversation": "conversations",
    "issued_document": "documents",
    "service_application": "service_applications",
    "appointment": "appointments",
    "elector_fact": "elector_facts",
}


def test_every_table_pointing_at_a_person_is_moved_by_a_step_or_left_on_purpose() -> None:
    tables = set(_person_columns())
    assert tables == set(MOVED_BY) | set(NOT_MOVED), "a new table points at person: add a step"
    step_names = {step.name for step in (*REGISTRY_STEPS, *STEPS)} | {"contacts"}
    assert set(MOVED_BY.values()) == step_names


def _snapshot(db: Session, person_ids: list[uuid.UUID], *, skip_pair: uuid.UUID) -> set[Any]:
    """Every row pointing at these people (whole rows, decrypted), and the people."""
    rows: set[Any] = set()
    for name, columns in _person_columns().items():
        if name == "person_merge":
            continue
        table = Base.metadata.tables[name]
        kept = [c for c in table.columns if c.name not in VOLATILE]
        condition = or_(*(table.c[column].in_(person_ids) for column in columns))
        if name == "person":
            condition = or_(condition, table.c.id.in_(person_ids))
        if name == "duplicate_candidate":
            condition = condition & (table.c.id != skip_pair)
        for row in db.execute(select(*kept).where(condition)):
            rows.add((name, *(str(value) for value in row)))
    return rows


@dataclass
class Pair:
    keep: Person
    other: Person
    pair: DuplicateCandidate


def _pair(db: Session, *, nik_on: str, same_phone: bool, keep_born: str | None) -> Pair:
    admin = staff(Role.HQ_ADMIN)
    born = date(1990, 5, 17)
    first = service.submit_self_report(
        db,
        report=report(nik=nik(born=born) if nik_on == "keep" else None, place_of_birth=keep_born),
        actor=admin,
    ).person
    first = db.get_one(Person, first.id)  # the report's answer is detached
    second = service.submit_self_report(
        db,
        report=report(
            nik=nik(born=born) if nik_on == "absorbed" else None,
            passport_number="B7654321",
            full_name="Moh. Jusuf",
            phone="+821012345678" if same_phone else "+821098765432",
            email="jusuf@example.org",
            place_of_birth="Sleman",
        ),
        actor=admin,
    ).person
    second = db.get_one(Person, second.id)
    second.emergency_contact_name = "Siti"
    db.flush()
    pair = db.scalars(
        select(DuplicateCandidate).where(
            or_(
                DuplicateCandidate.person_id == second.id,
                DuplicateCandidate.other_person_id == second.id,
            ),
            or_(
                DuplicateCandidate.person_id == first.id,
                DuplicateCandidate.other_person_id == first.id,
            ),
        )
    ).one()
    return Pair(first, second, pair)


def _other_domains_rows(db: Session, person: Person, *, case: bool, crisis: bool, call: bool,
                        chat: bool, account: bool, broadcast: uuid.UUID) -> None:  # fmt: skip
    officer = staff()
    if case:
        data = CaseCreate.model_validate(
            {"category": "labour", "summary": "Wages unpaid for months.", "person_id": person.id}
        )
        case_service.open_case(db, data=data, actor=officer)
    if crisis:
        stay_id = db.scalars(select(Stay.id).where(Stay.person_id == person.id)).first()
        recipient = Recipient(
            broadcast_id=broadcast, crisis_id=broadcast, person_id=person.id,
            stay_id=stay_id or uuid.uuid4(), language="id", created_at=utcnow(),
        )  # fmt: skip
        db.add(recipient)
        db.flush()
        db.add(CheckIn(recipient_id=recipient.id, crisis_id=broadcast, person_id=person.id,
                       answer="safe", via="web", created_at=utcnow()))  # fmt: skip
    if call:
        now = utcnow()
        db.add(VoiceCall(
            platform_call_id=f"CA-{uuid.uuid4().hex}", representation_code="kbri-seoul",
            state="ended", started_at=now, last_event_at=now, person_id=person.id,
        ))  # fmt: skip
    if chat:
        db.add(Conversation(channel="telegram", address=str(uuid.uuid4().int)[:9],
                            address_index=uuid.uuid4().hex, representation_code="kbri-seoul",
                            person_id=person.id, person_link="officer"))  # fmt: skip
    if account:
        db.add(CitizenAccount(kind="email", address_index=uuid.uuid4().hex,
                              address_encrypted="sealed", person_id=person.id))  # fmt: skip
    db.flush()


ROWS = st.fixed_dictionaries(
    {
        "case": st.booleans(),
        "crisis": st.booleans(),
        "call": st.booleans(),
        "chat": st.booleans(),
        "account": st.booleans(),
    }
)


@example(nik_on="absorbed", same_phone=True, keep_born=None, third=True, on_keep={
    "case": True, "crisis": True, "call": False, "chat": False, "account": False,
}, on_absorbed={"case": True, "crisis": True, "call": True, "chat": True, "account": True},
    extra_stays=2, keep_absorbed=False)  # fmt: skip
@settings(
    max_examples=examples(12),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    nik_on=st.sampled_from(["none", "keep", "absorbed"]),
    same_phone=st.booleans(),
    keep_born=st.sampled_from([None, "Bantul"]),
    third=st.booleans(),
    on_keep=ROWS,
    on_absorbed=ROWS,
    extra_stays=st.integers(0, 2),
    keep_absorbed=st.booleans(),
)
def test_unmerge_puts_back_every_row_and_field_whatever_rows_exist(
    clean_engine: Engine,
    nik_on: str,
    same_phone: bool,
    keep_born: str | None,
    third: bool,
    on_keep: dict[str, bool],
    on_absorbed: dict[str, bool],
    extra_stays: int,
    keep_absorbed: bool,
) -> None:
    empty_all_tables(clean_engine)
    db = get_sessionmaker()()
    try:
        made = _pair(db, nik_on=nik_on, same_phone=same_phone, keep_born=keep_born)
        keep, other = (made.other, made.keep) if keep_absorbed else (made.keep, made.other)
        broadcast = uuid.uuid4()
        _other_domains_rows(db, keep, broadcast=broadcast, **on_keep)
        _other_domains_rows(db, other, broadcast=broadcast, **on_absorbed)
        for number in range(extra_stays):
            db.add(Stay(person_id=other.id, country="MY", city="Kuala Lumpur", purpose="work",
                        language=other.preferred_language,
                        arrival_date=date(2020, 1, 1) + timedelta(days=number),
                        representation_code="kbri-kuala-lumpur"))  # fmt: skip
        if third:  # an open pair of the absorbed record with a third person
            service.submit_self_report(
                db,
                report=report(nik=None, passport_number="A1111111", full_name="Muhamad Yusup",
                              phone="+821011112222", email="yusup@example.org"),
                actor=staff(Role.HQ_ADMIN),
            )  # fmt: skip
        db.commit()
        everyone = [keep.id, other.id]
        before = _snapshot(db, everyone, skip_pair=made.pair.id)
        admin = staff(Role.HQ_ADMIN)
        merging.merge(
            db, candidate_id=made.pair.id, keep_person_id=keep.id, actor=admin, steps=STEPS
        )
        db.commit()
        for name, columns in _person_columns().items():
            if name in NOT_MOVED:
                continue
            table = Base.metadata.tables[name]
            left = db.scalar(select(table.c[columns[0]]).where(table.c[columns[0]] == other.id))
            assert left is None or (name == "crisis_recipient" and on_keep["crisis"]), name
        # after the merge, the survivor gets a stay of its own: it stays there
        later = Stay(person_id=keep.id, country="KR", city="Busan", purpose="work",
                     language=keep.preferred_language, arrival_date=date(2025, 1, 1),
                     representation_code="kbri-seoul")  # fmt: skip
        db.add(later)
        db.commit()
        merge = db.scalars(select(PersonMerge)).one()
        unmerging.unmerge(db, merge_id=merge.id, reason=REASON, reopen=False, actor=admin,
                          steps=STEPS)  # fmt: skip
        db.commit()
        db.expire_all()
        assert db.get_one(Stay, later.id).person_id == keep.id
        db.execute(delete(Stay).where(Stay.id == later.id))
        assert _snapshot(db, everyone, skip_pair=made.pair.id) == before
        assert db.get_one(DuplicateCandidate, made.pair.id).status == "dismissed"
    finally:
        db.rollback()
        db.close()


def _merged(db: Session) -> tuple[Person, Person, PersonMerge]:
    made = _pair(db, nik_on="absorbed", same_phone=False, keep_born=None)
    merging.merge(db, candidate_id=made.pair.id, keep_person_id=made.keep.id, actor=staff(),
                  steps=STEPS)  # fmt: skip
    db.commit()
    return made.keep, made.other, db.scalars(select(PersonMerge)).one()


def test_the_absorbed_record_is_active_again_with_its_nik_and_the_filled_fields_cleared(
    db: Session,
) -> None:
    keep, other, merge = _merged(db)
    survivor = db.get_one(Person, keep.id)
    assert (survivor.place_of_birth, survivor.nik_index is not None) == ("Sleman", True)
    assert set(merge.restore["filled"]) == {"place_of_birth", "emergency_contact_name"}
    unmerging.unmerge(db, merge_id=merge.id, reason=REASON, reopen=False,
                      actor=staff(Role.SUPERVISOR), steps=STEPS)  # fmt: skip
    db.commit()
    back = db.get_one(Person, other.id)
    assert (back.status, back.merged_into_id, back.nik_index is not None) == ("active", None, True)
    survivor = db.get_one(Person, keep.id)
    assert (survivor.place_of_birth, survivor.emergency_contact_name, survivor.nik_index) == (
        None,
        None,
        None,
    )
    assert db.get_one(PersonMerge, merge.id).unmerge_reason == REASON


def test_a_field_corrected_after_the_merge_is_not_cleared(db: Session) -> None:
    keep, _, merge = _merged(db)
    db.get_one(Person, keep.id).place_of_birth = "Yogyakarta"
    db.commit()
    unmerging.unmerge(db, merge_id=merge.id, reason=REASON, reopen=False,
                      actor=staff(Role.SUPERVISOR), steps=STEPS)  # fmt: skip
    assert db.get_one(Person, keep.id).place_of_birth == "Yogyakarta"


def test_reopen_puts_the_pair_back_in_the_open_review(db: Session) -> None:
    _, _, merge = _merged(db)
    unmerging.unmerge(db, merge_id=merge.id, reason=REASON, reopen=True,
                      actor=staff(Role.SUPERVISOR), steps=STEPS)  # fmt: skip
    db.commit()
    pair = db.get_one(DuplicateCandidate, merge.candidate_id)
    assert (pair.status, pair.resolved_by) == ("open", None)
    total, _ = merging.list_open(db, actor=staff(), limit=10, offset=0)
    assert total == 1


@pytest.mark.parametrize("role", [Role.OFFICER, Role.HQ_ANALYST, Role.PARTNER, Role.AGENCY])
def test_only_supervisors_and_hq_admins_undo_a_merge(db: Session, role: Role) -> None:
    _, _, merge = _merged(db)
    with pytest.raises(Forbidden):
        unmerging.unmerge(db, merge_id=merge.id, reason=REASON, reopen=False, actor=staff(role),
                          steps=STEPS)  # fmt: skip
    db.rollback()
    assert db.get_one(PersonMerge, merge.id).unmerged_at is None


def test_a_supervisor_of_another_post_cannot_undo_it(db: Session) -> None:
    _, _, merge = _merged(db)
    elsewhere = staff(Role.SUPERVISOR, representation_code="kbri-kuala-lumpur")
    with pytest.raises(Forbidden):
        unmerging.unmerge(db, merge_id=merge.id, reason=REASON, reopen=False, actor=elsewhere,
                          steps=STEPS)  # fmt: skip


def test_the_unmerge_needs_a_reason_and_happens_once(db: Session) -> None:
    _, _, merge = _merged(db)
    supervisor = staff(Role.SUPERVISOR)
    with pytest.raises(ValidationFailed):
        unmerging.unmerge(db, merge_id=merge.id, reason="  wrong  ", reopen=False,
                          actor=supervisor, steps=STEPS)  # fmt: skip
    unmerging.unmerge(db, merge_id=merge.id, reason=REASON, reopen=False, actor=supervisor,
                      steps=STEPS)  # fmt: skip
    db.commit()
    with pytest.raises(Conflict):
        unmerging.unmerge(db, merge_id=merge.id, reason=REASON, reopen=False, actor=supervisor,
                          steps=STEPS)  # fmt: skip
    with pytest.raises(NotFound):
        unmerging.unmerge(db, merge_id=uuid.uuid4(), reason=REASON, reopen=False,
                          actor=supervisor, steps=STEPS)  # fmt: skip


def test_the_unmerge_is_in_the_audit_trail_of_both_records_with_its_reason(db: Session) -> None:
    keep, other, merge = _merged(db)
    unmerging.unmerge(db, merge_id=merge.id, reason=REASON, reopen=False,
                      actor=staff(Role.SUPERVISOR), steps=STEPS)  # fmt: skip
    db.commit()
    for person_id in (keep.id, other.id):
        _, trail = audit.trail_for_person(db, person_id=person_id)
        undone = [entry for entry in trail if entry.action == "person.unmerge"]
        assert [entry.reason for entry in undone] == [REASON]


def test_a_later_merge_of_the_survivor_must_be_undone_first(db: Session) -> None:
    keep, _, merge = _merged(db)
    admin = staff(Role.HQ_ADMIN)
    third = service.submit_self_report(
        db,
        report=report(nik=None, passport_number="A1111111", full_name="Muhamad Yusup",
                      phone="+821011112222", email="yusup@example.org", **KUALA_LUMPUR),
        actor=admin,
    ).person  # fmt: skip
    pair = db.scalars(select(DuplicateCandidate).where(DuplicateCandidate.status == "open")).one()
    merging.merge(db, candidate_id=pair.id, keep_person_id=third.id, actor=admin, steps=STEPS)
    db.commit()
    with pytest.raises(Conflict):
        unmerging.unmerge(db, merge_id=merge.id, reason=REASON, reopen=False, actor=admin,
                          steps=STEPS)  # fmt: skip
    assert keep.id in (pair.person_id, pair.other_person_id)


def test_a_contact_both_records_held_comes_back_to_the_absorbed_one(db: Session) -> None:
    made = _pair(db, nik_on="none", same_phone=True, keep_born=None)
    merging.merge(db, candidate_id=made.pair.id, keep_person_id=made.keep.id, actor=staff(),
                  steps=STEPS)  # fmt: skip
    db.commit()
    phones = db.scalars(select(ContactPoint.value).where(ContactPoint.person_id == made.keep.id))
    assert sorted(phones) == ["+821012345678", "jusuf@example.org", "yusuf@example.org"]
    merge = db.scalars(select(PersonMerge)).one()
    unmerging.unmerge(db, merge_id=merge.id, reason=REASON, reopen=False,
                      actor=staff(Role.SUPERVISOR), steps=STEPS)  # fmt: skip
    db.commit()
    back = db.scalars(select(ContactPoint).where(ContactPoint.person_id == made.other.id)).all()
    assert sorted(c.value for c in back) == ["+821012345678", "jusuf@example.org"]
    assert all(c.is_primary for c in back)


def test_merges_of_a_record_are_listed_for_a_reader_in_scope_only(db: Session) -> None:
    keep, other, merge = _merged(db)
    for person_id in (keep.id, other.id):
        found = unmerging.merges_for(db, person_id=person_id, actor=staff())
        assert [f.merge.id for f in found] == [merge.id]
    with pytest.raises(Forbidden):
        unmerging.merges_for(
            db, person_id=keep.id, actor=staff(representation_code="kbri-kuala-lumpur")
        )


def test_case_links_move_with_the_merge_and_back(db: Session) -> None:
    made = _pair(db, nik_on="none", same_phone=False, keep_born=None)
    data = CaseCreate.model_validate(
        {"category": "labour", "summary": "Wages unpaid for months.", "person_id": made.other.id}
    )
    case_service.open_case(db, data=data, actor=staff())
    merging.merge(db, candidate_id=made.pair.id, keep_person_id=made.keep.id, actor=staff(),
                  steps=STEPS)  # fmt: skip
    db.commit()
    holder = select(CasePerson.person_id).where(CasePerson.person_id.is_not(None))
    assert db.scalars(holder).all() == [made.keep.id]
    merge = db.scalars(select(PersonMerge)).one()
    unmerging.unmerge(db, merge_id=merge.id, reason=REASON, reopen=False,
                      actor=staff(Role.SUPERVISOR), steps=STEPS)  # fmt: skip
    db.commit()
    assert db.scalars(holder).all() == [made.other.id]


def test_a_citizens_erasure_removes_the_merge_records_of_their_records(db: Session) -> None:
    from peduli import erasure
    from peduli.registry import rights
    from tests.factories import refreshed, signed_in_citizen

    citizen = signed_in_citizen(db, "yusuf@example.org")
    service.submit_self_report(db, report=report(), actor=citizen)
    citizen = refreshed(db, citizen)
    service.submit_self_report(
        db,
        report=report(nik=None, passport_number="B7654321", full_name="Moh. Jusuf",
                      phone="+821098765432", email="jusuf@example.org"),
        actor=staff(Role.HQ_ADMIN),
    )  # fmt: skip
    pair = db.scalars(select(DuplicateCandidate)).one()
    merging.merge(db, candidate_id=pair.id, keep_person_id=citizen.person_id, actor=staff(),
                  steps=STEPS)  # fmt: skip
    db.commit()
    assert db.scalars(select(PersonMerge)).one().moved["stays"]
    rights.delete_own_data(db, actor=citizen, steps=erasure.STEPS)
    db.commit()
    assert db.scalars(select(PersonMerge)).all() == []
