"""Attachments: size and type limits, bytes that must match the type, access on the way out."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.cases import attachments
from peduli.cases.models import CaseAttachment
from peduli.cases.storage import LocalDiskStorage, get_storage
from peduli.core.config import get_settings
from peduli.core.db import rollback_and_keep
from peduli.core.errors import PeduliError, ValidationFailed
from tests.cases.conftest import open_case

PDF = b"%PDF-1.7\n" + b"x" * 100


@pytest.fixture
def storage(tmp_path: Path) -> LocalDiskStorage:
    return LocalDiskStorage(tmp_path / "attachments")


def test_a_file_is_stored_and_read_back_by_its_case_officer(
    db: Session, officer: Actor, storage: LocalDiskStorage
) -> None:
    case = open_case(db, officer)
    stored = attachments.upload(
        db, case_id=case.id, actor=officer, filename="../../contract.pdf",
        content_type="application/pdf", data=PDF, storage=storage,
    )  # fmt: skip
    assert stored.filename == "....contract.pdf" and stored.size_bytes == len(PDF)
    assert (storage.root / str(case.id) / str(stored.id)).read_bytes() == PDF
    found = attachments.download(
        db, case_id=case.id, attachment_id=stored.id, actor=officer, storage=storage
    )
    assert found.data == PDF


def test_files_are_encrypted_on_disk_and_decrypted_on_download(
    db: Session, officer: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "data_dir", str(tmp_path))
    case = open_case(db, officer)
    secret = PDF + b"Paspor C1234567, +6281234567890"
    stored = attachments.upload(
        db, case_id=case.id, actor=officer, filename="paspor.pdf",
        content_type="application/pdf", data=secret,
    )  # fmt: skip
    on_disk = (tmp_path / "attachments" / str(case.id) / str(stored.id)).read_bytes()
    assert b"C1234567" not in on_disk and b"%PDF" not in on_disk
    found = attachments.download(db, case_id=case.id, attachment_id=stored.id, actor=officer)
    assert found.data == secret
    moved = tmp_path / "attachments" / str(case.id) / "other"
    moved.write_bytes(on_disk)  # a file copied under another key does not open
    with pytest.raises(InvalidTag):
        get_storage().get(f"{case.id}/other")


def test_another_post_cannot_read_it(
    db: Session, officer: Actor, officer_kl: Actor, storage: LocalDiskStorage
) -> None:
    case = open_case(db, officer)
    stored = attachments.upload(
        db, case_id=case.id, actor=officer, filename="a.pdf", content_type="application/pdf",
        data=PDF, storage=storage,
    )  # fmt: skip
    with pytest.raises(PeduliError) as refused:
        attachments.download(
            db, case_id=case.id, attachment_id=stored.id, actor=officer_kl, storage=storage
        )
    assert refused.value.status == 404


@pytest.mark.parametrize(
    ("content_type", "data", "code"),
    [
        ("application/pdf", b"", "empty_file"),
        ("application/x-msdownload", b"MZ\x90\x00", "type_not_allowed"),
        ("image/png", PDF, "content_mismatch"),
        ("text/plain", b"\xff\xfe\x00bad", "content_mismatch"),
        ("application/pdf", b"%PDF-" + b"x" * 2048, "file_too_large"),
    ],
)
def test_limits(
    db: Session,
    officer: Actor,
    storage: LocalDiskStorage,
    monkeypatch: pytest.MonkeyPatch,
    content_type: str,
    data: bytes,
    code: str,
) -> None:
    from peduli.core.config import get_settings

    monkeypatch.setattr(get_settings(), "case_attachment_max_bytes", 1024)
    case = open_case(db, officer)
    with pytest.raises(ValidationFailed) as refused:
        attachments.upload(
            db, case_id=case.id, actor=officer, filename="f", content_type=content_type,
            data=data, storage=storage,
        )  # fmt: skip
    assert refused.value.problems[0].code == code
    assert not storage.root.exists() or not any(storage.root.rglob("*-*"))


def test_a_rolled_back_upload_leaves_no_file(
    db: Session, officer: Actor, storage: LocalDiskStorage
) -> None:
    case = open_case(db, officer)
    db.commit()
    attachments.upload(
        db, case_id=case.id, actor=officer, filename="a.pdf", content_type="application/pdf",
        data=PDF, storage=storage,
    )  # fmt: skip
    rollback_and_keep(db)
    assert db.scalars(select(CaseAttachment)).first() is None
    assert not any(path.is_file() for path in storage.root.rglob("*"))
