"""Reading in-app notices: what a person's pages show (the in-app channel writes them)."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from peduli.core.db import utcnow
from peduli.notify.models import Notice


def for_recipient(session: Session, *, recipient: str, limit: int = 50) -> list[Notice]:
    """A person's newest notices first (``recipient`` as the sender addressed it)."""
    rows = session.scalars(
        select(Notice)
        .where(Notice.recipient == recipient)
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(limit)
    )
    return list(rows)


def unread_count(session: Session, *, recipient: str) -> int:
    """How many of a person's notices are not read yet (for a badge)."""
    count = session.scalar(
        select(func.count())
        .select_from(Notice)
        .where(Notice.recipient == recipient, Notice.read_at.is_(None))
    )
    return int(count or 0)


def mark_read(session: Session, *, recipient: str, notice_id: int) -> bool:
    """Mark one of the person's own notices read; False if it is not theirs or not found."""
    result = session.execute(
        update(Notice)
        .where(Notice.id == notice_id, Notice.recipient == recipient, Notice.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def newest(session: Session, *, page: int, per_page: int) -> tuple[list[Notice], int]:
    """Every person's notices, newest first, one page (the demo mailbox's in-app tab)."""
    total = session.scalar(select(func.count()).select_from(Notice))
    rows = session.scalars(
        select(Notice)
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return list(rows), int(total or 0)


def forget_recipient(session: Session, *, recipient: str) -> int:
    """Delete every notice of one recipient (a person's erasure); returns how many."""
    result = session.execute(
        delete(Notice)
        .where(Notice.recipient == recipient)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
