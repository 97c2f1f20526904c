"""Home page and every citizen page in each language: lang attribute, hotline, weight."""

from __future__ import annotations

import gzip
import re

import pytest
from fastapi.testclient import TestClient

from tests.auth.pages.test_citizen import HTML, sign_in
from tests.registry.pages.citizen.test_lapor_diri import step, walk_to_review

LANGUAGES = ["id", "en", "zh", "fr"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", ["/", "/masuk", "/verify/forged"])
def test_public_pages_in_each_language(client: TestClient, path: str, language: str) -> None:
    page = client.get(f"{path}?lang={language}", headers=HTML)
    assert page.status_code in (200, 404)
    assert f'<html lang="{language}">' in page.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_signed_in_pages_in_each_language(client: TestClient, language: str) -> None:
    sign_in(client, next_path="/lapor-diri")
    client.cookies.set("peduli_lang", language)
    review = walk_to_review(client)
    assert f'<html lang="{language}">' in review
    stay_id = step(client, review, {}, go="submit").url.path.rsplit("/", 1)[1]
    for path in ("/saya", f"/saya/tinggal/{stay_id}/ubah", f"/lapor-diri/terkirim/{stay_id}"):
        page = client.get(path, headers=HTML)
        assert page.status_code == 200, path
        assert f'<html lang="{language}">' in page.text


def test_home_says_what_peduli_does_and_how_to_get_help(client: TestClient) -> None:
    page = client.get("/?lang=en", headers=HTML)
    assert "Peduli is the Indonesian foreign ministry's service" in page.text
    assert 'href="/lapor-diri"' in page.text and 'href="/masuk"' in page.text


def test_home_shows_the_hotline_of_the_post_serving_the_chosen_place(client: TestClient) -> None:
    page = client.get("/?country=KR&city=Busan", headers=HTML)
    assert "KBRI Seoul" in page.text
    assert re.search(r'href="tel:\+82\d+"', page.text)
    assert '<option value="KR" selected>' in page.text


def test_a_city_with_its_own_consulate_picks_it(client: TestClient) -> None:
    page = client.get("/?country=AE&city=Dubai&lang=en", headers=HTML)
    assert "Dubai" in page.text and "KJRI Dubai" in page.text


def test_home_defaults_to_the_signed_in_citizens_active_stay(client: TestClient) -> None:
    sign_in(client, next_path="/lapor-diri")
    step(client, walk_to_review(client), {}, go="submit")
    page = client.get("/", headers=HTML)
    assert "KBRI Seoul" in page.text and 'value="Seoul"' in page.text


def test_country_names_follow_the_language(client: TestClient) -> None:
    names = {"id": "Korea Selatan", "en": "South Korea", "zh": "韩国", "fr": "Corée du Sud"}
    for language, name in names.items():
        assert f">{name}<" in client.get(f"/?lang={language}", headers=HTML).text


def test_home_with_assets_weighs_under_100_kb_compressed(client: TestClient) -> None:
    page = client.get("/?country=KR", headers=HTML)
    total = len(gzip.compress(page.content))
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text):
        total += len(gzip.compress(client.get(asset).content))
    assert total <= 100 * 1024, total


def test_lapor_diri_step_weighs_under_100_kb_compressed(client: TestClient) -> None:
    sign_in(client, next_path="/lapor-diri")
    page = client.get("/lapor-diri", headers=HTML)
    total = len(gzip.compress(page.content))
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text):
        total += len(gzip.compress(client.get(asset).content))
    assert total <= 100 * 1024, total
