"""Citizen sign-in pages: a one-time code from the outbox, a new session, clear failures."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from peduli.api.deps import SESSION_COOKIE
from peduli.core.config import get_settings
from peduli.core.db import get_sessionmaker
from tests.outbox import messages_to

HTML = {"accept": "text/html"}
ADDRESS = "siti@example.org"


class FormReader(HTMLParser):
    """What a browser without JavaScript would submit from each form of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, object]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {"action": a.get("action", ""), "method": a.get("method", "get").lower()}
                | {"fields": {}, "buttons": []}
            )
        elif not self.forms:
            return
        fields = self.forms[-1]["fields"]
        assert isinstance(fields, dict)
        if tag == "input" and "name" in a:
            kind = a.get("type", "text")
            if kind not in ("checkbox", "radio") or "checked" in a:
                fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
            fields.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in a:
            fields[self._select] = a.get("value", "")
        elif tag == "button" and "name" in a:
            buttons = self.forms[-1]["buttons"]
            assert isinstance(buttons, list)
            buttons.append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def form_of(html: str, action: str) -> dict[str, str]:
    """The fields a browser would send from the form posting to ``action``."""
    reader = FormReader()
    reader.feed(html)
    for form in reader.forms:
        if form["action"] == action and form["method"] == "post":
            fields = form["fields"]
            assert isinstance(fields, dict)
            return dict(fields)
    raise AssertionError(f"no form posts to {action}")


def latest_code(address: str) -> str:
    """The code of the newest sign-in message to ``address``, read from the outbox."""
    with get_sessionmaker()() as session:
        body = messages_to(session, address)[0].body
    match = re.search(r"\b(\d{6})\b", body)
    assert match
    return match.group(1)


def request_code(client: TestClient, address: str = ADDRESS, next_path: str = "/saya"):
    page = client.get(f"/masuk?next={next_path}", headers=HTML)
    fields = form_of(page.text, "/masuk") | {"address": address}
    return client.post("/masuk", data=fields, headers=HTML)


def sign_in(client: TestClient, address: str = ADDRESS, next_path: str = "/saya") -> str:
    """Sign in through the pages as a person would; returns where the page sent them."""
    sent = request_code(client, address, next_path)
    assert sent.status_code == 200, sent.text
    fields = form_of(sent.text, "/masuk/kode") | {"code": latest_code(address)}
    done = client.post("/masuk/kode", data=fields, headers=HTML, follow_redirects=False)
    assert done.status_code == 303, done.text
    return done.headers["location"]


def test_sign_in_with_code_starts_a_session_and_goes_on(client: TestClient) -> None:
    before = client.cookies.get(SESSION_COOKIE)
    assert sign_in(client, next_path="/lapor-diri") == "/lapor-diri"
    assert client.cookies.get(SESSION_COOKIE) not in (None, before)
    assert client.get("/masuk", headers=HTML, follow_redirects=False).status_code == 303


def test_the_address_never_travels_in_a_url(client: TestClient) -> None:
    sent = request_code(client, "+821012345678")
    assert sent.status_code == 200
    assert "+821012345678" in sent.text  # shown back in the body…
    for url in re.findall(r'(?:href|action)="([^"]*)"', sent.text):
        assert "821012345678" not in url  # …never in a link or form target


def test_wrong_code_is_said_next_to_the_field_in_the_readers_language(client: TestClient) -> None:
    client.cookies.set("peduli_lang", "en")
    sent = request_code(client)
    fields = form_of(sent.text, "/masuk/kode") | {"code": "000000"}
    if fields["code"] == latest_code(ADDRESS):
        fields["code"] = "111111"
    wrong = client.post("/masuk/kode", data=fields, headers=HTML)
    assert wrong.status_code == 401
    assert 'aria-invalid="true"' in wrong.text
    assert "The code is not right; 4 tries left" in wrong.text
    assert client.cookies.get(SESSION_COOKIE) is None


def test_wrong_guesses_are_counted_although_the_request_rolls_back(client: TestClient) -> None:
    sent = request_code(client)
    fields = form_of(sent.text, "/masuk/kode")
    good = latest_code(ADDRESS)
    bad = "111111" if good != "111111" else "222222"
    for left in (4, 3):
        wrong = client.post("/masuk/kode", data=fields | {"code": bad}, headers=HTML)
        assert f"{left} " in wrong.text


