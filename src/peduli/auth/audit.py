"""Append-only, hash-chained audit log of every change, staff read and denied access.

Each entry's hash covers its content and the previous entry's hash, so altering or removing
any row breaks the chain at that point, and ``verify`` names it. Entries are written in the
caller's transaction: an action that rolls back leaves no audit entry, and an audit failure
rolls the action back. Values of secret fields are never written, only their names.

The log is striped over ``AUDIT_CHAINS`` independent chains. Each chain's newest hash lives
in a head row that a writer locks (``SELECT … FOR UPDATE``) until its commit, so a chain never
forks; with one chain, every audited request in the country would queue behind that single
lock, with several they rarely meet. A transaction keeps to one chain, so two transactions
never wait on each other's chains in opposite orders (no deadlock).
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    bindparam,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.dml import Update

from peduli.auth.actor import Actor
from peduli.core.db import Base, after_rollback, is_postgres, utcnow

GENESIS = "0" * 64
AUDIT_CHAINS = 8
_SESSION_CHAIN = "peduli.audit.chain"


class AuditEntry(Base):
    """One audited event. Never updated or deleted by the application."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_subject", "subject_person_id", "seq"),
        Index("ix_audit_entry_actor", "actor_account_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    chain: Mapped[int] = mapped_column(SmallInteger, default=0)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_role: Mapped[str] = mapped_column(String(20))
    actor_account_id: Mapped[uuid.UUID | None]
    actor_display: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    subject_person_id: Mapped[uuid.UUID | None]
    fields: Mapped[str] = mapped_column(Text, default="[]")
    reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(10), default="allowed")
    ip: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditChainHead(Base):
    """The newest hash of one chain: the row writers lock, and what ``verify`` ends on."""

    __tablename__ = "audit_chain_head"

    chain: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))


def _digest(entry: AuditEntry) -> str:
    """Hash of the entry's content chained to its predecessor (canonical JSON, sorted keys)."""
    return hashlib.sha256(_canonical(entry).encode()).hexdigest()


def _canonical(entry: AuditEntry) -> str:
    content = {
        "chain": entry.chain,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_role": entry.actor_role,
        "actor_account_id": str(entry.actor_account_id) if entry.actor_account_id else None,
        "actor_display": entry.actor_display,
        "action": entry.action,
        "entity_type": entry.entity_type,
        "entity_id": entry.entity_id,
        "subject_person_id": str(entry.subject_person_id) if entry.subject_person_id else None,
        "fields": entry.fields,
        "reason": entry.reason,
        "outcome": entry.outcome,
        "ip": entry.ip,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"))


_PREVIOUS_MARK = "@@previous@@"
_PREVIOUS_FIELD = '"prev_hash":"{}"'


def _canonical_around_previous(entry: AuditEntry) -> tuple[str, str]:
    """The canonical JSON before and after the previous hash's value, for the database to
    hash with the head it locks. Quotes inside values are escaped, so the field's text can
    only be the field itself."""
    entry.prev_hash = _PREVIOUS_MARK
    before, mark, after = _canonical(entry).partition(_PREVIOUS_FIELD.format(_PREVIOUS_MARK))
    assert mark, "the canonical form lost its prev_hash field"
    return before + '"prev_hash":"', '"' + after


def _chain_of(session: Session) -> int:
    """The chain this session writes to: one per session, so one lock per transaction."""
    chain = session.info.get(_SESSION_CHAIN)
    if chain is None:
        chain = session.info[_SESSION_CHAIN] = random.randrange(AUDIT_CHAINS)
    return int(chain)


_LOCK_HEAD = (
    select(AuditChainHead.hash)
    .where(AuditChainHead.chain == bindparam("head_chain"))
    .with_for_update()
)


def _locked_chain_head(session: Session, chain: int) -> str:
    """Lock the chain's head row until commit and read it, in one round trip.

    Under READ COMMITTED a ``FOR UPDATE`` that had to wait reads the row's newest version, so
    the hash is never one a concurrent writer has already replaced. (SQLite has one writer.)
    """
    parameters = {"head_chain": chain}
    newest = session.connection().scalar(_LOCK_HEAD, parameters)
    if newest is None:
        dialect_insert = pg_insert if is_postgres(session) else sqlite_insert
        session.execute(
            dialect_insert(AuditChainHead)
            .values(chain=chain, hash=GENESIS)
            .on_conflict_do_nothing(index_elements=["chain"])
        )
        newest = session.scalar(_LOCK_HEAD, parameters)
    return newest or GENESIS


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    entity_type: str,
    entity_id: str | None = None,
    subject_person_id: uuid.UUID | None = None,
    fields: Sequence[str] = (),
    reason: str | None = None,
    outcome: str = "allowed",
    ip: str | None = None,
) -> None:
    """Append one entry to the chain in the caller's transaction.

    Call it last in a unit of work: on PostgreSQL the chain lock is held until commit.
    """
    session.flush()  # the caller's pending rows go out before the chain is locked
    entry = AuditEntry(
        at=utcnow(),
        actor_role=str(actor.role) if actor else "anonymous",
        actor_account_id=actor.account_id if actor else None,
        actor_display=actor.display if actor else "anonymous",
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        subject_person_id=subject_person_id,
        fields=json.dumps(sorted(set(fields))),
        reason=reason,
        outcome=outcome,
        ip=ip or (actor.ip if actor else None),
        chain=_chain_of(session),
    )
    if is_postgres(session):
        _append_to_locked_head(session, entry)
        return
    entry.prev_hash = _locked_chain_head(session, entry.chain)
    entry.hash = _digest(entry)
    values = {f"entry_{key}": getattr(entry, key) for key in _ENTRY_COLUMNS}
    connection = session.connection()
    connection.execute(_ADD_ENTRY, values)
    connection.execute(_MOVE_HEAD_TO, {"head_chain": entry.chain, "head_hash": entry.hash})


