"""Screenshots of the main pages for the README, taken from a real demo in headless Chromium.

Usage: .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts ``peduli demo`` on a temporary SQLite database and a free port, walks a citizen
through sign-in (code read from the demo mailbox), lapor diri and "my stays" on a phone,
and an officer through sign-in with TOTP, the work queue, a person, search and a merge on
a desktop, saving one PNG per page. Uses Debian's Chromium; never downloads a browser.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyotp
from playwright.sync_api import Browser, Page, sync_playwright

from peduli.demo.staff import DEMO_PASSWORD, DEMO_STAFF

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the browser set-up is shared with the browser tests
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE  # noqa: E402

CITIZEN = "dewi.lestari@example.org"
SECOND_ADDRESS = "dewi.kl@example.org"
OFFICER = next(s for s in DEMO_STAFF if s.email.startswith("officer.kualalumpur"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def demo_server() -> Iterator[str]:
    """``peduli demo`` on a fresh temporary database; yields its base URL."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="peduli-screens-") as tmp:
        env = {
            **os.environ,
            "PEDULI_DATABASE_URL": f"sqlite:///{Path(tmp) / 'demo.db'}",
            "PEDULI_SMTP_PORT": str(_free_port()),
            "PEDULI_SMS_GATEWAY_URL": f"http://127.0.0.1:{_free_port()}/sms",
        }
        command = [str(ROOT / ".venv/bin/peduli"), "demo", "--port", str(port)]
        command += ["--citizens", "400"]
        log = (Path(tmp) / "demo.log").open("w")
        process = subprocess.Popen(  # noqa: S603 - our own fixed command line
            command, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base, process, Path(tmp) / "demo.log")
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)
            log.close()


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"peduli demo stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"peduli demo did not answer within 3 minutes:\n{log.read_text()}")


def _code_from_mailbox(base: str, address: str) -> str:
    """The newest code the sandbox mail server received for ``address`` (as a person reads it)."""
    for _ in range(40):
        with urllib.request.urlopen(base + "/demo/mailbox.json") as answer:  # noqa: S310
            messages = json.load(answer)["messages"]
        for message in messages:
            found = re.search(r"\b(\d{6})\b", message["body"])
            if message["recipient"] == address and found:
                return found.group(1)
        time.sleep(0.25)
    sys.exit(f"no code reached the demo mailbox for {address}")


