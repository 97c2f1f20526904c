"""The keyed audit chain against a database administrator, with signed checkpoints kept
outside the database: a wiped, rewound or re-hashed log is found and named."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, event, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from peduli.auth import audit, audit_verification
from peduli.auth import checkpoint as audit_checkpoint
from peduli.auth.audit import AuditChainHead, AuditEntry
from peduli.cli.audit import app
from peduli.core.config import get_settings
from peduli.core.db import get_sessionmaker, session_scope, utcnow
from peduli.core.periodic import run_due_tasks
from peduli.jobs import PERIODIC_TASKS
from tests.factories import staff

KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
OTHER_KEY = base64.urlsafe_b64encode(b"o" * 32).decode()


@pytest.fixture(autouse=True)
def audit_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An installation's own key (not the development default)."""
    monkeypatch.setenv("PEDULI_AUDIT_KEY", KEY)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def _transactions(count: int, per_transaction: int = 3) -> None:
    """``count`` audited transactions, each on its own chain, like requests."""
    for _ in range(count):
        with session_scope() as session:
            for number in range(per_transaction):
                audit.record(
                    session,
                    actor=staff(),
                    action="person.read",
                    entity_type="person",
                    entity_id=str(number),
                    subject_person_id=uuid.uuid4(),
                    fields=["nik"],
                )


def _checkpoint_file(tmp_path: Path, db: Session | None = None) -> Path:
    if db is not None:
        db.commit()  # SQLite: end the test's read, which holds the writer's turn
    target = tmp_path / "checkpoint.json"
    result = CliRunner().invoke(app, ["checkpoint", "--out", str(target)])
    assert result.exit_code == 0, result.output
    return target


def _verify(checkpoint: Path, db: Session | None = None) -> tuple[int, str]:
    if db is not None:
        db.commit()
    result = CliRunner().invoke(app, ["verify", "--checkpoint", str(checkpoint)])
    return result.exit_code, result.output


def _newest(db: Session) -> AuditEntry:
    return db.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()


def _chain_entries(db: Session, chain: int) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.seq)
    return list(db.scalars(query))


def _rehash_plainly(db: Session, chain: int, *, from_seq: int) -> None:
    """What an administrator without the key can do after an edit: recompute the chain
    from there with plain SHA-256 and move the head row along."""
    entries = [entry for entry in _chain_entries(db, chain) if entry.seq >= from_seq]
    previous = entries[0].prev_hash
    for entry in entries:
        entry.prev_hash = previous
        entry.hash = previous = hashlib.sha256(audit.canonical(entry).encode()).hexdigest()
        db.flush()
    db.execute(update(AuditChainHead).where(AuditChainHead.chain == chain).values(hash=previous))
    db.commit()


def test_entries_are_keyed_and_the_key_never_reaches_the_database(
    clean_engine: Engine,
) -> None:
    sent: list[str] = []

    def capture(_conn: object, _cursor: object, statement: str, parameters: object, *_: object):
        sent.append(f"{statement} {parameters!r}")

    event.listen(clean_engine, "before_cursor_execute", capture)
    try:
        _transactions(2)
    finally:
        event.remove(clean_engine, "before_cursor_execute", capture)
    key = get_settings().audit_secret()
    assert all(KEY not in text and key.hex() not in text and repr(key) not in text for text in sent)
    with session_scope() as session:
        entry = session.scalars(select(AuditEntry).limit(1)).one()
        assert entry.hash != hashlib.sha256(audit.canonical(entry).encode()).hexdigest()
        assert audit_verification.verify(session).ok


def test_a_chain_rewritten_with_plain_sha256_is_named_re_hashed(db: Session) -> None:
    _transactions(1)
    first = db.scalars(select(AuditEntry).order_by(AuditEntry.seq).limit(1)).one()
    _rehash_plainly(db, first.chain, from_seq=first.seq)
    result = audit_verification.verify(db)
    assert [(finding.kind, finding.seq) for finding in result.findings] == [
        ("re-hashed", first.seq)
    ]
    assert f"chain {first.chain}, entry #{first.seq}" in (result.problem or "")


