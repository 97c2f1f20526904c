"""Answers kept under the caller's ``Idempotency-Key``, so a request sent again is answered
once: a client on a flaky network, or nginx resending a POST whose app process was killed
mid-answer, gets the first answer back instead of a second write.

A kept answer is written in the transaction of the write it answers (``api.idempotency``):
either both are in the database or neither is, so a retry finds the answer exactly when
the first attempt's write committed. The answer may carry personal data: it is sealed, and
forgotten after ``KEPT_FOR`` (by then a client has long stopped retrying).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from peduli.core.byte_order import byte_ordered
from peduli.core.crypto import Sealed
from peduli.core.db import Base, utcnow

KEPT_FOR = timedelta(hours=24)
RESPONSE_PURPOSE = "idempotent-response"


class IdempotentRequest(Base):
    """The answer to one request sent under a key: who sent it, where, with what body."""

    __tablename__ = "idempotent_request"

    # sha256 of the caller's credential, the method, the path and the key: a key is the
    # caller's own, and the same key on another route is another request.
    scope_digest: Mapped[str] = mapped_column(byte_ordered(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of the request body
    status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Sealed(RESPONSE_PURPOSE))
    created_at: Mapped[datetime] = mapped_column(index=True)


@dataclass(frozen=True)
class KeptAnswer:
    """A kept answer, and the fingerprint of the request it answered."""

    fingerprint: str
    status: int
    content_type: str
    location: str | None
    body: str


def find(session: Session, scope_digest: str) -> KeptAnswer | None:
    """The answer kept under ``scope_digest``, if its request committed."""
    row = session.get(IdempotentRequest, scope_digest)
    if row is None:
        return None
    return KeptAnswer(row.fingerprint, row.status, row.content_type, row.location, row.body)


def keep(session: Session, scope_digest: str, answer: KeptAnswer) -> None:
    """Add the answer to ``session``'s transaction (the one of the write it answers); a
    second answer under the same digest fails that transaction's commit (primary key)."""
    session.add(
        IdempotentRequest(
            scope_digest=scope_digest,
            fingerprint=answer.fingerprint,
            status=answer.status,
            content_type=answer.content_type,
            location=answer.location,
            body=answer.body,
            created_at=utcnow(),
        )
    )


def purge(session: Session, *, older_than: timedelta = KEPT_FOR) -> int:
    """Forget the answers kept longer than ``older_than``; how many."""
    result = session.execute(
        delete(IdempotentRequest)
        .where(IdempotentRequest.created_at < utcnow() - older_than)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
