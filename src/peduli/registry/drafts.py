"""A lapor diri in progress, kept on the server between its steps.

Each step the citizen leaves is saved (sealed, like a NIK) under their account, so that the
page of any step can be shown again from a plain GET: the browser's Back, a reload or a
language switch never lose what was typed, and nothing personal goes in a URL.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from peduli.core.db import utcnow
from peduli.core.purging import delete_batch
from peduli.registry.models import LaporDraft


def draft_of(session: Session, *, account_id: uuid.UUID) -> dict[str, str] | None:
    """What the citizen typed so far in their lapor diri, field by field, or None."""
    row = session.scalars(select(LaporDraft).where(LaporDraft.account_id == account_id)).first()
    if row is None:
        return None
    fields = json.loads(row.fields_encrypted)
    return {str(k): str(v) for k, v in fields.items()}


def keep_draft(session: Session, *, account_id: uuid.UUID, fields: dict[str, str]) -> None:
    """Save what the citizen typed, replacing the earlier draft."""
    row = session.scalars(select(LaporDraft).where(LaporDraft.account_id == account_id)).first()
    if row is None:
        row = LaporDraft(id=uuid.uuid4(), account_id=account_id)
        session.add(row)
    row.fields_encrypted = json.dumps(fields, ensure_ascii=False, sort_keys=True)
    row.updated_at = utcnow()


def drop_draft(session: Session, *, account_id: uuid.UUID) -> int:
    """Forget the citizen's draft (their report was sent, or they erased their data)."""
    result = session.execute(delete(LaporDraft).where(LaporDraft.account_id == account_id))
    return int(getattr(result, "rowcount", 0) or 0)


def purge_stale_drafts(session: Session, *, updated_before: datetime, limit: int) -> int:
    """Delete one batch of drafts nobody touched since ``updated_before``; how many went."""
    return delete_batch(
        session,
        LaporDraft,
        key=LaporDraft.id,
        condition=LaporDraft.updated_at < updated_before,
        limit=limit,
    )
