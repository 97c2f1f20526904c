"""The imports API: upload (dry run or real) answered at once and worked by the worker, the
report with counts and row problems in the reader's language, CSV of the problems, access
by scope and role, audit, and problem+json for bad input."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from peduli.agencies import imports_restore, imports_run, imports_staging
from peduli.agencies.models import AgencyImportRow
from peduli.api.app import create_app
from peduli.auth import tokens
from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.auth.models import StaffAccount
from peduli.core.db import get_sessionmaker, session_scope, utcnow
from tests.agencies.exports import csv_bytes, run_killed_at, worker

API = "/api/v1/imports"
Headers = dict[str, dict[str, str]]


@pytest.fixture
def api(clean_engine: Engine, data_dir: Path) -> Iterator[tuple[TestClient, Headers]]:
    """A client and bearer headers of an HQ admin, an HQ analyst and an officer."""
    people = {
        "admin": (Role.HQ_ADMIN, None),
        "analyst": (Role.HQ_ANALYST, None),
        "officer": (Role.OFFICER, "kbri-kuala-lumpur"),
    }
    headers: Headers = {}
    with session_scope() as db:
        for name, (role, post) in people.items():
            account = StaffAccount(
                email=f"{name}@kemlu.example", display_name=name, role=role.value,
                representation_code=post,
            )  # fmt: skip
            db.add(account)
            db.flush()
            issued = tokens.issue(db, account=account, days=1)
            headers[name] = {"Authorization": f"Bearer {issued.token}"}
    with TestClient(create_app()) as client:
        yield client, headers


def _upload(client: TestClient, headers: dict[str, str], data: bytes, **form: str) -> dict:  # type: ignore[type-arg]
    response = client.post(
        API, files={"file": ("placements.csv", data, "text/csv")}, data=form, headers=headers
    )
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"{API}/{response.json()['id']}"
    return dict(response.json())


def _work() -> None:
    while (taken := imports_run.claim(get_sessionmaker(), utcnow())) is not None:
        imports_run.run(get_sessionmaker(), taken)


def test_a_dry_run_answers_at_once_and_reports_counts_and_problems(
    api: tuple[TestClient, Headers],
) -> None:
    client, headers = api
    rows = [worker(1), worker(2, **{"Jenis Kelamin": "X"}), worker(3)]
    queued = _upload(client, headers["admin"], csv_bytes(rows))

    waiting = client.get(queued["report"], headers=headers["admin"]).json()
    assert (waiting["status"], waiting["rows_read"]) == ("queued", 0)
    _work()
    report = client.get(queued["report"], headers={**headers["admin"], "Accept-Language": "en"})

    assert report.status_code == 200
    assert report.headers["cache-control"] == "no-store"
    body = report.json()
    assert (body["status"], body["dry_run"], body["progress_percent"]) == ("done", True, 100)
    assert body["found"] == {"create": 2, "update": 0, "link": 0, "refuse": 1}
    assert body["done"] == {"create": 0, "update": 0, "link": 0, "refuse": 0}
    codes = {(p["row"], p["column"], p["code"]) for p in body["problems"]}
    assert (3, "Jenis Kelamin", "sex_invalid") in codes
    problem = next(p for p in body["problems"] if p["code"] == "sex_invalid")
    assert "'X'" in problem["message"] and "L (laki-laki)" in problem["hint"]
    assert (body["started_again_at"], body["started_again"]) == (None, None)


def test_a_dry_run_started_again_after_a_crash_says_so_and_when(
    api: tuple[TestClient, Headers], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, headers = api
    queued = _upload(client, headers["admin"], csv_bytes([worker(n) for n in range(1, 7)]))
    import_id = uuid.UUID(queued["id"])
    run_killed_at(
        monkeypatch, import_id, chunk_rows=2, killed_in=(imports_staging, "write_chunk", 3)
    )
    with session_scope() as db:  # a crash empties the UNLOGGED staging table
        db.execute(delete(AgencyImportRow))
    imports_restore.restore_if_lost(get_sessionmaker(), import_id, 2)

    answer = client.get(queued["report"], headers={**headers["admin"], "Accept-Language": "id"})

    body = answer.json()
    assert (body["status"], body["rows_read"], body["progress_percent"]) == ("staging", 0, None)
    at = datetime.fromisoformat(body["started_again_at"])
    assert body["started_again"] == (
        f"Uji coba dimulai lagi dari baris pertama pada {at:%Y-%m-%d %H:%M} UTC: gangguan pada "
        "basis data menghilangkan 4 baris yang sudah dibaca. Uji coba tidak menulis apa pun ke "
        "registri, jadi hasilnya akan tetap sama."
    )


def test_a_real_run_writes_and_counts_what_it_did(api: tuple[TestClient, Headers]) -> None:
    client, headers = api
    queued = _upload(client, headers["admin"], csv_bytes([worker(1), worker(2)]), dry_run="false")
    _work()

    body = client.get(queued["report"], headers=headers["admin"]).json()

    assert (body["status"], body["dry_run"]) == ("done", False)
    assert body["done"] == {"create": 2, "update": 0, "link": 0, "refuse": 0}
    assert body["rows_applied_through"] >= 3


def test_the_problems_download_as_csv_in_the_readers_language(
    api: tuple[TestClient, Headers],
) -> None:
    client, headers = api
    rows = [worker(1, **{"Sektor": "Astronaut"}), worker(2, **{"Mulai Kontrak": "kemarin"})]
    queued = _upload(client, headers["admin"], csv_bytes(rows))
    _work()

    response = client.get(
        f"{queued['report']}/problems.csv", headers={**headers["admin"], "Accept-Language": "fr"}
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.text)))
    assert lines[0][0] == "Ligne"
    assert [(line[0], line[1], line[2]) for line in lines[1:]] == [
        ("2", "Sektor", "sector_unknown"),
        ("3", "Mulai Kontrak", "date_invalid"),
    ]
    assert "Astronaut" in lines[1][3]


def test_only_hq_admins_import_and_refusals_are_audited(
    api: tuple[TestClient, Headers],
) -> None:
    client, headers = api
    queued = _upload(client, headers["admin"], csv_bytes([worker(1)]))

    for who in ("officer", "analyst"):
        upload = client.post(
            API, files={"file": ("p.csv", csv_bytes([worker(2)]), "text/csv")}, headers=headers[who]
        )
        assert upload.status_code == 403
        assert upload.headers["content-type"] == "application/problem+json"
        assert client.get(queued["report"], headers=headers[who]).status_code == 403
    assert client.post(API, files={"file": ("p.csv", b"x", "text/csv")}).status_code == 401

    with session_scope() as db:
        actions = db.execute(select(AuditEntry.action, AuditEntry.outcome)).all()
    assert ("agencies.import.submit", "allowed") in actions
    assert ("agencies.import.read", "allowed") not in actions  # nobody may read it but HQ


def test_bad_input_is_a_problem_naming_the_field(api: tuple[TestClient, Headers]) -> None:
    client, headers = api
    hq = headers["admin"]

    picture = client.post(
        API,
        files={"file": ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")},
        headers=hq,
    )
    unknown = client.get(f"{API}/5b3f0d6e-8c1c-4b55-9a0e-1f2e3d4c5b6a", headers=hq)
    empty = client.post(API, files={"file": ("p.csv", b"", "text/csv")}, headers=hq)
    agency = client.post(
        API, files={"file": ("p.csv", b"NIK\n", "text/csv")}, data={"source": "nasa"}, headers=hq
    )

    assert picture.status_code == 422
    assert picture.headers["content-type"] == "application/problem+json"
    assert picture.json()["errors"][0]["field"] == "file"
    assert picture.json()["errors"][0]["code"] == "file_format"
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    assert (empty.status_code, empty.json()["errors"][0]["code"]) == (422, "file_empty")
    assert (agency.status_code, agency.json()["errors"][0]["field"]) == (422, "source")
