"""HQ's import pages: upload a dry run, follow its progress (htmx, or the page refreshing
itself without JavaScript), read the problems in the reader's language, import for real,
and who is let in."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from peduli.agencies import imports_apply, imports_restore, imports_run, imports_staging
from peduli.agencies.imports_restart_models import AgencyImportRestart
from peduli.agencies.models import AgencyImportRow
from peduli.auth.actor import Role
from peduli.core.db import get_sessionmaker, session_scope, utcnow
from peduli.registry.models import Person
from peduli.web.i18n import format_datetime
from tests.agencies.exports import csv_bytes, run_killed_at, worker, xlsx_bytes
from tests.web.officer_support import HTML, csrf, signed_in_officer

PAGE = "/hq/imports"
pytestmark = pytest.mark.usefixtures("data_dir")


def _work() -> None:
    while (taken := imports_run.claim(get_sessionmaker(), utcnow())) is not None:
        imports_run.run(get_sessionmaker(), taken)


def _upload(client: TestClient, data: bytes, name: str, mode: str = "dry_run") -> str:
    token = csrf(client.get(PAGE, headers=HTML).text)
    answer = client.post(
        PAGE,
        data={"csrf_token": token, "mode": mode},
        files={"file": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def test_a_dry_run_from_upload_to_report_and_then_for_real(
    client: TestClient, db: Session, data_dir: Path
) -> None:
    signed_in_officer(client, db, "hq@kemlu.example", Role.HQ_ADMIN, None)
    rows = [worker(1), worker(2), worker(3, **{"Tanggal Lahir": "2099-01-01"})]
    report = _upload(client, xlsx_bytes(rows), "placements.xlsx")

    waiting = client.get(report, headers={**HTML, "Accept-Language": "id"})
    assert waiting.status_code == 200
    assert "Menunggu pemroses" in waiting.text
    assert f'hx-get="{report}/progress"' in waiting.text
    assert '<meta http-equiv="refresh"' in waiting.text  # inside <noscript>

    _work()
    done = client.get(report, headers={**HTML, "Accept-Language": "id"}).text
    assert "hx-get" not in done and "http-equiv" not in done
    assert '<td class="count-create">2</td>' in done
    assert '<td class="count-refuse">1</td>' in done
    assert "Tanggal lahir 2099-01-01 ada di masa depan atau sebelum 1900." in done
    assert f'href="{report}/problems.csv"' in done
    partial = client.get(f"{report}/progress", headers={**HTML, "HX-Request": "true"})
    assert partial.text.lstrip().startswith('<section id="import-progress"')
    assert partial.headers["HX-Refresh"] == "true"  # finished: htmx reloads the whole report
    # Opened as a page (no htmx): the whole report, with its title and language.
    whole = client.get(f"{report}/progress", headers=HTML).text
    assert whole.lstrip().lower().startswith("<!doctype html>") and "<title>" in whole

    token = csrf(done)
    real = client.post(f"{report}/apply", data={"csrf_token": token}, follow_redirects=False)
    assert real.status_code == 303
    _work()
    written = client.get(real.headers["location"], headers={**HTML, "Accept-Language": "en"})
    assert "Import of an agency export" in written.text
    assert db.scalar(select(func.count()).select_from(Person)) == 2
    db.rollback()
    listing = client.get(PAGE, headers={**HTML, "Accept-Language": "en"}).text
    assert "Dry run" in listing and "Real run" in listing


def test_a_file_that_is_no_export_is_shown_again_with_its_problem(
    client: TestClient, db: Session
) -> None:
    signed_in_officer(client, db, "hq@kemlu.example", Role.HQ_ADMIN, None)
    token = csrf(client.get(PAGE, headers=HTML).text)

    answer = client.post(
        PAGE,
        data={"csrf_token": token},
        files={"file": ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(32), "image/png")},
        headers={"Accept-Language": "fr"},
    )

    assert answer.status_code == 422
    assert "ni un fichier CSV ni un classeur Excel" in answer.text


def test_officers_of_a_post_are_refused(client: TestClient, db: Session) -> None:
    signed_in_officer(client, db, "officer@kemlu.example", Role.OFFICER, "kbri-kuala-lumpur")

    assert client.get(PAGE, headers=HTML).status_code == 403
    assert "/hq/imports" not in client.get("/officer", headers=HTML).text


def test_the_header_problems_of_a_csv_show_on_its_report(client: TestClient, db: Session) -> None:
    signed_in_officer(client, db, "hq@kemlu.example", Role.HQ_ADMIN, None)
    report = _upload(client, b"NIK;Nama\n3171011705900001;Budi\n", "p.csv")
    _work()

    page = client.get(report, headers={**HTML, "Accept-Language": "en"}).text

    assert "The file could not be read" in page
    assert "The header row has no column &#39;Tanggal Lahir&#39;." in page
    assert csv_bytes([]) != b""


def test_a_real_run_s_report_shows_the_rows_written_while_the_file_is_read(
    client: TestClient, db: Session
) -> None:
    signed_in_officer(client, db, "hq@kemlu.example", Role.HQ_ADMIN, None)
    report = _upload(client, csv_bytes([worker(1), worker(2), worker(3)]), "a.csv", mode="real")
    taken = imports_run.claim(get_sessionmaker(), utcnow())
    assert taken is not None
    # The worker's turn ends after the first chunk (rows 2-3): read, checked and written.
    imports_run._stage(get_sessionmaker(), taken, 2, time.monotonic(), imports_apply.Turn())

    reading = client.get(report, headers={**HTML, "Accept-Language": "en"}).text
    assert ">Reading the file<" in reading
    assert "2 row(s) read · written through row 3" in reading
    assert db.scalar(select(func.count()).select_from(Person)) == 2


def test_a_dry_run_started_again_after_a_crash_says_so_and_when(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in_officer(client, db, "hq@kemlu.example", Role.HQ_ADMIN, None)
    report = _upload(client, csv_bytes([worker(n) for n in range(1, 7)]), "p.csv")
    import_id = uuid.UUID(report.rsplit("/", 1)[1])
    # Rows 2-5 staged (four rows read), the worker killed; then a crash empties the staging
    # and the next turn starts the dry run again from its first row.
    run_killed_at(
        monkeypatch, import_id, chunk_rows=2, killed_in=(imports_staging, "write_chunk", 3)
    )
    before = client.get(f"{report}/progress", headers={**HTML, "HX-Request": "true"}).text
    assert 'id="import-restarted"' not in before
    with session_scope() as session:
        session.execute(delete(AgencyImportRow))
    imports_restore.restore_if_lost(get_sessionmaker(), import_id, 2)
    at = db.get_one(AgencyImportRestart, import_id).at
    db.rollback()

    indonesian = client.get(
        f"{report}/progress", headers={**HTML, "HX-Request": "true", "Accept-Language": "id"}
    ).text
    english = client.get(report, headers={**HTML, "Accept-Language": "en"}).text

    assert (
        f"Uji coba dimulai lagi dari baris pertama pada {format_datetime(at, 'id')}: gangguan "
        "pada basis data menghilangkan 4 baris yang sudah dibaca."
    ) in indonesian
    assert (
        f"The dry run started again from the first row on {format_datetime(at, 'en')}: an "
        "interruption of the database lost the 4 row(s) it had read."
    ) in english
    assert "0 row(s) read" in english  # what went back, next to why
