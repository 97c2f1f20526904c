"""Agency exports for the tests: rows of a BP2MI placement export as CSV or XLSX bytes."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from peduli.agencies import imports, imports_run
from peduli.agencies.models import AgencyImport
from peduli.auth.actor import Role
from peduli.core.config import get_settings
from peduli.core.db import get_sessionmaker
from tests import factories

HEADERS = (
    "NIK", "Nama Lengkap", "Jenis Kelamin", "Tanggal Lahir", "Tempat Lahir", "Nomor Paspor",
    "Nomor HP", "Negara Penempatan", "Kota Penempatan", "Pemberi Kerja", "P3MI", "Sektor",
    "Mulai Kontrak", "Akhir Kontrak",
)  # fmt: skip


def worker(
    serial: int,
    *,
    born: date = date(1995, 3, 14),
    sex: str = "P",
    **overrides: str,
) -> dict[str, str]:
    """A valid row of a woman placed in Kuala Lumpur; ``serial`` makes NIK and passport unique."""
    row = {
        "NIK": factories.nik(born=born, sex="F" if sex == "P" else "M", serial=serial),
        "Nama Lengkap": f"Siti Rahayu {serial}",
        "Jenis Kelamin": sex,
        "Tanggal Lahir": born.strftime("%d-%m-%Y"),
        "Tempat Lahir": "Cilacap",
        "Nomor Paspor": f"E{serial:07d}",
        "Nomor HP": f"+60123{serial:06d}",
        "Negara Penempatan": "Malaysia",
        "Kota Penempatan": "Kuala Lumpur",
        "Pemberi Kerja": "Tan Family",
        "P3MI": "PT Sinar Jaya",
        "Sektor": "PLRT",
        "Mulai Kontrak": "2025-01-06",
        "Akhir Kontrak": "2027-01-05",
    }
    row.update(overrides)
    return row


def csv_bytes(rows: Sequence[dict[str, str]], *, delimiter: str = ",") -> bytes:
    """The rows as a CSV export (UTF-8 with BOM, as Excel saves it)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADERS, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def xlsx_bytes(rows: Sequence[dict[str, Any]]) -> bytes:
    """The rows as an Excel workbook, first sheet."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append([row.get(header) for header in HEADERS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HQ = factories.staff(Role.HQ_ADMIN, None)


def run_killed_at(
    monkeypatch: pytest.MonkeyPatch,
    import_id: uuid.UUID,
    *,
    chunk_rows: int,
    killed_in: tuple[object, str, int],
) -> None:
    """The worker runs the import and is killed at the ``call``-th call of ``owner.name``
    (``killed_in``), as a worker killed there would stop; the function is whole again after."""
    owner, name, call = killed_in
    original = getattr(owner, name)
    calls = {"n": 0}

    def dies(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == call:
            raise RuntimeError("the worker was killed")
        return original(*args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(owner, name, dies)
        with pytest.raises(RuntimeError):
            imports_run.run(get_sessionmaker(), import_id, chunk_rows=chunk_rows)


def submitted(
    db: Session, data: bytes, *, dry_run: bool, filename: str = "placements.csv"
) -> uuid.UUID:
    """Upload an export as HQ and commit; the import's id."""
    job = imports.submit_import(db, actor=HQ, filename=filename, data=data, dry_run=dry_run)
    db.commit()
    return job.id


def worked(db: Session, import_id: uuid.UUID, *, chunk_rows: int = 1000) -> AgencyImport:
    """Let the worker run the import to its end; the import as it ended."""
    db.rollback()  # the test's reads end: on SQLite a transaction holds the writers' lock
    imports_run.run(get_sessionmaker(), import_id, chunk_rows=chunk_rows)
    db.expire_all()
    return db.get_one(AgencyImport, import_id)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Uploaded files under a fresh directory."""
    monkeypatch.setenv("PEDULI_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


Make = Callable[..., dict[str, str]]
