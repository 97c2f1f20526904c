"""The public open-data API: JSON, CSV and XLSX of a published month, no credential."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi.testclient import TestClient
from openpyxl import load_workbook


def test_no_release_yet_is_a_404_problem(client: TestClient) -> None:
    answer = client.get("/api/v1/open-data/citizens")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/open-data/releases").json() == []


def test_the_newest_release_by_country_with_its_suppressed_cells(
    client: TestClient, november: date
) -> None:
    answer = client.get("/api/v1/open-data/citizens")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["month"], body["by"], body["total"]) == ("2026-11", "country", 330)
    cells = {cell["code"]: cell for cell in body["cells"]}
    assert cells["BN"] == {"code": "BN", "country": None, "value": None, "suppressed": True}
    assert cells["MY"]["value"] == 240 and not cells["MY"]["suppressed"]
    assert client.get("/api/v1/open-data/releases").json() == [{"month": "2026-11"}]


def test_posts_are_published_within_their_country(client: TestClient, november: date) -> None:
    body = client.get("/api/v1/open-data/citizens?month=2026-11&by=representation").json()
    kuching = next(cell for cell in body["cells"] if cell["code"] == "kjri-kuching")
    assert kuching == {"code": "kjri-kuching", "country": "MY", "value": None, "suppressed": True}
    assert all(c["value"] is None or c["value"] % 5 == 0 for c in body["cells"])


def test_bad_questions_are_refused(client: TestClient, november: date) -> None:
    assert client.get("/api/v1/open-data/citizens?month=2026-13").status_code == 422
    assert client.get("/api/v1/open-data/citizens?month=2025-01").status_code == 404
    assert client.get("/api/v1/open-data/citizens?by=religion").status_code == 422


def test_the_csv_flags_suppressed_cells(client: TestClient, november: date) -> None:
    answer = client.get("/api/v1/open-data/citizens/file?month=2026-11&by=country&format=csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "citizens-abroad-2026-11-by-country.csv" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0]["dimension"] == "total" and rows[0]["value"] == "330"
    brunei = next(row for row in rows if row["code"] == "BN")
    assert (brunei["label"], brunei["value"], brunei["flag"]) == ("Brunei Darussalam", "", "x")


def test_the_xlsx_has_the_same_table(client: TestClient, november: date) -> None:
    answer = client.get("/api/v1/open-data/citizens/file?by=sector&format=xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("month", "dimension", "country", "code", "label", "value", "flag")
    caregiving = next(row for row in rows if row[3] == "caregiving")
    assert caregiving[5:] == (None, "x")


def test_every_caller_gets_the_same_public_table(client: TestClient, november: date) -> None:
    """Open data is public: no credential needed, and a staff token changes nothing."""
    from peduli.auth import service as auth_service
    from peduli.auth.actor import Role
    from peduli.core.db import session_scope

    with session_scope() as db:
        auth_service.create_staff(
            db, email="od-officer@kemlu.example", role=Role.OFFICER,
            representation_code="kbri-seoul",
        )  # fmt: skip
        token = auth_service.create_token(db, email="od-officer@kemlu.example")
    anonymous = client.get("/api/v1/open-data/citizens?by=representation")
    officer = client.get(
        "/api/v1/open-data/citizens?by=representation",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert anonymous.status_code == officer.status_code == 200
    assert anonymous.json() == officer.json()
    assert anonymous.headers["cache-control"] == "public, max-age=300"


def test_releases_are_read_from_the_replica_when_there_is_one(
    client: TestClient, november: date, empty_replica: None
) -> None:
    assert client.get("/api/v1/open-data/releases").json() == []
    assert client.get("/api/v1/open-data/citizens").status_code == 404
    assert client.get("/api/v1/open-data/citizens/file").status_code == 404
