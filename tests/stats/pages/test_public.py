"""The public open-data page: a published table with its suppression explained, in each
language, without JavaScript; a bad month is shown again with its problem."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from peduli.reference.countries import country_name

HTML = {"Accept": "text/html"}
EXPLAINED = {
    "en": "x: suppressed.",
    "id": "x: disembunyikan.",
    "zh": "x：已隐藏。",
    "fr": "x : masqué.",
}


def test_before_any_release_the_page_says_so(client: TestClient) -> None:
    page = client.get("/data-terbuka?lang=en", headers=HTML)
    assert page.status_code == 200
    assert "No open data has been published yet." in page.text


@pytest.mark.parametrize("language", ["id", "en", "zh", "fr"])
def test_the_table_marks_and_explains_suppressed_cells(
    client: TestClient, november: date, language: str
) -> None:
    page = client.get(f"/data-terbuka?lang={language}&by=country", headers=HTML)
    assert page.status_code == 200
    assert f'lang="{language}"' in page.text
    assert EXPLAINED[language] in page.text
    assert "<script" not in page.text.split("<main", 1)[1]  # works without JavaScript
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>\s*<td>(.*?)</td>", page.text, re.S)
    cells = {name.strip(): value.strip() for name, value in rows}
    assert 'class="suppressed">x</abbr>' in cells[country_name("BN", language)]
    assert any(value == "240" for value in cells.values())  # Malaysia, rounded
    assert "format=xlsx" in page.text and "format=csv" in page.text


def test_posts_are_named_with_their_country(client: TestClient, november: date) -> None:
    page = client.get("/data-terbuka?lang=en&month=2026-11&by=representation", headers=HTML)
    assert page.status_code == 200
    assert "KJRI Kuching" in page.text and "Malaysia" in page.text
    assert "kjri-kuching</th>" not in page.text  # names, not codes


def test_a_bad_month_keeps_what_was_typed(client: TestClient, november: date) -> None:
    page = client.get("/data-terbuka?lang=en&month=2026-1x", headers=HTML)
    assert page.status_code == 422
    assert 'value="2026-1x"' in page.text and 'aria-invalid="true"' in page.text
    assert "Give the month as YYYY-MM" in page.text
    missing = client.get("/data-terbuka?lang=en&month=2020-01", headers=HTML)
    assert missing.status_code == 404
    assert "No open data is published for this month." in missing.text


def test_the_home_page_points_to_the_open_data(client: TestClient) -> None:
    home = client.get("/?lang=id", headers=HTML)
    assert 'href="/data-terbuka"' in home.text and "Lihat tabel" in home.text


def test_the_page_reads_the_replica_when_there_is_one(
    client: TestClient, november: date, empty_replica: None
) -> None:
    page = client.get("/data-terbuka?lang=en", headers=HTML)
    assert "No open data has been published yet." in page.text
