"""Raw NIK and passport numbers appear nowhere: not in any column, the SQLite file, or logs."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Enum, String, Text, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from peduli.auth import service as auth_service
from peduli.auth.actor import Role
from peduli.models import Base
from tests.factories import nik, report

RAW_VALUES = (nik(), "C1234567")


def _report_over_http(client: TestClient, db: Session) -> None:
    auth_service.create_staff(
        db, email="officer@kemlu.example", role=Role.OFFICER, representation_code="kbri-seoul"
    )
    token = auth_service.create_token(db, email="officer@kemlu.example")
    db.commit()
    headers = {"Authorization": f"Bearer {token}"}
    body = report().model_dump(mode="json")
    assert client.post("/api/v1/self-reports", json=body, headers=headers).status_code == 201
    search = {"nik": nik(), "passport_number": "C1234567"}
    assert client.post("/api/v1/persons/search", json=search, headers=headers).status_code == 200


def test_no_text_column_of_any_table_holds_a_raw_identifier(
    client: TestClient, db: Session
) -> None:
    _report_over_http(client, db)
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text) or isinstance(column.type, Enum):
                continue
            for raw in RAW_VALUES:
                hits = db.scalar(
                    select(func.count()).select_from(table).where(column.contains(raw))
                )
                assert hits == 0, f"{raw} found in {table.name}.{column.name}"


def test_the_sqlite_file_never_contains_a_raw_identifier(
    client: TestClient, db: Session, clean_engine: Engine
) -> None:
    if clean_engine.dialect.name != "sqlite":
        pytest.skip("the file check is for the embedded database; columns are checked above")
    _report_over_http(client, db)
    database = Path(str(clean_engine.url.database))
    # The main file and its write-ahead log together hold every page ever written.
    content = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    for raw in RAW_VALUES:
        assert raw.encode() not in content


def test_logs_never_carry_a_raw_identifier(
    client: TestClient,
    db: Session,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    _report_over_http(client, db)
    captured = capsys.readouterr()
    logged = captured.out + captured.err + caplog.text
    for raw in RAW_VALUES:
        assert raw not in logged
