"""Append-only, keyed hash chain of every change, staff read and denied access.

Each entry's hash is an HMAC-SHA256, under a key that never enters the database
(``PEDULI_AUDIT_KEY``), of its content and the previous entry's hash: altering or removing
any row breaks the chain at that point, and whoever can only write to the database cannot
recompute the hashes after an edit. ``audit_verification.verify`` names the first broken
entry of each chain.
Entries are written in the caller's transaction: an action that rolls back leaves no audit
entry, and an audit failure rolls the action back. Values of secret fields are never written,
only their names.

The log is striped over ``AUDIT_CHAINS`` independent chains. Each chain's newest hash lives
in a head row that a writer locks (``SELECT … FOR UPDATE``) until its commit, so a chain never
forks; with one chain, every audited request in the country would queue behind that single
lock, with several they rarely meet. A transaction keeps to one chain, so two transactions
never wait on each other's chains in opposite orders (no deadlock).

What a chain cannot show by itself is its own end removed together with its head row (a
rewind) or its whole wipe: ``peduli worker`` signs the heads outside the database
(``auth.checkpoint``), and ``audit_verification.verify`` compares the chains with such a
checkpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import uuid
from collections.abc import Collection, Iterator, Sequence
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
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql import Select

from peduli.auth.actor import Actor
from peduli.core.config import get_settings
from peduli.core.db import Base, after_rollback, insert_on_conflict, is_postgres, utcnow

GENESIS = "0" * 64
AUDIT_CHAINS = 8
_SESSION_CHAIN = "peduli.audit.chain"


class AuditEntry(Base):
    """One audited event. Never updated or deleted by the application."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_subject", "subject_person_id", "seq"),
        Index("ix_audit_entry_actor", "actor_account_id", "seq"),
        # Never reuse a number (SQLite would after the newest rows are deleted): an entry's
        # number names one entry for good, as on PostgreSQL, checkpoints included.
        {"sqlite_autoincrement": True},
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
    """The newest hash of one chain and its length: the row writers lock, and what
    ``verify`` ends on and a checkpoint signs."""

    __tablename__ = "audit_chain_head"

    chain: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(BigInteger, default=0)


def audit_key() -> bytes:
    """The chain's HMAC key, from settings (never stored in the database)."""
    return get_settings().audit_secret()


def digest(entry: AuditEntry, key: bytes) -> str:
    """Keyed hash of the entry's content chained to its predecessor (canonical JSON)."""
    return hmac.new(key, canonical(entry).encode(), hashlib.sha256).hexdigest()


def canonical(entry: AuditEntry) -> str:
    """The entry's content as the hash covers it: canonical JSON, its link included."""
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
    connection = session.connection()
    newest = connection.scalar(_LOCK_HEAD, parameters)
    if newest is None:
        connection.execute(
            insert_on_conflict(session, AuditChainHead)
            .values(chain=chain, hash=GENESIS, entries=0)
            .on_conflict_do_nothing(index_elements=["chain"])
        )
        newest = connection.scalar(_LOCK_HEAD, parameters)
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
    # The key must not reach the database (its statement and error logs would hold it), so
    # the HMAC is computed here, over the head hash read under the chain's lock.
    key = audit_key()
    if is_postgres(session):
        _append_on_postgres(session, entry, key)
        return
    entry.prev_hash = _locked_chain_head(session, entry.chain)
    entry.hash = digest(entry, key)
    values = _values(entry)
    connection = session.connection()
    connection.execute(_ADD_ENTRY, values)
    connection.execute(_MOVE_HEAD, values)


# The hash this process last wrote on each chain: while no other process wrote that chain
# since, it is still the chain's head, and hashing over it saves reading the head first.
_last_written: dict[int, str] = {}


def _append_on_postgres(session: Session, entry: AuditEntry, key: bytes) -> None:
    """One round trip when this process wrote the chain last: lock the head and append the
    entry hashed over the guessed head only if it is the head. Otherwise the head is now
    locked and known: hash over it and write, the round trip reading it would have cost."""
    connection = session.connection()
    entry.prev_hash = _last_written.get(entry.chain, GENESIS)
    entry.hash = digest(entry, key)
    row = connection.execute(_APPEND_IF_HEAD_IS, _values(entry)).first()
    if row is None or row.moved is None:
        entry.prev_hash = row.hash if row else _locked_chain_head(session, entry.chain)
        entry.hash = digest(entry, key)
        connection.execute(_APPEND_AND_MOVE_HEAD, _values(entry))
    _last_written[entry.chain] = entry.hash


