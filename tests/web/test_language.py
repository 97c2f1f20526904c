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


def test_a_link_that_names_its_language_keeps_it_through_the_sign_in(client: TestClient) -> None:
    # /lapor-diri sends a signed-out reader to the sign-in page, whose form posts without ?lang.
    response = client.get("/lapor-diri", params={"lang": "en"}, follow_redirects=False)
    assert response.status_code == 303
    assert "peduli_lang=en" in response.headers["set-cookie"]
    assert '<html lang="en">' in client.get(response.headers["location"]).text


def test_only_a_new_choice_of_ours_sets_the_cookie(client: TestClient) -> None:
    def language_cookie_set(lang: str) -> bool:
        answer = client.get("/", params={"lang": lang})
        return "peduli_lang=" in " ".join(answer.headers.get_list("set-cookie"))

    assert not language_cookie_set("xx")
    assert language_cookie_set("zh")
    assert not language_cookie_set("zh")
    assert client.cookies.get("peduli_lang") == "zh"
