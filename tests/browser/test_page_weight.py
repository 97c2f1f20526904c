"""Citizen pages weigh at most 100 KB on first load, compressed, with every asset they fetch.

Measured in the browser: a fresh context (empty cache) records every response of the
page load, and the bytes on the wire (headers + compressed bodies) are summed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from playwright.sync_api import Page, Response

from tests import factories
from tests.browser.conftest import NewPage, latest_code_for

BUDGET = 100 * 1024
COMPRESSIBLE = ("text/html", "text/css", "javascript", "application/json")


@dataclass
class Load:
    """What one first load fetched: URL, bytes on the wire and content encoding of each."""

    responses: list[tuple[str, int, str]] = field(default_factory=list)

    def record(self, response: Response) -> None:
        sizes = response.request.sizes()
        wire = sizes["responseHeadersSize"] + sizes["responseBodySize"]
        encoding = response.headers.get("content-encoding", "")
        kind = response.headers.get("content-type", "")
        self.responses.append((f"{response.url} [{kind}]", wire, encoding))

    @property
    def total(self) -> int:
        return sum(size for _, size, _ in self.responses)

    def report(self) -> str:
        lines = [
            f"{size:>7} B {encoding or '-':>5} {url}" for url, size, encoding in self.responses
        ]
        return "\n".join([*lines, f"{self.total:>7} B total"])


def first_load(new_page: NewPage, path: str, *, cookies_from: Page | None = None) -> Load:
    """Open ``path`` in a fresh context (nothing cached) and record what came over the wire."""
    page = new_page()
    if cookies_from is not None:
        page.context.add_cookies(cookies_from.context.cookies())  # type: ignore[arg-type]
    load = Load()
    page.on("response", load.record)
    document = page.goto(path, wait_until="networkidle")
    page.remove_listener("response", load.record)
    assert document is not None and document.ok, f"{path} did not load"
    assert document.url.endswith(path), f"{path} went to {document.url}"
    return load


def assert_light(load: Load) -> None:
    assert load.responses, "nothing was loaded"
    assert load.total <= BUDGET, f"over {BUDGET} B:\n{load.report()}"
    uncompressed = [
        url
        for url, size, encoding in load.responses
        if size > 1024 and any(kind in url for kind in COMPRESSIBLE) and not encoding
    ]
    assert not uncompressed, f"sent uncompressed:\n{load.report()}"


def _signed_in_citizen(new_page: NewPage) -> tuple[Page, uuid.UUID]:
    """A citizen signed in through the page, with one reported stay."""
    address = "wati@example.org"
    page = new_page()
    page.goto("/masuk")
    page.fill("#address", address)
    page.locator("main form[action='/masuk'] button[type=submit]").first.click()
    page.fill("#code", latest_code_for(address))
    page.locator("main form[action='/masuk/kode'] button[type=submit]").click()
    page.wait_for_url("**/saya")
    csrf = page.request.get("/api/v1/auth/session").json()["csrf_token"]
    body = factories.report(**factories.HONG_KONG, email=address).model_dump(mode="json")
    answer = page.request.post("/api/v1/self-reports", data=body, headers={"X-CSRF-Token": csrf})
    assert answer.ok, answer.text()
    return page, uuid.UUID(answer.json()["stay"]["id"])


def test_public_citizen_pages_are_light(new_page: NewPage) -> None:
    for path in ("/", "/masuk", "/?lang=zh", "/?lang=fr"):
        assert_light(first_load(new_page, path))


def test_signed_in_citizen_pages_are_light(new_page: NewPage) -> None:
    citizen, stay_id = _signed_in_citizen(new_page)
    for path in (
        "/lapor-diri",
        "/saya",
        f"/saya/tinggal/{stay_id}/ubah",
        f"/lapor-diri/terkirim/{stay_id}",
        "/verifikasi",
    ):
        assert_light(first_load(new_page, path, cookies_from=citizen))


def test_the_measure_counts_compressed_assets(new_page: NewPage) -> None:
    load = first_load(new_page, "/")
    kinds = " ".join(url for url, _, _ in load.responses)
    assert "peduli.css" in kinds and "htmx" in kinds, load.report()
    assert all(encoding == "gzip" for url, _, encoding in load.responses if "htmx" in url)
    assert load.total > 5_000, load.report()  # htmx alone is ~16 KB compressed