def _values(entry: AuditEntry) -> dict[str, object]:
    values = {f"entry_{key}": getattr(entry, key) for key in _ENTRY_COLUMNS}
    return values | {"head_chain": entry.chain, "head_hash": entry.hash}


_ENTRY_COLUMNS = [column.key for column in AuditEntry.__table__.columns if column.key != "seq"]
# Built once, with bound parameters: building a statement costs more than running it.
_ADD_ENTRY = insert(AuditEntry).values({key: bindparam(f"entry_{key}") for key in _ENTRY_COLUMNS})
_MOVE_HEAD = (
    update(AuditChainHead)
    .where(AuditChainHead.chain == bindparam("head_chain"))
    .values(hash=bindparam("head_hash"), entries=AuditChainHead.entries + 1)
)
# PostgreSQL: the insert and the head's move in one statement, one round trip.
_APPEND_AND_MOVE_HEAD = _MOVE_HEAD.values(
    hash=select(_ADD_ENTRY.returning(AuditEntry.hash).cte("added").c.hash).scalar_subquery()
)


def _append_if_head_is() -> Select[tuple[str, str | None]]:
    """Lock the head; insert and move it only if it is the entry's ``prev_hash``; answer the
    head as locked and the new head (NULL when the guess was wrong and nothing was written)."""
    head = _LOCK_HEAD.cte("head")
    columns = AuditEntry.__table__.columns
    given = [key for key in _ENTRY_COLUMNS if key != "prev_hash"]
    rows = select(
        *(bindparam(f"entry_{key}", type_=columns[key].type) for key in given), head.c.hash
    ).where(head.c.hash == bindparam("entry_prev_hash", type_=String))
    added = (
        insert(AuditEntry)
        .from_select([*given, "prev_hash"], rows)
        .returning(AuditEntry.hash)
        .cte("added")
    )
    moved = (
        update(AuditChainHead)
        .where(AuditChainHead.chain == bindparam("head_chain"), select(added.c.hash).exists())
        .values(hash=select(added.c.hash).scalar_subquery(), entries=AuditChainHead.entries + 1)
        .returning(AuditChainHead.hash)
        .cte("moved")
    )
    return select(head.c.hash, select(moved.c.hash).scalar_subquery().label("moved"))


_APPEND_IF_HEAD_IS = _append_if_head_is()


@dataclass(frozen=True)
class ChainMark:
    """Where one chain ended at some moment: its length, newest entry and hash."""

    entries: int
    seq: int | None
    hash: str


def chain_marks(session: Session) -> dict[int, ChainMark]:
    """Each chain's end, read in one statement (one snapshot): what a checkpoint signs."""
    rows = session.execute(
        select(AuditChainHead.chain, AuditChainHead.entries, AuditEntry.seq, AuditChainHead.hash)
        .outerjoin(AuditEntry, AuditEntry.hash == AuditChainHead.hash)
        .where(AuditChainHead.hash != GENESIS)
        .order_by(AuditChainHead.chain)
    )
    return {chain: ChainMark(entries, seq, newest) for chain, entries, seq, newest in rows}


def head(session: Session) -> str:
    """One hash over the heads of all chains, to note outside the database as an anchor."""
    return anchor(stored_heads(session))


def stored_heads(session: Session) -> dict[int, str]:
    """Each chain's newest hash as its head row says (chains never written left out)."""
    rows = session.execute(select(AuditChainHead.chain, AuditChainHead.hash))
    return {chain: newest for chain, newest in rows if newest != GENESIS}


def anchor(heads: dict[int, str]) -> str:
    """One hash over the given chain heads (``GENESIS`` when no chain was written)."""
    heads = {chain: newest for chain, newest in heads.items() if newest != GENESIS}
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


def subjects_recorded_since(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity_id: str,
    subjects: Collection[uuid.UUID],
    since: datetime,
) -> set[uuid.UUID]:
    """Which of ``subjects`` an entry of ``actor``'s ``action`` on ``entity_id`` has named
    since ``since``: a list read over and over (a board refreshed every few seconds) audits
    each person it shows once in a while, not at every refresh. Read by the subject index."""
    if actor.account_id is None or not subjects:
        return set()
    found = session.scalars(
        select(AuditEntry.subject_person_id)
        .where(
            AuditEntry.subject_person_id.in_(sorted(subjects)),
            AuditEntry.actor_account_id == actor.account_id,
            AuditEntry.action == action,
            AuditEntry.entity_id == entity_id,
            AuditEntry.outcome == "allowed",
            AuditEntry.at >= since,
        )
        .distinct()
    )
    return {subject for subject in found if subject is not None}


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
