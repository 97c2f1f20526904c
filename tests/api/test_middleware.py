"""Every answer carries the security headers; bodies over their limit are refused unread."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from peduli.api.app import create_app
from peduli.core.config import get_settings
from peduli.web.templating import STATIC_DIR

HTML = {"accept": "text/html"}


def _csp(response: Any) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {d.split(" ", 1)[0]: d.partition(" ")[2] for d in policy.split("; ")}


@pytest.mark.parametrize(
    "path", ["/", "/healthz", "/api/v1/no-such-route", "/static/peduli.css", "/sos"]
)
def test_every_answer_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path, headers=HTML)
    csp = _csp(response)
    assert (
        csp["script-src"] == "'self'"
        and "unsafe-inline" not in response.headers["content-security-policy"]
    )
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "geolocation=(self)" in response.headers["permissions-policy"]
    assert "strict-transport-security" not in response.headers  # development: plain HTTP


def test_outside_development_hsts_is_sent_and_every_cookie_is_secure(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "environment", "staging")
    page = client.get("/?lang=fr", headers=HTML)  # sets the language and CSRF cookies
    assert page.headers["strict-transport-security"].startswith("max-age=63072000")
    cookies = page.headers.get_list("set-cookie")
    assert cookies and all("; Secure" in cookie for cookie in cookies)


def test_pages_have_no_inline_script_or_style_and_path_only_asset_urls() -> None:
    templates = (STATIC_DIR.parent / "templates").rglob("*.html")
    for template in templates:
        text = template.read_text(encoding="utf-8")
        # A JSON data block (type="application/json") is data the CSP never runs, not a script.
        executable = r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>"
        assert not re.search(executable, text), template
        assert not re.search(r"<style\b|<[a-z][^>]*\s(style|on[a-z]+)=", text), template
        assert "url_for" not in text, template


def test_asset_urls_never_echo_the_host_header(client: TestClient) -> None:
    page = client.get("/sos", headers={**HTML, "host": "evil.example"})
    assert "evil.example" not in page.text
    assets = re.findall(r'(?:href|src)="([^"]*/static/[^"]+)"', page.text)
    assert len(assets) >= 3 and all(a.startswith("/static/") for a in assets)


def test_versioned_assets_are_cached_a_year_and_others_revalidated(client: TestClient) -> None:
    page = client.get("/sos", headers=HTML)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\?v=[0-9a-f]{12})"', page.text)
    assert len(assets) >= 3
    for asset in assets:
        cache = client.get(asset).headers["cache-control"]
        assert cache == "public, max-age=31536000, immutable"
    assert client.get("/static/peduli.css").headers["cache-control"] == "no-cache"
    assert client.get("/static/peduli.css?v=000000000000").headers["cache-control"] == "no-cache"


# --- request bodies ---------------------------------------------------------------------


def test_a_declared_body_over_1_mb_is_refused_with_413_problem(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/login",
        content=b"{" + b" " * (1024 * 1024) + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "body_too_large"
    assert "content-security-policy" in response.headers


def test_a_chunked_body_over_the_limit_is_refused(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b" " * 65536

    response = client.post(
        "/api/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"


def _drive(headers: list[tuple[bytes, bytes]], chunks: int) -> tuple[int, int]:
    """Send ``chunks`` chunks of 64 KiB to the app; (status, how many it pulled)."""
    app = create_app()
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        more = pulled < chunks
        return {"type": "http.request", "body": b" " * 65536, "more_body": more}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/auth/login",
        "raw_path": b"/api/v1/auth/login",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "state": {},
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], pulled


@pytest.mark.usefixtures("clean_engine")
def test_nothing_past_the_limit_is_read_into_memory() -> None:
    # A chunked body of 100 x 64 KiB (6.4 MB): reading stops at the chunk past 1 MB.
    status, pulled = _drive([(b"content-type", b"application/json")], chunks=100)
    assert status == 413
    assert pulled == 1024 * 1024 // 65536 + 1
    # A declared Content-Length over the limit is answered before a byte is read.
    status, pulled = _drive([(b"content-length", b"6553600")], chunks=100)
    assert (status, pulled) == (413, 0)


def test_the_limit_is_a_setting(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "max_body_bytes", 100)
    body = {"email": "someone@example.org", "password": "x" * 100}
    assert client.post("/api/v1/auth/login", json=body).status_code == 413


def test_attachment_uploads_have_their_own_limit() -> None:
    from peduli.api.middleware import BodyLimit

    limiter = BodyLimit(create_app(), settings=get_settings)
    multipart = [(b"content-type", b"multipart/form-data; boundary=x")]
    upload = {"path": "/api/v1/cases/1/attachments", "headers": multipart}
    assert limiter.limit(upload) == get_settings().case_attachment_max_bytes + 64 * 1024
    assert limiter.limit({"path": "/api/v1/self-reports", "headers": multipart}) == 1024 * 1024
