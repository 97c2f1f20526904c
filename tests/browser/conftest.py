"""Browser-test harness: the app on a live port, headless Chromium, axe-core, sign-in helpers.

Interface (see each docstring):

- fixtures ``live_server`` (session: the running app), ``site`` (function: the same
  server with every table emptied first), ``browser`` (Chromium, launched once and
  shared), ``new_page`` (function: a factory
  ``new_page(js=True, locale="id-ID", viewport=PHONE, accept_language=None)``), ``page``
  and ``page_without_js`` (function: a phone-sized page, with and without JavaScript);
- helpers ``assert_accessible(page)``, ``latest_code_for(address)``,
  ``make_staff(...)`` → ``StaffLogin``, ``sign_in_citizen_api(page, address)`` and
  ``sign_in_staff_api(page, staff)``; import them with
  ``from tests.browser.conftest import assert_accessible, ...`` (they live in
  ``tests.browser.harness``).

Every browser test is marked ``browser`` automatically. Pages' relative URLs resolve
against the live server (``page.goto("/")``). The server is the app of ``create_app`` in a
thread of this process, on the test database the ``engine`` fixture set up, so a test can
read and write the same database directly (commit before the browser looks).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy.engine import Engine

from tests.browser.harness import (
    CHROMIUM_SESSION,
    DESKTOP,
    PHONE,
    TIMEOUT_MS,
    WITHOUT_JAVASCRIPT,
    LiveServer,
    NewPage,
    StaffLogin,
    assert_accessible,
    axe_violations,
    latest_code_for,
    make_staff,
    sign_in_citizen_api,
    sign_in_staff_api,
)
from tests.conftest import empty_all_tables

__all__ = [
    "DESKTOP",
    "PHONE",
    "LiveServer",
    "NewPage",
    "StaffLogin",
    "assert_accessible",
    "axe_violations",
    "latest_code_for",
    "make_staff",
    "sign_in_citizen_api",
    "sign_in_staff_api",
]
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this directory ``browser`` (``-m 'not browser'`` skips them)."""
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


# ---------------------------------------------------------------- live server


@pytest.fixture
def site(live_server: LiveServer, engine: Engine) -> LiveServer:
    """The live server over an empty database: each test starts from nothing."""
    empty_all_tables(engine)
    return live_server


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After the fixtures' teardown: stop Chromium unless the next test is a browser test."""
    result = yield
    if nextitem is None or HERE not in Path(str(nextitem.fspath)).parents:
        CHROMIUM_SESSION.stop()
    return result


@pytest.fixture
def browser() -> Browser:
    """Debian's Chromium, headless, shared by the tests (Playwright gives it a fresh profile)."""
    return CHROMIUM_SESSION.get()


@pytest.fixture
def new_page(browser: Browser, site: LiveServer) -> Iterator[NewPage]:
    """Factory of pages, each in a fresh context (own cookies) on the live server.

    ``new_page(js=True, locale="id-ID", viewport=PHONE, accept_language=None)``; the
    context's ``Accept-Language`` follows ``locale`` unless ``accept_language`` is given.
    """
    contexts: list[BrowserContext] = []

    def make(
        js: bool = True,
        locale: str = "id-ID",
        viewport: dict[str, int] | None = None,
        accept_language: str | None = None,
    ) -> Page:
        context = browser.new_context(
            base_url=site.url,
            java_script_enabled=js,
            locale=locale,
            viewport=viewport or PHONE,  # type: ignore[arg-type]
            extra_http_headers={"Accept-Language": accept_language or locale},
        )
        if not js:
            WITHOUT_JAVASCRIPT.add(context)
        context.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS * 2)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: NewPage) -> Page:
    """A phone-sized page with JavaScript, in Indonesian."""
    return new_page()


@pytest.fixture
def page_without_js(new_page: NewPage) -> Page:
    """A phone-sized page with JavaScript turned off, in Indonesian."""
    return new_page(js=False)