def test_an_edit_re_hashed_without_the_key_fails_at_the_edited_entry(
    db: Session, tmp_path: Path
) -> None:
    _transactions(1, per_transaction=5)
    checkpoint = _checkpoint_file(tmp_path, db)
    chain = _newest(db).chain
    edited = _chain_entries(db, chain)[1]
    edited.reason = "nothing to see"
    db.flush()
    _rehash_plainly(db, chain, from_seq=edited.seq)
    assert audit_verification.verify(db).broken_seq == edited.seq
    code, output = _verify(checkpoint, db)
    assert code == 1
    assert f"re-hashed: chain {chain}, entry #{edited.seq} was re-hashed without the key" in output


def test_an_edit_re_hashed_under_a_guessed_key_is_named_at_the_edited_entry(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _transactions(1, per_transaction=4)
    chain = _newest(db).chain
    edited = _chain_entries(db, chain)[2]
    monkeypatch.setenv("PEDULI_AUDIT_KEY", OTHER_KEY)
    get_settings.cache_clear()
    for entry in _chain_entries(db, chain)[2:]:
        if entry.seq == edited.seq:
            entry.actor_display = "someone else"
        entry.hash = audit.digest(entry, audit.audit_key())
        db.flush()
    db.commit()
    monkeypatch.setenv("PEDULI_AUDIT_KEY", KEY)
    get_settings.cache_clear()
    result = audit_verification.verify(db)
    assert (result.findings[0].kind, result.broken_seq) == ("altered", edited.seq)


def test_a_consistent_log_passes_and_entries_appended_after_the_checkpoint_are_fine(
    clean_engine: Engine, tmp_path: Path
) -> None:
    _transactions(6)
    checkpoint = _checkpoint_file(tmp_path)
    assert _verify(checkpoint)[0] == 0
    _transactions(6)
    code, output = _verify(checkpoint)
    assert code == 0, output
    assert "consistent with the checkpoint of" in output


def test_a_wiped_log_is_named_wiped_for_each_chain(db: Session, tmp_path: Path) -> None:
    _transactions(4)
    marks = audit.chain_marks(db)
    checkpoint = _checkpoint_file(tmp_path, db)
    db.execute(delete(AuditEntry))
    db.execute(delete(AuditChainHead))
    db.commit()
    assert audit_verification.verify(db).ok, (
        "an empty log is a valid log: only the checkpoint tells"
    )
    code, output = _verify(checkpoint, db)
    assert code == 1
    for chain, mark in marks.items():
        assert f"wiped: chain {chain} was wiped: none of its entries is left" in output
        assert f"{mark.entries} entries ending at entry #{mark.seq}" in output
    assert "rewound" not in output


def test_a_chain_wiped_and_written_again_is_named_wiped(db: Session, tmp_path: Path) -> None:
    _transactions(1)
    chain = _newest(db).chain
    checkpoint = _checkpoint_file(tmp_path, db)
    db.execute(delete(AuditEntry))
    db.execute(delete(AuditChainHead))
    db.commit()
    with session_scope() as session:
        session.info["peduli.audit.chain"] = chain
        audit.record(session, actor=staff(), action="person.read", entity_type="person")
    code, output = _verify(checkpoint, db)
    assert code == 1
    assert f"wiped: chain {chain} was wiped: none of its entries is left (1 written since)" in (
        output
    )


def test_a_rewound_chain_is_named_with_the_entry_it_was_rewound_to(
    db: Session, tmp_path: Path
) -> None:
    _transactions(3, per_transaction=4)
    chain = _newest(db).chain
    checkpoint = _checkpoint_file(tmp_path, db)
    entries = _chain_entries(db, chain)
    kept = entries[-3]
    db.execute(delete(AuditEntry).where(AuditEntry.seq > kept.seq, AuditEntry.chain == chain))
    db.execute(
        update(AuditChainHead)
        .where(AuditChainHead.chain == chain)
        .values(hash=kept.hash, entries=AuditChainHead.entries - 2)
    )
    db.commit()
    assert audit_verification.verify(db).ok, (
        "a shorter chain with a matching head is still a valid chain"
    )
    code, output = _verify(checkpoint, db)
    assert code == 1
    assert f"rewound: chain {chain} was rewound to entry #{kept.seq}" in output
    assert "the 2 entries after it were deleted; the checkpoint of" in output
    assert f"ending at entry #{entries[-1].seq}" in output
    assert "wiped" not in output and "re-hashed" not in output


def test_a_rewound_chain_written_again_is_named_rewound(db: Session, tmp_path: Path) -> None:
    _transactions(1, per_transaction=4)
    newest = _newest(db)
    checkpoint = _checkpoint_file(tmp_path, db)
    kept = _chain_entries(db, newest.chain)[1]
    db.execute(delete(AuditEntry).where(AuditEntry.seq > kept.seq))
    db.execute(update(AuditChainHead).values(hash=kept.hash, entries=2))
    db.commit()
    with session_scope() as session:
        session.info["peduli.audit.chain"] = newest.chain
        for _ in range(3):
            audit.record(session, actor=staff(), action="person.read", entity_type="person")
    code, output = _verify(checkpoint, db)
    assert code == 1
    assert f"rewound: chain {newest.chain} was rewound" in output
    assert f"entry #{newest.seq}" in output


def test_a_checkpoint_with_a_wrong_signature_is_refused(db: Session, tmp_path: Path) -> None:
    _transactions(2)
    checkpoint = _checkpoint_file(tmp_path, db)
    document = json.loads(checkpoint.read_text())
    document["chains"][0]["entries"] += 5
    checkpoint.write_text(json.dumps(document))
    code, output = _verify(checkpoint, db)
    assert code == 1
    assert "REFUSED: its signature is wrong" in output


def test_a_checkpoint_signed_with_another_key_is_refused(
    clean_engine: Engine, tmp_path: Path
) -> None:
    _transactions(2)
    with session_scope() as session:
        forged = audit_checkpoint.dumps(
            audit_checkpoint.take(session, now=utcnow()), key=base64.b64decode(OTHER_KEY)
        )
    path = tmp_path / "forged.json"
    path.write_bytes(forged)
    code, output = _verify(path)
    assert (code, "REFUSED: its signature is wrong" in output) == (1, True)


def test_the_worker_writes_a_signed_checkpoint_of_every_chain_end(
    clean_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "sink" / "audit-checkpoint.json"
    monkeypatch.setenv("PEDULI_AUDIT_CHECKPOINT_PATH", str(target))
    get_settings.cache_clear()
    _transactions(5)
    tasks = [task for task in PERIODIC_TASKS if task.name == "audit-checkpoint"]
    assert tasks and tasks[0].every_seconds <= 600
    run_due_tasks(get_sessionmaker(), tasks, worker_id="w1")
    written = audit_checkpoint.loads(target.read_bytes(), key=get_settings().audit_secret())
    with session_scope() as session:
        assert written.chains == audit.chain_marks(session)
        entries = session.scalar(select(AuditChainHead.entries).limit(1))
    assert sum(mark.entries for mark in written.chains.values()) == 15
    assert all(mark.seq is not None for mark in written.chains.values()) and entries


def test_a_checkpoint_directory_keeps_one_file_per_checkpoint(
    clean_engine: Engine, tmp_path: Path
) -> None:
    _transactions(1)
    sink = audit_checkpoint.FileSink(f"{tmp_path}/checkpoints/")
    with session_scope() as session:
        for _ in range(2):
            audit_checkpoint.write(session, sink=sink, key=b"k" * 32, now=utcnow())
    assert len(list((tmp_path / "checkpoints").glob("audit-checkpoint-*.json"))) == 2