class Shooter:
    """Saves each page as ``NN-name.png`` in the output folder."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.count = 0

    def __call__(self, page: Page, name: str) -> None:
        self.count += 1
        page.wait_for_load_state("networkidle")
        path = self.out / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), animations="disabled", caret="hide")
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")


def citizen_pages(browser: Browser, base: str, shoot: Shooter) -> None:
    """Home, sign-in, the lapor diri steps, the confirmation, my stays, on a phone."""
    context = browser.new_context(base_url=base, viewport=PHONE, locale="id-ID")  # type: ignore[arg-type]
    page = context.new_page()
    page.goto("/")
    shoot(page, "home")
    _sign_in(page, base, CITIZEN, shoot)
    page.fill("#full_name", "Dewi Lestari")
    page.fill("#date_of_birth", "1991-02-03")
    page.check("#sex")
    page.fill("#nik", "3171014302910000")
    page.locator("#passport_number").focus()  # the NIK is checked inline as the field is left
    page.locator("#nik-error:not(:empty)").wait_for()
    shoot(page, "lapor-diri-inline-error")
    page.fill("#nik", "3171014302910012")
    page.fill("#passport_number", "B2345678")
    _next(page)
    page.select_option("#country", "MY")
    page.fill("#city", "Kuala Lumpur")
    page.fill("#address", "Jalan Ampang 12, Kampung Baru")
    shoot(page, "lapor-diri-place")
    _next(page)
    _work_and_contact(page, CITIZEN)
    shoot(page, "lapor-diri-review")
    page.locator("button[value=submit]").click()
    page.wait_for_url("**/terkirim/*")
    shoot(page, "lapor-diri-done")
    page.goto("/saya")
    shoot(page, "my-stays")
    page.goto("/?lang=zh")
    shoot(page, "home-zh")
    help_request(page, shoot)
    context.close()


def help_request(page: Page, shoot: Shooter) -> None:
    """A signed-in citizen asks for help and follows it under "my requests"."""
    page.goto("/bantuan?lang=id")
    page.locator("input[name=category][value=labour]").check()
    page.fill("#summary", "Majikan menahan paspor saya dan belum membayar gaji dua bulan.")
    page.select_option("#country", "MY")
    page.fill("#city", "Kuala Lumpur")
    shoot(page, "help-request")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    shoot(page, "help-request-sent")
    page.goto("/saya/permintaan")
    shoot(page, "my-requests")


def second_report(browser: Browser, base: str) -> None:
    """The same woman reports again from another address and spells her name differently:
    the registry flags a possible duplicate for the officer."""
    context = browser.new_context(base_url=base, viewport=PHONE, locale="id-ID")  # type: ignore[arg-type]
    page = context.new_page()
    _sign_in(page, base, SECOND_ADDRESS, None)
    page.fill("#full_name", "Dewi Lestary")
    page.fill("#date_of_birth", "1991-02-03")
    page.check("#sex")
    page.fill("#passport_number", "C7654321")
    _next(page)
    page.select_option("#country", "MY")
    page.fill("#city", "Kuala Lumpur")
    _next(page)
    _work_and_contact(page, SECOND_ADDRESS)
    page.locator("button[value=submit]").click()
    page.wait_for_url("**/terkirim/*")
    context.close()


def _sign_in(page: Page, base: str, address: str, shoot: Shooter | None) -> None:
    """From the lapor diri link through the sign-in pages, with the code from the mailbox."""
    page.goto("/lapor-diri")
    page.fill("#address", address)
    page.locator("main form[action='/masuk'] button[type=submit]").click()
    if shoot:
        shoot(page, "sign-in-code")
        mailbox = page.context.new_page()
        mailbox.goto("/demo/mailbox")
        shoot(mailbox, "demo-mailbox")
        mailbox.close()
    page.fill("#code", _code_from_mailbox(base, address))
    page.locator("main form[action='/masuk/kode'] button[type=submit]").click()
    page.wait_for_url("**/lapor-diri")


def _work_and_contact(page: Page, email: str) -> None:
    """Steps 3 and 4: a domestic worker's job, and how to reach her."""
    page.check("#purpose")
    page.select_option("#sector", "domestic_work")
    page.fill("#employer", "Keluarga Tan")
    page.fill("#arrival_date", "2025-01-10")
    _next(page)
    page.fill("#email", email)
    page.check("#consent")
    _next(page)


def _next(page: Page) -> None:
    page.locator("main form button[name=go][value=next]").click()
    page.wait_for_load_state()


def officer_pages(browser: Browser, base: str, shoot: Shooter) -> None:
    """Sign-in with TOTP, the queue, a person, search, duplicates and a merge, on a desktop."""
    context = browser.new_context(base_url=base, viewport=DESKTOP, locale="en-GB")  # type: ignore[arg-type]
    page = context.new_page()
    page.goto("/officer/sign-in")
    page.get_by_label("Email").fill(OFFICER.email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(
        pyotp.TOTP(OFFICER.totp_secret or "").now()
    )
    shoot(page, "officer-sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/officer")
    shoot(page, "officer-queue")
    page.get_by_role("link", name="Dewi Lestari").first.click()
    shoot(page, "officer-person")
    page.goto("/officer/search")
    page.get_by_label("Name").fill("Muhamad Yusuf")
    page.locator("main form button[type=submit]").last.click()
    shoot(page, "officer-search")
    page.goto("/officer/duplicates")
    shoot(page, "officer-duplicates")
    page.get_by_role("link", name=re.compile("Compare")).first.click()
    shoot(page, "officer-merge")
    case_desk(page, shoot)
    context.close()


def case_desk(page: Page, shoot: Shooter) -> None:
    """The case queue, a case (the citizen's help request), the team and the figures."""
    page.goto("/officer/cases")
    shoot(page, "officer-cases")
    cases = page.locator("main table a[href^='/officer/cases/']")
    if cases.count():
        cases.first.click()
        page.wait_for_load_state()
        shoot(page, "officer-case")
    page.goto("/officer/cases/new")
    shoot(page, "officer-case-new")
    page.goto("/hq/outcomes")
    shoot(page, "outcomes")


def main() -> None:
    """Take every screenshot into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    out: Path = parser.parse_args().out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    shoot = Shooter(out)
    with demo_server() as base, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            citizen_pages(browser, base, shoot)
            second_report(browser, base)
            officer_pages(browser, base, shoot)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