_ENTRY_COLUMNS = [column.key for column in AuditEntry.__table__.columns if column.key != "seq"]
# Built once, with bound parameters: building a statement costs more than running it.
_ADD_ENTRY = insert(AuditEntry).values({key: bindparam(f"entry_{key}") for key in _ENTRY_COLUMNS})
_MOVE_HEAD = update(AuditChainHead).where(AuditChainHead.chain == bindparam("head_chain"))
_MOVE_HEAD_TO = _MOVE_HEAD.values(hash=bindparam("head_hash"))


def _lock_hash_append_and_move() -> Update:
    """PostgreSQL, one statement: lock the chain's head, insert the entry hashed with it
    (``sha256`` of the canonical JSON, the same bytes ``_digest`` hashes), move the head."""
    head = _LOCK_HEAD.cte("head")
    given = [key for key in _ENTRY_COLUMNS if key not in ("prev_hash", "hash")]
    columns = AuditEntry.__table__.columns
    chained = bindparam("before", type_=Text) + head.c.hash + bindparam("after", type_=Text)
    digest = func.encode(func.sha256(func.convert_to(chained, literal("UTF8"))), literal("hex"))
    rows = select(
        *(bindparam(f"entry_{key}", type_=columns[key].type) for key in given),
        head.c.hash,
        digest,
    )
    added = (
        insert(AuditEntry)
        .from_select([*given, "prev_hash", "hash"], rows)
        .returning(AuditEntry.hash)
        .cte("added")
    )
    return _MOVE_HEAD.values(hash=select(added.c.hash).scalar_subquery()).returning(
        AuditChainHead.hash
    )


_LOCK_HASH_APPEND_AND_MOVE = _lock_hash_append_and_move()


def _append_to_locked_head(session: Session, entry: AuditEntry) -> None:
    """One round trip instead of a lock, then an insert: the head stays locked for less."""
    before, after = _canonical_around_previous(entry)
    values = {f"entry_{key}": getattr(entry, key) for key in _ENTRY_COLUMNS}
    values |= {"head_chain": entry.chain, "before": before, "after": after}
    connection = session.connection()
    if connection.execute(_LOCK_HASH_APPEND_AND_MOVE, values).first() is None:
        _locked_chain_head(session, entry.chain)  # a chain's first entry: create its head
        connection.execute(_LOCK_HASH_APPEND_AND_MOVE, values)


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a chain check: ``broken_seq`` is the first entry that does not verify."""

    checked: int
    broken_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(session: Session, *, expected_head: str | None = None) -> VerifyResult:
    """Recompute every chain from the start; stop at the first altered, removed or forged entry.

    Removing the newest entries of a chain leaves it shorter than its head row says; who
    also rewrote the head rows is caught by the anchor noted elsewhere (``expected_head``).
    """
    previous: dict[int, str] = {}
    checked = 0
    for entry in iter_entries(session):
        if entry.prev_hash != previous.get(entry.chain, GENESIS):
            return VerifyResult(checked, entry.seq, "an entry before it was removed or altered")
        if _digest(entry) != entry.hash:
            return VerifyResult(checked, entry.seq, "its content was altered")
        previous[entry.chain] = entry.hash
        checked += 1
    if _stored_heads(session) != previous:
        return VerifyResult(checked, None, "the newest entries are missing (head rows differ)")
    if expected_head and _anchor(previous) != expected_head:
        return VerifyResult(checked, None, "the newest entries are missing (anchor differs)")
    return VerifyResult(checked)


def head(session: Session) -> str:
    """One hash over the heads of all chains, to note outside the database as an anchor."""
    return _anchor(_stored_heads(session))


def _stored_heads(session: Session) -> dict[int, str]:
    rows = session.execute(select(AuditChainHead.chain, AuditChainHead.hash))
    return {chain: newest for chain, newest in rows if newest != GENESIS}


def _anchor(heads: dict[int, str]) -> str:
    if not heads:
        return GENESIS
    lines = "\n".join(f"{chain}:{heads[chain]}" for chain in sorted(heads))
    return hashlib.sha256(lines.encode()).hexdigest()


def trail_for_person(
    session: Session, *, person_id: uuid.UUID, limit: int = 50, offset: int = 0
) -> tuple[int, list[AuditEntry]]:
    """Who processed this person's data, newest first (UU PDP art. 32), with the total."""
    condition = AuditEntry.subject_person_id == person_id
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(condition)) or 0
    page = session.scalars(
        select(AuditEntry)
        .where(condition)
        .order_by(AuditEntry.seq.desc())
        .limit(limit)
        .offset(offset)
    )
    return total, list(page)


def iter_entries(session: Session, *, after_seq: int = 0) -> Iterator[AuditEntry]:
    """Stream entries in chain order (export to an external archive)."""
    query = select(AuditEntry).where(AuditEntry.seq > after_seq).order_by(AuditEntry.seq)
    yield from session.scalars(query.execution_options(yield_per=2000))


def record_denial(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    entity_type: str,
    entity_id: str | None = None,
    subject_person_id: uuid.UUID | None = None,
    reason: str | None = None,
) -> None:
    """Audit a denied access; it is kept although the denied request rolls back."""

    def write(fresh: Session) -> None:
        record(
            fresh,
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            subject_person_id=subject_person_id,
            reason=reason,
            outcome="denied",
        )

    after_rollback(session, write)
