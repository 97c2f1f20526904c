"""Append-only, hash-chained audit log of every change, staff read and denied access.

Each entry's hash covers its content and the previous entry's hash, so altering or removing
any row breaks the chain at that point, and ``verify`` names it. Writers are serialised (an
advisory lock held to commit on PostgreSQL; SQLite's single writer elsewhere) so the chain
never forks. Entries are written in the caller's transaction: an action that rolls back
leaves no audit entry, and an audit failure rolls the action back. Values of secret fields
are never written, only their names.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from peduli.auth.actor import Actor
from peduli.core.db import Base, after_rollback, is_postgres, utcnow

GENESIS = "0" * 64
# Any constant works; it only has to be the same for every writer of the chain.
_CHAIN_LOCK_KEY = 0x7065_6475_6C69


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


def _digest(entry: AuditEntry) -> str:
    """Hash of the entry's content chained to its predecessor (canonical JSON, sorted keys)."""
    content = {
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
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _locked_chain_head(session: Session) -> str | None:
    """Take the chain lock (PostgreSQL), then read the newest hash.

    Two statements on purpose: a statement's snapshot is taken when it starts, so a read in
    the same statement as the lock could miss an entry committed while it waited.
    """
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    return session.scalar(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1))


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
    previous = _locked_chain_head(session)
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
        prev_hash=previous or GENESIS,
    )
    entry.hash = _digest(entry)
    session.add(entry)
    session.flush()


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
    """Recompute the chain from the start; stop at the first altered, removed or forged entry.

    Removing the newest entries leaves a shorter valid chain; pass the head hash noted
    elsewhere (``expected_head``) to detect that too.
    """
    previous = GENESIS
    checked = 0
    for entry in iter_entries(session):
        if entry.prev_hash != previous:
            return VerifyResult(checked, entry.seq, "an entry before it was removed or altered")
        if _digest(entry) != entry.hash:
            return VerifyResult(checked, entry.seq, "its content was altered")
        previous = entry.hash
        checked += 1
    if expected_head and previous != expected_head:
        return VerifyResult(checked, None, "the newest entries are missing (head differs)")
    return VerifyResult(checked)


def head(session: Session) -> str:
    """The newest hash, to note outside the database as an anchor."""
    newest = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1))
    return newest or GENESIS


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
