"""The audit chain: appended in the action's transaction, and any tampering is found."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from peduli.auth import audit, audit_verification
from peduli.auth.audit import AuditChainHead, AuditEntry
from peduli.cli.audit import app
from peduli.core.db import session_scope
from tests.factories import staff


def _write(db: Session, count: int) -> None:
    actor = staff()
    for number in range(count):
        audit.record(
            db,
            actor=actor,
            action="person.read",
            entity_type="person",
            entity_id=str(number),
            subject_person_id=uuid.uuid4(),
            fields=["nik"],
        )
    db.commit()


def test_an_intact_chain_verifies(db: Session) -> None:
    _write(db, 5)
    result = audit_verification.verify(db)
    assert result.ok and result.checked == 5


def test_an_altered_entry_is_named(db: Session) -> None:
    _write(db, 5)
    third = db.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq).offset(2).limit(1)).one()
    db.execute(update(AuditEntry).where(AuditEntry.seq == third).values(reason="edited later"))
    db.commit()
    result = audit_verification.verify(db)
    assert (result.ok, result.broken_seq) == (False, third)


def test_a_removed_entry_breaks_the_chain_at_its_successor(db: Session) -> None:
    _write(db, 5)
    seqs = list(db.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)))
    db.execute(delete(AuditEntry).where(AuditEntry.seq == seqs[1]))
    db.commit()
    assert audit_verification.verify(db).broken_seq == seqs[2]


def test_removing_the_newest_entry_is_caught_by_the_head_row(db: Session) -> None:
    _write(db, 3)
    newest = db.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)).one()
    db.execute(delete(AuditEntry).where(AuditEntry.seq == newest))
    db.commit()
    result = audit_verification.verify(db)
    assert [finding.kind for finding in result.findings] == ["head"]
    assert "the newest entries are missing" in (result.problem or "")


def test_rewriting_the_head_rows_too_is_caught_with_a_noted_anchor(db: Session) -> None:
    _write(db, 3)
    noted = audit.head(db)
    last, before = db.execute(
        select(AuditEntry.seq, AuditEntry.prev_hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).one()
    db.execute(delete(AuditEntry).where(AuditEntry.seq == last))
    db.execute(update(AuditChainHead).values(hash=before))
    db.commit()
    assert audit_verification.verify(db).ok, (
        "a shorter chain with matching heads is still a valid chain"
    )
    assert not audit_verification.verify(db, expected_head=noted).ok


def test_a_transaction_keeps_to_one_chain_and_writers_spread_over_several(
    clean_engine: Engine,
) -> None:
    for _ in range(12):
        with session_scope() as session:
            for _ in range(3):
                audit.record(session, actor=staff(), action="person.read", entity_type="person")
    with session_scope() as session:
        chains = session.scalars(select(AuditEntry.chain).order_by(AuditEntry.seq)).all()
        assert all(len(set(chains[i : i + 3])) == 1 for i in range(0, 36, 3))
        assert len(set(chains)) > 1
        assert audit_verification.verify(session).ok


def test_cli_exits_nonzero_and_names_the_broken_entry(db: Session) -> None:
    _write(db, 3)
    runner = CliRunner()
    assert runner.invoke(app, ["verify"]).exit_code == 0
    first = db.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq).limit(1)).one()
    db.execute(update(AuditEntry).where(AuditEntry.seq == first).values(actor_display="someone"))
    db.commit()
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 1
    assert f"entry #{first}" in result.output


def test_nothing_is_audited_when_the_action_rolls_back(db: Session) -> None:
    audit.record(db, actor=staff(), action="stay.update", entity_type="stay")
    db.rollback()
    assert db.scalars(select(AuditEntry)).first() is None


def test_concurrent_writers_never_fork_the_chain(clean_engine: Engine) -> None:
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(10):
                with session_scope() as session:
                    audit.record(session, actor=staff(), action="person.read", entity_type="person")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with session_scope() as session:
        result = audit_verification.verify(session)
    assert result.ok and result.checked == 40


@pytest.mark.parametrize("secret", ["3171011705900001", "C1234567"])
def test_values_of_secret_fields_never_enter_the_log(db: Session, secret: str) -> None:
    audit.record(
        db, actor=staff(), action="person.read", entity_type="person", fields=["nik", "passport"]
    )
    db.commit()
    rows = db.execute(select(AuditEntry)).scalars().all()
    assert all(secret not in str(vars(row)) for row in rows)


def test_an_entry_hashed_over_a_stale_head_guess_is_rehashed_over_the_real_head(
    clean_engine: Engine,
) -> None:
    """On PostgreSQL a process guesses its chain's head (the hash it wrote last); another
    process having written the chain since, the guess is wrong and must never fork it."""
    with session_scope() as session:
        session.info["peduli.audit.chain"] = 2
        audit.record(session, actor=staff(), action="person.read", entity_type="person")
    stale = audit._last_written.get(2, audit.GENESIS)
    with session_scope() as session:
        session.info["peduli.audit.chain"] = 2
        audit.record(session, actor=staff(), action="person.read", entity_type="person")
    audit._last_written[2] = stale  # as if another process had written the second entry
    with session_scope() as session:
        session.info["peduli.audit.chain"] = 2
        audit.record(session, actor=staff(), action="person.update", entity_type="person")
    with session_scope() as session:
        result = audit_verification.verify(session)
        assert (result.ok, result.checked) == (True, 3), result.findings
        assert audit.chain_marks(session)[2].entries == 3


def test_cli_head_prints_the_anchor_that_verify_checks(db: Session) -> None:
    _write(db, 3)
    runner = CliRunner()
    printed = runner.invoke(app, ["head"]).output.strip()
    assert printed == audit.head(db) != audit.GENESIS
    db.commit()  # SQLite: end the test's read, which holds the writer's turn
    assert runner.invoke(app, ["verify", "--expected-head", printed]).exit_code == 0
    assert runner.invoke(app, ["verify", "--expected-head", "f" * 64]).exit_code == 1


def test_subjects_recorded_since_names_only_this_actors_allowed_entries_in_time(
    db: Session,
) -> None:
    from datetime import timedelta

    from peduli.core.db import utcnow

    me, other = staff(), staff()
    seen, denied, by_other, new = (uuid.uuid4() for _ in range(4))
    for actor, subject, outcome in (
        (me, seen, "allowed"), (me, denied, "denied"), (other, by_other, "allowed"),
    ):  # fmt: skip
        audit.record(
            db, actor=actor, action="crisis.help_list", entity_type="crisis",
            entity_id="c1", subject_person_id=subject, outcome=outcome,
        )  # fmt: skip
    db.commit()
    everyone = [seen, denied, by_other, new]
    since = utcnow() - timedelta(minutes=15)

    def recorded(**changes: object) -> set[uuid.UUID]:
        ask: dict[str, object] = {
            "actor": me, "action": "crisis.help_list", "entity_id": "c1",
            "subjects": everyone, "since": since,
        }  # fmt: skip
        return audit.subjects_recorded_since(db, **(ask | changes))

    assert recorded() == {seen}
    assert recorded(entity_id="c2") == set()
    assert recorded(since=utcnow() + timedelta(seconds=1)) == set()
    assert recorded(actor=other) == {by_other}
