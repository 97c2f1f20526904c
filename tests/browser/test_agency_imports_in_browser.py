"""HQ's import of an agency export in a real browser, in two languages: upload a CSV, read the
dry run's report with its row problems in the reader's language, watch the progress (htmx,
or the page refreshing itself without JavaScript), import for real, see what was written;
every page checked by axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from peduli.agencies import imports_run
from peduli.core.db import get_sessionmaker, session_scope, utcnow
from peduli.registry.models import Person
from tests.agencies.exports import csv_bytes, data_dir, worker  # noqa: F401  (uploads dir)
from tests.browser.conftest import DESKTOP, NewPage, assert_accessible, make_staff
from tests.browser.harness import sign_in_staff_api
from tests.browser.test_accessibility import visit

pytestmark = pytest.mark.usefixtures("data_dir")

WORDS = {
    "en-GB": {
        "dry": "Dry run of an agency export",
        "real": "Import of an agency export",
        "waiting": "Waiting for the worker",
        "future": "The birth date 2099-01-01 is in the future or before 1900.",
        "apply": "Import this file for real",
        "done": "Done",
    },
    "id-ID": {
        "dry": "Uji coba ekspor instansi",
        "real": "Impor ekspor instansi",
        "waiting": "Menunggu pemroses",
        "future": "Tanggal lahir 2099-01-01 ada di masa depan atau sebelum 1900.",
        "apply": "Impor berkas ini sungguhan",
        "done": "Selesai",
    },
}


def _work() -> None:
    """The worker's turns, in this process, until no import is left."""
    while (taken := imports_run.claim(get_sessionmaker(), utcnow())) is not None:
        imports_run.run(get_sessionmaker(), taken)


def _hq(new_page: NewPage, locale: str, *, js: bool) -> Page:
    staff = make_staff(email=f"hq-{locale}@example.org", role="hq_admin", representation_code=None)
    page = new_page(viewport=DESKTOP, locale=locale, js=js)
    sign_in_staff_api(page, staff)
    return page


def _people() -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(Person)) or 0)


@pytest.mark.parametrize(
    ("locale", "js"), [("en-GB", True), ("id-ID", False)], ids=["en-js", "id-no-js"]
)
def test_hq_imports_an_export_from_its_dry_run_to_the_result(
    new_page: NewPage, locale: str, js: bool
) -> None:
    words = WORDS[locale]
    page = _hq(new_page, locale, js=js)
    visit(page, "/hq/imports")
    rows = [worker(1), worker(2), worker(3, **{"Tanggal Lahir": "2099-01-01"})]
    page.set_input_files(
        "#file",
        files=[{"name": "placements.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)}],
    )
    page.locator("#form-import button[type=submit]").click()

    expect(page.locator("h1")).to_have_text(words["dry"])
    expect(page.locator("#progress-title")).to_have_text(words["waiting"])
    assert_accessible(page)  # the report while it waits
    report = page.url
    import_id = report.rstrip("/").rsplit("/", 1)[1]
    _work()
    # htmx polls the progress and reloads the finished report; without JavaScript the page
    # refreshes itself: either way the problems appear without a click.
    expect(page.locator("#import-problems")).to_contain_text(words["future"], timeout=20_000)
    expect(page.locator("#import-progress .count-create")).to_have_text("2")
    expect(page.locator("#import-progress .count-refuse")).to_have_text("1")
    assert_accessible(page)  # the dry run's report with its problems
    visit(page, "/hq/imports/{import_id}/progress", import_id=import_id)
    expect(page.locator("#progress-title")).to_have_text(words["done"])
    assert _people() == 0  # a dry run writes nothing

    page.goto(report)
    page.get_by_role("button", name=words["apply"]).click()
    expect(page.locator("h1")).to_have_text(words["real"])
    _work()
    expect(page.locator("#progress-title")).to_have_text(words["done"], timeout=20_000)
    expect(page.locator("#import-progress")).to_contain_text(re.compile(r"\b3\b"))
    assert_accessible(page)  # the real run's result
    assert _people() == 2  # the refused row is not written
    visit(page, "/hq/imports")
    expect(page.locator("main table tbody tr")).to_have_count(2)
