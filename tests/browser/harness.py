"""The browser-test toolkit behind ``tests/browser/conftest.py``: Chromium, axe-core, sign-in.

A plain module (not a conftest), so there is exactly one copy of its state however the
tests import it: ``from tests.browser.conftest import ...`` and
``from tests.browser.harness import ...`` give the same objects.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

CHROMIUM = "/usr/bin/chromium"
# As root and offline: no sandbox, no GPU, and nothing that calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Generous: a loaded CI machine can take seconds for an htmx round trip; passing tests
# never wait for it.
TIMEOUT_MS = 10_000
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
STAFF_PASSWORD = "correct horse battery staple"
_CODE = re.compile(r"\b(\d{6})\b")


# ---------------------------------------------------------------- live server and browser


@dataclass(frozen=True)
class LiveServer:
    """The running app: ``url`` is its origin, e.g. ``http://127.0.0.1:41234``."""

    url: str

    def __call__(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        return self.url + path


class _Chromium:
    """One Chromium for all the browser tests, stopped as soon as they are done.

    Playwright's sync API keeps an asyncio loop marked running on the main thread, which
    would break every later test that calls ``asyncio.run``: so it only lives while tests
    of this directory run, and starts again if another one comes later.
    """

    def __init__(self) -> None:
        self._manager: Any = None
        self._browser: Browser | None = None

    def get(self) -> Browser:
        """The running browser, launched on first use with a fresh temporary profile."""
        if self._browser is None:
            if not Path(CHROMIUM).exists():
                pytest.fail(f"{CHROMIUM} is missing: scripts/setup.sh installs Debian chromium")
            self._manager = sync_playwright()
            driver: Playwright = self._manager.start()
            self._browser = driver.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
        return self._browser

    def stop(self) -> None:
        """Close the browser and the driver (a no-op when not running)."""
        if self._browser is not None:
            self._browser.close()
            self._manager.__exit__(None, None, None)
        self._browser = self._manager = None
        COPY_PAGES.clear()


CHROMIUM_SESSION = _Chromium()


COPY_PAGES: dict[str, Page] = {}  # origin → the page axe checks copies in


NewPage = Callable[..., Page]
# Contexts made with JavaScript off, so that axe knows at once to check a copy.
WITHOUT_JAVASCRIPT: weakref.WeakSet[BrowserContext] = weakref.WeakSet()


# ---------------------------------------------------------------- accessibility


def axe_violations(page: Page, tags: list[str] | None = None) -> list[dict[str, Any]]:
    """Run vendored axe-core on the page as it is now; every violation it finds.

    axe needs timers, which a page without JavaScript never fires: such a page is checked
    as a copy of its current DOM, in a scripted page of the same origin and viewport whose
    scripts (htmx) are blocked, so it looks exactly like the page without JavaScript.
    """
    if _javascript_runs(page):
        return _run_axe(page, tags)
    copy = _copy_page(page)
    copy.set_viewport_size(page.viewport_size or PHONE)  # type: ignore[arg-type]
    copy.set_content(page.content())
    return _run_axe(copy, tags)


def _copy_page(page: Page) -> Page:
    """The page that axe checks copies in, one per origin (axe stays loaded in it)."""
    origin = re.match(r"https?://[^/]+", page.url)
    assert origin, f"cannot check {page.url}: open a page of the live server first"
    if origin[0] not in COPY_PAGES:
        context = CHROMIUM_SESSION.get().new_context(java_script_enabled=True)
        copy = context.new_page()
        copy.route("**/*.js", lambda route: route.abort())
        blank = origin[0] + "/__axe_copy__"
        copy.route(
            blank, lambda route: route.fulfill(body="<html></html>", content_type="text/html")
        )
        copy.goto(blank)
        COPY_PAGES[origin[0]] = copy
    return COPY_PAGES[origin[0]]


def _javascript_runs(page: Page) -> bool:
    if page.context in WITHOUT_JAVASCRIPT:
        return False
    probe = "() => new Promise(done => { setTimeout(() => done(true), 0); })"
    try:
        return bool(page.wait_for_function(probe, timeout=250).json_value())
    except PlaywrightTimeoutError:
        return False


def _run_axe(page: Page, tags: list[str] | None) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result: dict[str, Any] = page.evaluate(
        "async (tags) => await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        tags or AXE_TAGS,
    )
    return list(result["violations"])


def assert_accessible(page: Page) -> None:
    """Fail listing every serious or critical WCAG 2.1 A/AA violation axe-core finds."""
    blocking = [v for v in axe_violations(page) if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"{page.url}: {len(blocking)} serious/critical accessibility violation(s)"]
        for violation in blocking:
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:10])
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']} → {targets}"
            )
        pytest.fail("\n".join(lines), pytrace=False)


# ---------------------------------------------------------------- sign-in helpers


def latest_code_for(address: str) -> str:
    """The newest one-time sign-in code sent to ``address``, read from the outbox table.

    The browser tests run no sandbox or worker: the code is in the message the app queued.
    """
    from peduli.auth.codes import normalize_address
    from peduli.core.db import session_scope
    from tests.outbox import messages_to

    recipient = normalize_address(address).value
    with session_scope() as session:
        sent = messages_to(session, recipient)
        body = sent[0].body if sent else None
    if body is None or not (match := _CODE.search(body)):
        raise AssertionError(f"no sign-in code was queued for {address}")
    return match.group(1)


@dataclass(frozen=True)
class StaffLogin:
    """What a staff member knows: email, password, and the key of their authenticator app."""

    email: str
    password: str
    totp_secret: str

    def totp(self) -> str:
        """The code the authenticator app shows now."""
        return pyotp.TOTP(self.totp_secret).now()


def make_staff(
    email: str = "officer@example.org",
    role: str = "officer",
    representation_code: str | None = "kbri-kuala-lumpur",
    enrolled: bool = True,
) -> StaffLogin:
    """Create and commit a staff account with a known password (TOTP confirmed if enrolled)."""
    from peduli.auth import accounts, totp
    from peduli.core.db import session_scope, utcnow

    with session_scope() as session:
        account, _ = accounts.create_staff(
            session,
            email=email,
            role=role,
            representation_code=representation_code,
            password=STAFF_PASSWORD,
        )
        if enrolled:
            account.totp_confirmed_at = utcnow()
        secret = totp.ensure_secret(account)
    return StaffLogin(email, STAFF_PASSWORD, secret)


def sign_in_citizen_api(page: Page, address: str) -> dict[str, Any]:
    """Sign a citizen in through the API inside the page's context (it keeps the cookie).

    For tests whose subject is not the sign-in page itself.
    """
    sent = page.request.post("/api/v1/auth/citizen/code", data={"address": address})
    assert sent.ok, sent.text()
    answer = page.request.post(
        "/api/v1/auth/citizen/verify",
        data={"address": address, "code": latest_code_for(address)},
    )
    assert answer.ok, answer.text()
    return dict(answer.json())


def sign_in_staff_api(page: Page, staff: StaffLogin) -> dict[str, Any]:
    """Sign staff in through the API (password + TOTP) inside the page's context."""
    answer = page.request.post(
        "/api/v1/auth/login",
        data={"email": staff.email, "password": staff.password, "totp": staff.totp()},
    )
    assert answer.ok, answer.text()
    return dict(answer.json())