def test_rate_limit_says_when_to_try_again(client: TestClient, monkeypatch) -> None:
    monkeypatch.setattr(get_settings(), "otp_max_per_address_per_hour", 1)
    assert request_code(client).status_code == 200
    limited = request_code(client, next_path="/saya?lang=id")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert "menit" in limited.text  # Indonesian by default: "coba lagi dalam … menit"


def test_invalid_address_is_shown_next_to_the_field(client: TestClient) -> None:
    page = request_code(client, "not an address")
    assert page.status_code == 422
    assert 'id="address-error"' in page.text and 'aria-invalid="true"' in page.text
    assert 'value="not an address"' in page.text


def test_form_without_its_token_is_refused(client: TestClient) -> None:
    client.get("/masuk", headers=HTML)
    refused = client.post("/masuk", data={"address": ADDRESS, "csrf_token": "forged"})
    assert refused.status_code == 403


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_sign_in_never_sends_citizens_off_site(client: TestClient, target: str) -> None:
    assert sign_in(client, next_path=target) == "/saya"


def test_sign_out_ends_the_session(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/saya", headers=HTML)
    fields = form_of(page.text, "/keluar")
    out = client.post("/keluar", data=fields, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/saya", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", "Votre code de connexion Peduli"),
        ("zh", "您的 Peduli 登录验证码"),
        ("en", "Your Peduli sign-in code"),
    ],
)
def test_the_code_arrives_in_the_language_of_the_page(
    client: TestClient, language: str, words: str
) -> None:
    client.get(f"/language?lang={language}&next=/masuk")
    assert request_code(client, "lang-reader@example.org").status_code == 200
    with get_sessionmaker()() as session:
        message = messages_to(session, "lang-reader@example.org")[0]
    assert message.body.startswith(words), message.body
    assert "Kode masuk" not in message.body


def test_a_bad_email_address_is_explained_in_the_readers_language(client: TestClient) -> None:
    client.get("/language?lang=fr&next=/masuk")
    sent = request_code(client, "siti@@example")
    assert sent.status_code == 422
    assert "L’adresse e-mail ou le numéro de téléphone n’est pas écrit correctement." in sent.text
    assert "@-sign" not in sent.text and "email address" not in sent.text


def test_a_form_value_the_route_refuses_is_a_page_in_the_readers_language(
    client: TestClient,
) -> None:
    """An address longer than the form allows never reaches the handler: still a page."""
    client.get("/language?lang=fr&next=/masuk")
    page = client.get("/masuk", headers=HTML)
    fields = form_of(page.text, "/masuk") | {"address": "a" * 400 + "@example.org"}
    refused = client.post("/masuk", data=fields, headers=HTML)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("text/html")
    assert "C’est trop long." in refused.text and "320" in refused.text
    assert "String should" not in refused.text


def test_switching_language_keeps_the_address_being_typed(client: TestClient) -> None:
    page = client.get("/masuk?next=/lapor-diri", headers=HTML)
    assert 'form="address-form" name="go" value="language"' in page.text
    fields = form_of(page.text, "/masuk") | {"address": "+82 10 1234 5678"}
    switched = client.post("/masuk", data=fields | {"go": "language", "lang": "fr"}, headers=HTML)
    assert switched.status_code == 200 and '<html lang="fr">' in switched.text
    assert 'value="+82 10 1234 5678"' in switched.text
    assert 'name="next_path" value="/lapor-diri"' in switched.text
    with get_sessionmaker()() as session:
        assert messages_to(session, "+821012345678") == []  # no code was sent


def test_switching_language_while_entering_the_code_stays_on_the_code(
    client: TestClient,
) -> None:
    sent = request_code(client)
    fields = form_of(sent.text, "/masuk/kode") | {"go": "language", "lang": "zh"}
    switched = client.post("/masuk/kode", data=fields, headers=HTML)
    assert switched.status_code == 200 and '<html lang="zh">' in switched.text
    assert 'action="/masuk/kode"' in switched.text and ADDRESS in switched.text
    # The code sent before the switch still signs the citizen in.
    fields = form_of(switched.text, "/masuk/kode") | {"code": latest_code(ADDRESS)}
    done = client.post("/masuk/kode", data=fields, headers=HTML, follow_redirects=False)
    assert done.status_code == 303
