"""Candidates by index: a mistyped birth date, a wrong NIK digit or a typo still meet."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.demo import linkage_truth
from peduli.registry import service
from peduli.registry.linkage import batch, batch_blocking, blocking
from peduli.registry.models import DuplicateCandidate, Person
from tests.factories import nik, report, staff

BORN = date(1988, 3, 14)


def _person(db: Session, **overrides: object) -> Person:
    values: dict[str, object] = {
        "full_name": "Yosefina Pattiasina", "date_of_birth": BORN, "sex": "F",
        "nik": nik(born=BORN, sex="F"), "passport_number": "C1234567",
        "phone": "+821012345678", "email": None,
    } | overrides  # fmt: skip
    return service.submit_self_report(db, report=report(**values), actor=staff()).person


def test_a_new_record_finds_the_same_name_with_a_mistyped_birth_year(db: Session) -> None:
    first = _person(db)
    second = _person(
        db, date_of_birth=date(1989, 3, 14), nik=None, passport_number="C7654321",
        phone="+821099999999", full_name="Josefina Pattiasina",
    )  # fmt: skip
    assert first.id in blocking.candidates_of(db, second)
    pair = db.scalars(select(DuplicateCandidate)).one()
    assert {pair.person_id, pair.other_person_id} == {first.id, second.id}
    assert {e["comparison"]: e["outcome"] for e in pair.evidence}["birth_date"] == "close"


def test_a_nik_digit_error_with_a_mistyped_birth_day_meets_through_the_regency(
    db: Session,
) -> None:
    first = _person(db)
    typed = date(1988, 3, 24)  # and the NIK with it, and its serial's last digit
    second = _person(
        db, date_of_birth=typed, nik=nik(born=typed, sex="F", serial=2),
        passport_number="C7654321", phone="+821099999999", full_name="Yosefina Patiasina",
    )  # fmt: skip
    assert second.link_region == first.link_region
    assert first.id in blocking.candidates_of(db, second)
    pair = db.scalars(select(DuplicateCandidate)).one()
    outcomes = {e["comparison"]: e["outcome"] for e in pair.evidence}
    assert (outcomes["nik"], outcomes["birth_date"], outcomes["name"]) == ("close",) * 3


def test_strangers_share_no_key(db: Session) -> None:
    first = _person(db)
    other = _person(
        db, full_name="Budi Santoso", date_of_birth=date(1970, 1, 2), sex="M",
        nik=nik(born=date(1970, 1, 2), sex="M", serial=5), passport_number="C7654321",
        phone="+821099999999",
    )  # fmt: skip
    assert blocking.candidates_of(db, other) == []
    assert first.id not in blocking.candidates_of(db, other)


def test_the_batch_finds_pairs_the_online_match_left_and_flags_them_once(db: Session) -> None:
    first = _person(db)
    second = _person(
        db, nik=None, passport_number="C7654321", phone="+821099999999",
        full_name="Hj. Yosefina Pattiasina",
    )  # fmt: skip
    db.execute(DuplicateCandidate.__table__.delete())
    outcome = batch.deduplicate(db)
    assert (outcome.flagged, outcome.known) == (1, 0)
    pair = db.scalars(select(DuplicateCandidate)).one()
    assert {pair.person_id, pair.other_person_id} == {first.id, second.id}
    assert pair.match_probability is not None and pair.match_probability >= 0.99
    assert pair.representation_code == "kbri-seoul"
    again = batch.deduplicate(db)
    assert (again.flagged, again.known) == (0, 1)


def test_the_operator_command_deduplicates_and_the_batch_is_audited(db: Session) -> None:
    from typer.testing import CliRunner

    from peduli.auth.audit import AuditEntry
    from peduli.cli.main import app

    _person(db)
    _person(db, nik=None, passport_number="C7654321", full_name="Yosefina Pattiasina Putri")
    db.execute(DuplicateCandidate.__table__.delete())
    db.commit()
    result = CliRunner().invoke(app, ["registry", "dedup"])
    assert result.exit_code == 0, result.output
    assert "part 1/1: 1 pairs scored, 1 newly flagged" in result.output
    assert "newly flagged: 1" in result.output
    db.expire_all()
    assert len(db.scalars(select(DuplicateCandidate)).all()) == 1
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "registry.deduplicate")).one()
    assert "1 newly flagged" in (entry.reason or "")


def test_the_batch_pairs_are_the_online_candidates(db: Session) -> None:
    truth = linkage_truth.truth_set(400, seed_value=22)
    ids = linkage_truth.write(db, truth.citizens)
    online = {
        tuple(sorted((person_id, other)))
        for person_id in ids
        for other in blocking.candidates_of(db, db.get_one(Person, person_id))
    }
    assert len(online) > 30
    assert set(batch_blocking.read_keys(db).pair_ids()) == online


def test_a_later_reports_place_of_birth_gives_a_common_name_its_year_and_day_keys(
    db: Session,
) -> None:
    common = {"full_name": "Umi Kalsum", "nik": nik(born=BORN, sex="F", serial=7)}
    first = _person(db, **common)
    assert (first.link_name_year, first.link_name_day) == (None, None)
    again = _person(db, **common, place_of_birth="Kab. Bantul")
    db.flush()
    stored = db.execute(
        select(Person.link_name_year, Person.link_name_day).where(Person.id == again.id)
    ).one()
    assert again.id == first.id
    assert tuple(stored) == ("1988:kalsum:umi@bantul", "0314:kalsum:umi@bantul")
