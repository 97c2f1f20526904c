"""The language picker remembers the choice and never sends the reader to a POST-only page."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_choice_is_kept_and_the_reader_returns_to_the_page(client: TestClient) -> None:
    response = client.get("/language", params={"lang": "fr", "next": "/"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert "peduli_lang=fr" in response.headers["set-cookie"]
    assert '<html lang="fr">' in client.get("/").text


def test_a_post_only_page_sends_the_reader_home_instead_of_a_405(client: TestClient) -> None:
    post_only = "/masuk/kode"
    assert client.get(post_only).status_code in (404, 405)
    response = client.get(
        "/language", params={"lang": "zh", "next": post_only}, follow_redirects=False
    )
    assert response.headers["location"] == "/"


def test_no_redirect_off_the_site(client: TestClient) -> None:
    for target in ("//evil.example/x", "https://evil.example/"):
        response = client.get(
            "/language", params={"lang": "en", "next": target}, follow_redirects=False
        )
        assert response.headers["location"] == "/"


def test_every_page_offers_the_picker_pointing_at_language(client: TestClient) -> None:
    page = client.get("/").text
    assert 'action="/language"' in page
    assert 'name="next" value="/"' in page
