"""A lapor diri in progress is kept on the server, sealed, per citizen account."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from peduli.core.db import utcnow
from peduli.registry import drafts
from peduli.registry.models import LaporDraft

NIK = "3171014508900001"


def test_a_draft_comes_back_as_typed_and_only_to_its_account(db: Session) -> None:
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    drafts.keep_draft(db, account_id=mine, fields={"nik": NIK, "full_name": "Siti Aminah"})
    drafts.keep_draft(db, account_id=mine, fields={"nik": NIK, "city": "Seoul"})  # replaces
    db.commit()
    assert drafts.draft_of(db, account_id=mine) == {"nik": NIK, "city": "Seoul"}
    assert drafts.draft_of(db, account_id=theirs) is None


def test_a_draft_is_sealed_at_rest(db: Session) -> None:
    drafts.keep_draft(db, account_id=uuid.uuid4(), fields={"nik": NIK})
    db.commit()
    stored = db.execute(text("SELECT fields_encrypted FROM lapor_draft")).scalar_one()
    assert NIK not in stored and "nik" not in stored


def test_a_sent_report_drops_its_draft(db: Session) -> None:
    account = uuid.uuid4()
    drafts.keep_draft(db, account_id=account, fields={"nik": NIK})
    drafts.drop_draft(db, account_id=account)
    db.commit()
    assert drafts.draft_of(db, account_id=account) is None


def test_untouched_drafts_are_purged(db: Session) -> None:
    old, new = uuid.uuid4(), uuid.uuid4()
    drafts.keep_draft(db, account_id=old, fields={"city": "Seoul"})
    drafts.keep_draft(db, account_id=new, fields={"city": "Busan"})
    db.flush()
    row = db.scalars(select(LaporDraft).where(LaporDraft.account_id == old)).one()
    row.updated_at = utcnow() - timedelta(days=8)
    db.commit()
    assert drafts.purge_stale_drafts(db, updated_before=utcnow() - timedelta(days=7), limit=10) == 1
    db.commit()
    assert db.scalars(select(LaporDraft.account_id)).all() == [new]
