"""``peduli registry rekey``: stale blocking keys are brought to the current rule, without
touching a person's data or overwriting a correction made meanwhile."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from peduli.auth.audit import AuditEntry
from peduli.cli.main import app
from peduli.core.db import get_sessionmaker, session_scope
from peduli.registry import service
from peduli.registry.linkage import keys, rekeying
from peduli.registry.models import Person
from peduli.registry.service import SelfReportOutcome
from tests.factories import nik, report, staff

BORN = date(1987, 9, 2)
NAMES = ("Yosefina Pattiasina", "Umi Kalsum", "Ni Luh Ketut Suarniti")


def _register(serial: int, name: str) -> uuid.UUID:
    with session_scope() as db:
        outcome = service.submit_self_report(
            db,
            report=report(
                full_name=name, date_of_birth=BORN, sex="F", place_of_birth="Kab. Bantul",
                nik=nik(born=BORN, sex="F", serial=serial), passport_number=f"C765432{serial}",
                phone=f"+82109876543{serial}", email=None,
            ),
            actor=staff(),
        )  # fmt: skip
        assert isinstance(outcome, SelfReportOutcome)
        return outcome.person.id


def _keys(person_id: uuid.UUID) -> tuple[Any, ...]:
    with session_scope() as db:
        return tuple(db.execute(select(*rekeying.KEYS).where(Person.id == person_id)).one())


def _expected(person_id: uuid.UUID) -> tuple[Any, ...]:
    with session_scope() as db:
        person = db.get_one(Person, person_id)
        keys.refresh(person)
        expected = tuple(getattr(person, key.key) for key in rekeying.KEYS)
        db.rollback()
    return expected


def _clear_keys(person_id: uuid.UUID) -> None:
    with session_scope() as db:
        db.execute(
            update(Person)
            .where(Person.id == person_id)
            .values({key.key: None for key in rekeying.KEYS})
        )


def test_stale_keys_are_computed_again_once_and_the_person_is_not_stamped_changed(
    clean_engine: Engine,
) -> None:
    people = [_register(serial, name) for serial, name in enumerate(NAMES, start=1)]
    expected = _keys(people[0])
    assert expected == _expected(people[0]) and expected[0] is not None
    _clear_keys(people[0])
    with session_scope() as db:
        stamped = db.get_one(Person, people[0]).updated_at
    runner = CliRunner()
    first = runner.invoke(app, ["registry", "rekey", "--batch-size", "2"])
    assert first.exit_code == 0, first.output
    assert "2/3 people read" in first.output  # in batches, with progress
    assert "done: 1 of 3 people had stale keys" in first.output
    assert _keys(people[0]) == expected
    with session_scope() as db:
        assert db.get_one(Person, people[0]).updated_at == stamped
    again = runner.invoke(app, ["registry", "rekey"])
    assert "done: 0 of 3 people had stale keys" in again.output
    with session_scope() as db:
        reasons = db.scalars(select(AuditEntry.reason).where(AuditEntry.action == "registry.rekey"))
        assert list(reasons) == ["blocking keys computed again by the current rule: 1 rewritten"]


def test_a_rule_made_stricter_by_a_retrained_model_reaches_everyone_keyed_before_it(
    clean_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = _register(1, "Yosefina Pattiasina")
    assert _keys(person)[2] == "1987:pattiasina:yosefina"
    monkeypatch.setattr(keys, "COMMON_TOKEN", 0.0)  # every token now counts as common
    done = rekeying.rekey(get_sessionmaker())
    assert (done.done, done.rewritten) == (1, 1)
    assert _keys(person)[2] == "1987:pattiasina:yosefina@bantul"
    assert _keys(person)[4] is None  # a common name has no regency key


def test_a_person_corrected_between_the_read_and_the_write_keeps_what_the_correction_wrote(
    clean_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = _register(1, "Yosefina Pattiasina")
    _clear_keys(person)
    sessions: list[Session] = []
    factory = get_sessionmaker()

    def opened() -> Session:
        sessions.append(factory())
        return sessions[-1]

    def corrected_meanwhile(*args: Any) -> keys.LinkKeys:
        sessions[-1].execute(
            update(Person).where(Person.id == person).values(place_of_birth="Kota Ambon")
        )
        return keys.stored_keys(*args)

    monkeypatch.setattr(rekeying, "stored_keys", corrected_meanwhile)
    done = rekeying.rekey(opened)
    assert (done.done, done.rewritten) == (1, 0)
    assert _keys(person) == (None,) * len(rekeying.KEYS)
