"""The cache of agencies' answers, in the database with an expiry (shared by every worker)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from peduli.agencies.models import AgencyAnswer
from peduli.core.db import insert_on_conflict


def answer_key(agency: str, operation: str, request_hash: str) -> str:
    """The cache's key of one request to one agency's operation."""
    return hashlib.sha256(f"{agency}\n{operation}\n{request_hash}".encode()).hexdigest()


def cached(
    session: Session, *, agency: str, operation: str, request_hash: str, now: datetime
) -> Mapping[str, Any] | None:
    """The stored answer to this request, if it has not expired."""
    answer = session.scalar(
        select(AgencyAnswer.answer).where(
            AgencyAnswer.key == answer_key(agency, operation, request_hash),
            AgencyAnswer.expires_at > now,
        )
    )
    return None if answer is None else dict(json.loads(answer))


def store(
    session: Session,
    *,
    agency: str,
    operation: str,
    request_hash: str,
    answer: Mapping[str, Any],
    now: datetime,
    keep_for: timedelta,
) -> None:
    """Keep ``answer`` until ``now + keep_for`` (replacing an older one)."""
    values = {
        "key": answer_key(agency, operation, request_hash),
        "agency": agency,
        "operation": operation,
        "answer": json.dumps(answer, sort_keys=True, default=str),
        "stored_at": now,
        "expires_at": now + keep_for,
    }
    statement = insert_on_conflict(session, AgencyAnswer).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "answer": statement.excluded.answer,
                "stored_at": statement.excluded.stored_at,
                "expires_at": statement.excluded.expires_at,
            },
        )
    )


def purge_expired(session: Session, now: datetime) -> int:
    """Delete expired answers (periodic): one statement over the expiry index."""
    result = session.execute(
        delete(AgencyAnswer)
        .where(AgencyAnswer.expires_at <= now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
