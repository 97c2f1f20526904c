"""Verifying the audit log: recompute every chain with the key, and compare each chain's end
with its head row, a noted anchor (``audit.head``) or a signed checkpoint (``auth.checkpoint``).

Each finding names where the log was altered, re-hashed without the key, cut, rewound or
wiped; the first broken entry of a chain stops its check (what follows cannot be trusted).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.audit import AuditEntry, ChainMark


@dataclass(frozen=True)
class Finding:
    """One thing wrong with the log: its ``kind`` (``altered``, ``re-hashed``, ``removed``,
    ``head``, ``anchor``, ``wiped``, ``rewound``), where, and a sentence naming it."""

    kind: str
    message: str
    chain: int | None = None
    seq: int | None = None


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a chain check: every finding, the first one by entry first."""

    checked: int
    findings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def broken_seq(self) -> int | None:
        """The first entry that does not verify (None when the problem is a chain's end)."""
        return self.findings[0].seq if self.findings else None

    @property
    def problem(self) -> str | None:
        return self.findings[0].message if self.findings else None


@dataclass
class _Walk:
    """One chain as ``verify`` reads it."""

    end: str = audit.GENESIS  # hash of the last entry that verified
    entries: int = 0
    newest_seq: int = 0
    broken: bool = False
    # Entries at or before the checkpoint's newest one, and what stands at its place.
    kept: int = 0
    kept_newest: int | None = None
    at_mark: str | None = None


@dataclass(frozen=True)
class _Checked:
    walks: dict[int, _Walk] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def verify(
    session: Session,
    *,
    expected_head: str | None = None,
    checkpoint: Mapping[int, ChainMark] | None = None,
    checkpoint_at: str = "the checkpoint",
) -> VerifyResult:
    """Recompute every chain with the key; name each chain's first altered, re-hashed or
    removed entry, a head row that is not its chain's end and, against a checkpoint (each
    chain's end at that moment, read from a signed file), a chain wiped or rewound since.

    Entries appended after the checkpoint are expected and fine.
    """
    marks = dict(checkpoint or {})
    checked = _walk_chains(session, marks)
    findings = checked.findings
    stored = audit.stored_heads(session)
    for chain in sorted(set(stored) | set(checked.walks)):
        walk = checked.walks.get(chain, _Walk())
        if not walk.broken and stored.get(chain, audit.GENESIS) != walk.end:
            findings.append(_head_finding(chain, walk))
    if expected_head and not findings:
        ends = {chain: walk.end for chain, walk in checked.walks.items()}
        if audit.anchor(ends) != expected_head:
            message = "the chain heads differ from the noted anchor: the newest entries are gone"
            findings.append(Finding("anchor", message))
    for chain, mark in sorted(marks.items()):
        finding = _against_mark(chain, mark, checked.walks.get(chain, _Walk()), checkpoint_at)
        if finding is not None:
            findings.append(finding)
    findings.sort(key=lambda finding: (finding.seq is None, finding.seq or 0))
    total = sum(walk.entries for walk in checked.walks.values() if not walk.broken)
    return VerifyResult(total, tuple(findings))


def _walk_chains(session: Session, marks: Mapping[int, ChainMark]) -> _Checked:
    key = audit.audit_key()
    checked = _Checked()
    for entry in audit.iter_entries(session):
        walk = checked.walks.setdefault(entry.chain, _Walk())
        walk.entries += 1
        walk.newest_seq = entry.seq
        mark = marks.get(entry.chain)
        if mark is not None and mark.seq is not None and entry.seq <= mark.seq:
            walk.kept += 1
            walk.kept_newest = entry.seq
            if entry.seq == mark.seq:
                walk.at_mark = entry.hash
        if walk.broken:
            continue
        problem = _entry_problem(entry, walk.end, key)
        if problem is not None:
            checked.findings.append(problem)
            walk.broken = True
            continue
        walk.end = entry.hash
    return checked


def _entry_problem(entry: AuditEntry, previous: str, key: bytes) -> Finding | None:
    where = f"chain {entry.chain}, entry #{entry.seq}"
    if entry.prev_hash != previous:
        message = f"{where}: the entry before it was removed or its link altered"
        return Finding("removed", message, entry.chain, entry.seq)
    if hmac.compare_digest(audit.digest(entry, key), entry.hash):
        return None
    if hashlib.sha256(audit.canonical(entry).encode()).hexdigest() == entry.hash:
        message = (
            f"{where} was re-hashed without the key (plain SHA-256 instead of the keyed "
            "hash): it or its chain was rewritten"
        )
        return Finding("re-hashed", message, entry.chain, entry.seq)
    message = (
        f"{where}: its content does not match its keyed hash: it was edited, "
        "or re-hashed without the key"
    )
    return Finding("altered", message, entry.chain, entry.seq)


def _head_finding(chain: int, walk: _Walk) -> Finding:
    if not walk.entries:
        message = f"chain {chain}: its head row names an entry but the chain has none"
        return Finding("head", message, chain)
    message = (
        f"chain {chain}: its head row does not point at its newest entry #{walk.newest_seq}: "
        "the newest entries are missing (or the head row was altered)"
    )
    return Finding("head", message, chain)


def _against_mark(chain: int, mark: ChainMark, walk: _Walk, at: str) -> Finding | None:
    """Compare one chain with its end at the checkpoint; None when it only grew since."""
    if not mark.entries or mark.seq is None:
        return None
    saw = f"{at} saw {mark.entries} entries ending at entry #{mark.seq}"
    if walk.at_mark == mark.hash:
        if walk.kept == mark.entries:
            return None
        message = (
            f"chain {chain}: {mark.entries - walk.kept} entries up to #{mark.seq} are gone; {saw}"
        )
        return Finding("wiped", message, chain, mark.seq)
    if not walk.kept:
        since = f" ({walk.entries} written since)" if walk.entries else ""
        message = f"chain {chain} was wiped: none of its entries is left{since}; {saw}"
        return Finding("wiped", message, chain, mark.seq)
    if walk.at_mark is None:
        message = (
            f"chain {chain} was rewound to entry #{walk.kept_newest}: the "
            f"{mark.entries - walk.kept} entries after it were deleted; {saw}"
        )
        return Finding("rewound", message, chain, walk.kept_newest)
    if walk.broken:
        message = f"chain {chain}: entry #{mark.seq} no longer has the hash {at} signed; {saw}"
        return Finding("re-hashed", message, chain, mark.seq)
    message = (
        f"chain {chain} was rewound and written again: entry #{mark.seq} is not the one "
        f"{at} signed; {saw}"
    )
    return Finding("rewound", message, chain, mark.seq)
