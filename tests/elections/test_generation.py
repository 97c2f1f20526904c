"""Generating the lists from the registry: who is on them (the eligibility edge cases), the
proposed methods and places, sealed columns copied sealed, and a constant number of
statements whatever the number of people."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.core.crypto import get_cipher
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, ValidationFailed
from peduli.elections import checks
from peduli.elections.models import PollingPlace, VoterEntry, VoterList
from peduli.registry.models import NIK_PURPOSE
from tests.elections.conftest import (
    BUSAN,
    KL,
    SEOUL,
    election,
    facts,
    generated,
    officer,
    person,
)
from tests.factories import nik


def entries(db: Session) -> dict[str, VoterEntry]:
    return {e.full_name: e for e in db.scalars(select(VoterEntry))}


def test_who_is_on_the_list(db: Session) -> None:
    person(db, 1, name="Dewi Dewasa")
    person(db, 2, name="Tujuh Belas Tepat", born=date(2012, 2, 14))
    person(db, 3, name="Kurang Sehari", born=date(2012, 2, 15))
    married = person(db, 4, name="Muda Menikah", born=date(2012, 6, 1))
    facts(db, married, ever_married=True)
    soldier = person(db, 5, name="Prajurit Aktif", sex="M")
    facts(db, soldier, armed_forces_active=True)
    removed = person(db, 6, name="Hak Dicabut")
    facts(db, removed, right_removed=True, court_reference="PN Jakarta 12/2027")
    made = election(db)
    assert generated(db, made.id).voters == 3
    listed = entries(db)
    assert set(listed) == {"Dewi Dewasa", "Tujuh Belas Tepat", "Muda Menikah"}
    assert listed["Muda Menikah"].ever_married is True


def test_methods_places_and_sealed_copies(db: Session) -> None:
    person(db, 1, name="Dewi Seoul")
    person(db, 2, name="Rina Seoul")
    person(db, 3, name="Budi Busan", **BUSAN)
    person(db, 5, name="Tri Seoul")
    person(db, 4, name="Sawit Sepang", post=KL)
    made = election(db)
    generated(db, made.id)
    listed = entries(db)
    assert {n: e.method for n, e in listed.items()} == {
        "Dewi Seoul": "tpsln", "Rina Seoul": "tpsln", "Tri Seoul": "tpsln", "Budi Busan": "pos",
        "Sawit Sepang": "ksk",
    }  # fmt: skip
    places = {p.id: p.code for p in db.scalars(select(PollingPlace))}
    # Three voters take Seoul's two stations in turn (by name); the box goes to Sepang.
    stations = [
        places[listed[n].polling_place_id] for n in ("Dewi Seoul", "Rina Seoul", "Tri Seoul")
    ]  # type: ignore[index]
    assert stations == ["TPSLN 01", "TPSLN 02", "TPSLN 01"]
    assert places[listed["Sawit Sepang"].polling_place_id] == "KSK 01"  # type: ignore[index]
    assert listed["Budi Busan"].polling_place_id is None
    dewi = listed["Dewi Seoul"]
    assert (
        dewi.nik_encrypted
        and nik(born=date(1990, 5, 17), sex="F", serial=1) not in dewi.nik_encrypted
    )
    assert get_cipher().decrypt(dewi.nik_encrypted, purpose=NIK_PURPOSE) == nik(
        born=date(1990, 5, 17), sex="F", serial=1
    )
    assert {v.representation_code for v in db.scalars(select(VoterList))} == {SEOUL, KL}


def _statements(db: Session, people: int, start: int) -> int:
    for serial in range(start, start + people):
        person(db, serial, name=f"Orang {serial}")
    made = election(db)
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        generated(db, made.id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_generation_is_set_based(db: Session) -> None:
    few = _statements(db, 2, 100)
    db.rollback()
    many = _statements(db, 12, 200)
    assert few == many


def test_a_courts_removal_needs_its_reference(db: Session) -> None:
    someone = person(db, 1)
    with pytest.raises(ValidationFailed):
        facts(db, someone, right_removed=True)


def test_no_new_round_once_a_list_is_fixed(db: Session) -> None:
    person(db, 1, name="Dewi Seoul")
    made = election(db)
    generated(db, made.id)
    supervisor = officer(SEOUL, role=Role.SUPERVISOR)
    checks.run_checks(db, election_id=made.id, post=None, actor=supervisor)
    checks.fix(db, election_id=made.id, post=None, actor=supervisor)
    with pytest.raises(Conflict):
        generated(db, made.id)


def test_a_second_generation_of_the_same_round_is_told_not_failed(db: Session) -> None:
    """Another organiser's generation commits the round between this one's read and write."""
    person(db, 1, name="Dewi Seoul")
    made = election(db)
    db.flush()  # the next flush is the generation's own

    @event.listens_for(db, "before_flush", once=True)
    def _the_other_organiser_was_first(session: Session, *_args: object) -> None:
        session.execute(
            insert(VoterList).values(
                id=uuid.uuid4(), election_id=made.id, representation_code=SEOUL, round=1,
                state="draft", generated_at=utcnow(),
            )
        )  # fmt: skip

    with pytest.raises(Conflict) as refused:
        generated(db, made.id)
    assert refused.value.code == "generation_running"
