"""Staging: the COPY text the reader processes make, and what it writes, byte for byte."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.agencies.imports_staging import copy_text
from peduli.registry.models import Stay
from tests.agencies.exports import csv_bytes, submitted, worked, worker

pytestmark = pytest.mark.usefixtures("data_dir")


def test_copy_text_escapes_what_copy_would_read_otherwise() -> None:
    row_id = uuid.UUID("12345678-1234-4234-8234-123456789abc")
    rows = [
        (row_id, 7, True, None, date(2025, 1, 6), "Siti Aminah"),
        (row_id, 8, False, None, date(2025, 1, 6), "a\\b\tc\nd\re"),
    ]

    assert copy_text(rows).decode().splitlines() == [
        "12345678-1234-4234-8234-123456789abc\t7\tTrue\t\\N\t2025-01-06\tSiti Aminah",
        "12345678-1234-4234-8234-123456789abc\t8\tFalse\t\\N\t2025-01-06\ta\\\\b\\tc\\nd\\re",
    ]


def test_a_backslash_in_a_cell_is_written_as_it_was_in_the_file(db: Session) -> None:
    rows = [worker(1, **{"Pemberi Kerja": "Tan\\Lim Sdn. Bhd."}), worker(2)]

    job = worked(db, submitted(db, csv_bytes(rows), dry_run=False))

    assert (job.status, job.created) == ("done", 2)
    employers = db.scalars(select(Stay.employer).order_by(Stay.employer)).all()
    assert employers == ["Tan Family", "Tan\\Lim Sdn. Bhd."]
