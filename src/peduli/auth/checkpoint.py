"""Signed checkpoints of the audit chains' ends, kept outside the database.

A keyed chain shows any entry edited, re-hashed or removed from its middle, but not its own
end cut off together with its head row (a rewind), nor the whole log wiped. ``peduli worker``
therefore writes, every ``EVERY_SECONDS``, each chain's length, newest entry and hash, signed
with HMAC-SHA256 under a key derived from ``PEDULI_AUDIT_KEY`` (which never enters the
database), to a sink outside it; ``peduli audit verify --checkpoint FILE`` compares the log
with one. Someone who can write to the database can neither forge a checkpoint nor make the
log agree with one it has fallen behind.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.core.config import get_settings
from peduli.core.logging import get_logger

log = get_logger(__name__)

FORMAT = "peduli-audit-checkpoint/1"
EVERY_SECONDS = 300
_SIGNING_PURPOSE = b"peduli audit checkpoint"


class BadCheckpoint(Exception):
    """A checkpoint that is unreadable or not signed with this installation's key."""


@dataclass(frozen=True)
class Checkpoint:
    """Every chain's end at ``at``."""

    at: datetime
    chains: dict[int, audit.ChainMark]


def take(session: Session, *, now: datetime) -> Checkpoint:
    """The chains' ends now, read in one statement."""
    return Checkpoint(at=now, chains=audit.chain_marks(session))


def _signing_key(key: bytes) -> bytes:
    """A key of its own for signatures, so a checkpoint can never pass for an entry's hash."""
    return hmac.new(key, _SIGNING_PURPOSE, hashlib.sha256).digest()


def _signature(body: dict[str, object], key: bytes) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(_signing_key(key), canonical, hashlib.sha256).hexdigest()


def dumps(checkpoint: Checkpoint, *, key: bytes) -> bytes:
    """The checkpoint as signed JSON."""
    body: dict[str, object] = {
        "format": FORMAT,
        "at": checkpoint.at.isoformat(timespec="microseconds"),
        "chains": [
            {"chain": chain, "entries": mark.entries, "seq": mark.seq, "hash": mark.hash}
            for chain, mark in sorted(checkpoint.chains.items())
        ],
    }
    signed = body | {"signature": _signature(body, key)}
    return json.dumps(signed, indent=2, sort_keys=True).encode() + b"\n"


def loads(document: bytes, *, key: bytes) -> Checkpoint:
    """Read a checkpoint; raise ``BadCheckpoint`` unless its signature holds under ``key``."""
    try:
        body = json.loads(document)
        signature = body.pop("signature")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadCheckpoint("it is not a Peduli audit checkpoint (unreadable JSON)") from exc
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _signature(body, key)):
        raise BadCheckpoint(
            "its signature is wrong: it was altered, or signed with another key than "
            "PEDULI_AUDIT_KEY; nothing in it can be trusted"
        )
    if body.get("format") != FORMAT:
        raise BadCheckpoint(f"its format {body.get('format')!r} is not {FORMAT!r}")
    chains = {
        int(item["chain"]): audit.ChainMark(int(item["entries"]), item["seq"], str(item["hash"]))
        for item in body["chains"]
    }
    return Checkpoint(at=datetime.fromisoformat(body["at"]), chains=chains)


class CheckpointSink(Protocol):
    """Where checkpoints go: anywhere the database's administrators cannot write."""

    def put(self, document: bytes, *, at: datetime) -> str:
        """Store one signed checkpoint; return where it went (for the log)."""
        ...


@dataclass(frozen=True)
class FileSink:
    """A file replaced atomically each time, or, for a path ending in ``/``, a directory that
    keeps one file per checkpoint (for an operator to ship to write-once storage)."""

    path: str

    def put(self, document: bytes, *, at: datetime) -> str:
        if self.path.endswith(("/", os.sep)):
            target = Path(self.path) / f"audit-checkpoint-{at:%Y%m%dT%H%M%S%f}Z.json"
        else:
            target = Path(self.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".audit-checkpoint-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(document)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return str(target)


def write(session: Session, *, sink: CheckpointSink, key: bytes, now: datetime) -> Checkpoint:
    """Take a checkpoint and hand it, signed, to ``sink``."""
    checkpoint = take(session, now=now)
    where = sink.put(dumps(checkpoint, key=key), at=now)
    log.info("audit checkpoint written", chains=len(checkpoint.chains), to=where)
    return checkpoint


def write_periodic(session: Session, now: datetime) -> int:
    """``peduli worker``'s task: a checkpoint to the configured sink; returns the chains."""
    settings = get_settings()
    sink = FileSink(settings.audit_checkpoint_target())
    return len(write(session, sink=sink, key=settings.audit_secret(), now=now).chains)
