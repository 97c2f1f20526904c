"""The records linkage compares are read from the registry as it stores them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from peduli.demo import linkage_truth
from peduli.registry import service
from peduli.registry.linkage import records
from peduli.registry.linkage.names import name_tokens
from peduli.registry.linkage.records import load_records, load_with_candidates
from peduli.registry.models import Person, PersonStatus
from tests.factories import nik, report, staff

BORN = date(1988, 3, 14)


def test_the_name_tokens_come_from_the_stored_name_key_as_folded_from_the_full_name(
    db: Session,
) -> None:
    full_name = "Hj. Siti Nur Aminah binti Moh. Djoko"
    person = service.submit_self_report(
        db,
        report=report(
            full_name=full_name, date_of_birth=BORN, sex="F", nik=nik(born=BORN, sex="F"),
            passport_number="C1234567", phone="+821012345678", email=None,
        ),
        actor=staff(),
    ).person  # fmt: skip
    expected = name_tokens(full_name)
    assert expected[:4] == ("siti", "nur", "aminah", "muhammad")  # title and binti dropped
    assert load_records(db, [person.id])[person.id].tokens == expected
    assert load_with_candidates(db, person)[person.id].tokens == expected


def test_a_few_people_or_most_of_the_registry_are_read_alike(db: Session) -> None:
    people = [
        service.submit_self_report(
            db,
            report=report(
                full_name=name, date_of_birth=BORN, sex="F", nik=nik(born=BORN, sex="F", serial=n),
                passport_number=f"C123456{n}", phone=f"+82101234567{n}", email=None,
            ),
            actor=staff(),
        ).person
        for n, name in enumerate(("Siti Aminah", "Umi Kalsum", "Yosefina Pattiasina"), start=1)
    ]  # fmt: skip
    statements: list[str] = []

    def capture(*args: object) -> None:
        statements.append(str(args[2]).lower())

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        one = load_records(db, [people[0].id])  # a third: joined to the ids
        everyone = load_records(db, [p.id for p in people])  # all: the registry scanned
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert not [s for s in statements if "count(" in s], "the registry is not counted"
    assert one[people[0].id] == everyone[people[0].id]
    assert {r.tokens for r in everyone.values()} == {
        ("siti", "aminah"), ("umi", "kalsum"), ("yosefina", "pattiasina"),
    }  # fmt: skip
    assert all(r.passports and r.phones and r.nik for r in everyone.values())


def test_a_parts_people_are_read_in_the_order_asked_over_several_statements(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = linkage_truth.write(db, linkage_truth.truth_set(40, seed_value=29).citizens)
    asked = list(reversed(ids))
    gone = asked[5]
    db.execute(update(Person).where(Person.id == gone).values(status=PersonStatus.MERGED))
    monkeypatch.setattr(records, "IDS_PER_STATEMENT", {True: 7, False: 7})
    columns, loaded = records.part_columns(db, asked)
    assert list(columns.ids) == [person_id for person_id in asked if person_id != gone]
    assert loaded.tolist() == [person_id != gone for person_id in asked]
    one = load_records(db, [asked[0]])[asked[0]]
    assert columns.record(0) == one
