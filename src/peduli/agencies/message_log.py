"""The signed, hash-chained, append-only log of every message exchanged with an agency.

Each entry's hash is an HMAC-SHA256, under a key that never enters the database
(``PEDULI_AGENCY_LOG_KEY``), of its content and the previous entry's hash, as the audit log
(``auth.audit``) does. The body is sealed and covered by its SHA-256 (``body_hash``), so key
rotation re-encrypts it and an erasure may empty it without breaking the chain. Writers lock
the one head row until commit, so the chain never forks; ``verify`` names the first entry
that was altered, re-hashed or removed, and a head that does not match the chain's end.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from peduli.agencies.envelope import Envelope
from peduli.agencies.models import AgencyLogHead, AgencyMessage, Direction
from peduli.core.config import get_settings
from peduli.core.db import insert_on_conflict, utcnow

GENESIS = "0" * 64
CHAIN = 0


def canonical_json(value: Any) -> str:
    """The one JSON form a body is hashed in."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def body_hash(body: str | None) -> str:
    return hashlib.sha256((body or "").encode()).hexdigest()


def canonical(entry: AgencyMessage) -> str:
    """The entry's content as the hash covers it, its link to the previous entry included."""
    content = {
        "message_id": str(entry.message_id),
        "direction": entry.direction,
        "at": entry.at.isoformat(timespec="microseconds"),
        "agency": entry.agency,
        "operation": entry.operation,
        "client": entry.client,
        "actor": entry.actor,
        "purpose": entry.purpose,
        "cause": entry.cause,
        "person_id": str(entry.person_id) if entry.person_id else None,
        "request_hash": entry.request_hash,
        "status": entry.status,
        "outcome": entry.outcome,
        "body_hash": entry.body_hash,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"))


def digest(entry: AgencyMessage, key: bytes) -> str:
    return hmac.new(key, canonical(entry).encode(), hashlib.sha256).hexdigest()


def _locked_head(session: Session) -> AgencyLogHead:
    """The head row, locked until commit (created at the first entry)."""
    query = (
        select(AgencyLogHead)
        .where(AgencyLogHead.chain == CHAIN)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = session.scalars(query).first()
    if head is None:
        session.execute(
            insert_on_conflict(session, AgencyLogHead)
            .values(chain=CHAIN, hash=GENESIS, entries=0)
            .on_conflict_do_nothing(index_elements=["chain"])
        )
        head = session.scalars(query).one()
    return head


def message(
    *,
    envelope: Envelope,
    direction: Direction,
    agency: str,
    operation: str,
    person_id: uuid.UUID | None,
    outcome: str,
    status: int = 0,
    body: Mapping[str, Any] | str | None = None,
) -> AgencyMessage:
    """A message as it happens (its time now), to append with ``append_all``."""
    text = body if isinstance(body, str) or body is None else canonical_json(body)
    return AgencyMessage(
        message_id=envelope.message_id,
        direction=direction.value,
        at=utcnow(),
        agency=agency,
        operation=operation,
        client=envelope.client,
        actor=envelope.actor,
        purpose=envelope.purpose.value,
        cause=envelope.cause,
        person_id=person_id,
        request_hash=envelope.request_hash,
        status=status,
        outcome=outcome,
        body_hash=body_hash(text),
        body=text,
    )


def append_all(session: Session, entries: list[AgencyMessage]) -> None:
    """Chain ``entries`` in their order onto the log, in the caller's transaction.

    The gateway appends a call's messages once the call is over: the head stays locked from
    here to the commit, never across a request to an agency."""
    if not entries:
        return
    key = get_settings().agency_log_secret()
    previous = _locked_head(session).hash
    for entry in entries:
        entry.prev_hash = previous
        entry.hash = previous = digest(entry, key)
        session.add(entry)
        session.flush()  # one INSERT each, in chain order (the sequence follows it)
    session.execute(
        update(AgencyLogHead)
        .where(AgencyLogHead.chain == CHAIN)
        .values(hash=previous, entries=AgencyLogHead.entries + len(entries))
    )


def append(session: Session, **fields: Any) -> AgencyMessage:
    """Append one message (``message``'s fields) to the log in the caller's transaction."""
    entry = message(**fields)
    append_all(session, [entry])
    return entry


@dataclass(frozen=True)
class LogCheck:
    """Outcome of ``verify``: entries checked and the first problem (None: intact)."""

    checked: int
    broken_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(session: Session, *, batch: int = 2000) -> LogCheck:
    """Recompute the chain with the key; name the first entry altered, re-hashed or removed,
    a body that no longer matches its hash, or a head that is not the chain's end."""
    key = get_settings().agency_log_secret()
    previous, checked = GENESIS, 0
    query = select(AgencyMessage).order_by(AgencyMessage.seq).execution_options(yield_per=batch)
    for entry in session.scalars(query):
        checked += 1
        if entry.prev_hash != previous:
            return LogCheck(checked, entry.seq, f"entry {entry.seq}: an entry before it is missing")
        if not hmac.compare_digest(digest(entry, key), entry.hash):
            return LogCheck(checked, entry.seq, f"entry {entry.seq}: altered or re-hashed")
        if entry.body is not None and body_hash(entry.body) != entry.body_hash:
            return LogCheck(checked, entry.seq, f"entry {entry.seq}: its body was altered")
        previous = entry.hash
    head = session.get(AgencyLogHead, CHAIN)
    if (head.hash if head else GENESIS) != previous or (head.entries if head else 0) != checked:
        return LogCheck(checked, None, "the head does not match the end of the log")
    return LogCheck(checked)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AgencyMessage)) or 0
