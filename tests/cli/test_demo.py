"""``peduli seed`` and ``peduli demo``: the commands a newcomer runs first."""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyotp
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from peduli.cli.main import app
from peduli.demo.staff import DEMO_PASSWORD, DEMO_STAFF
from peduli.registry.models import Person, Stay

START_TIMEOUT = 180.0  # a loaded CI machine took 83 s; a passing run never waits it out


def test_seed_command_adds_citizens_and_reports_them(db: Session) -> None:
    result = CliRunner().invoke(app, ["seed", "--citizens", "40", "--seed", "9", "--batch", "100"])
    assert result.exit_code == 0, result.output
    assert "Added 40 citizens (seed 9)" in result.output
    assert db.scalar(select(func.count()).select_from(Person)) == 40


def test_seed_command_puts_everyone_in_the_city_asked_for(db: Session) -> None:
    result = CliRunner().invoke(
        app, ["seed", "--citizens", "30", "--seed", "4", "--city", "Kuala Lumpur"]
    )
    assert result.exit_code == 0, result.output
    cities = db.scalars(select(Stay.city).distinct()).all()
    assert cities == ["Kuala Lumpur"]
    unknown = CliRunner().invoke(app, ["seed", "--citizens", "3", "--city", "Atlantis"])
    assert unknown.exit_code == 2
    assert "Atlantis" in unknown.output


def test_seed_command_refuses_a_used_seed_with_a_fix(clean_engine: Engine) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["seed", "--citizens", "5", "--seed", "3"]).exit_code == 0
    again = runner.invoke(app, ["seed", "--citizens", "5", "--seed", "3"])
    assert again.exit_code == 1
    assert "another --seed" in again.output


def _free_port() -> int:
    """A free port below the kernel's ephemeral range (32768 and up): the demo binds it only
    after a minute of seeding, and an ephemeral port could meanwhile go to another test's
    connection or server."""
    while True:
        port = random.randint(20_000, 32_000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``peduli demo`` in its own process, on free ports, with a fresh SQLite database."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEDULI_")}
    env |= {
        "PEDULI_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "PEDULI_SMTP_PORT": str(_free_port()),
        "PEDULI_SMS_GATEWAY_URL": f"http://127.0.0.1:{_free_port()}/sms",
        "PEDULI_NOTIFY_IDLE_SECONDS": "0.2",
        "PEDULI_AGENCY_CIVIL_REGISTRY_URL": f"http://127.0.0.1:{_free_port()}",
    }
    command = [sys.executable, "-c", "from peduli.cli.main import app; app()", "demo"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--citizens", "150"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_up(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"peduli demo exited: {process.stdout and process.stdout.read()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError("peduli demo did not answer /healthz in time")


def _agency_states(database: Path) -> set[str]:
    """The states the demo's worker gave the civil-registry checks, once all three showed."""
    engine = create_engine(f"sqlite:///{database}")
    deadline, states = time.monotonic() + 60, set[str]()
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                states = set(connection.scalars(text("SELECT state FROM person_verification")))
            if {"verified", "mismatch", "unavailable"} <= states:
                break
            time.sleep(0.5)
    finally:
        engine.dispose()
    return states


class _Output:
    """The demo's output, read by a thread as it comes, so a test can wait for a line the
    demo says a moment after the worker wrote what it tells of (a demo that stays silent
    cannot block the test)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self.lines: list[str] = []
        self._stdout = process.stdout
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self._stdout:
            self.lines.append(line)

    def wait_for(self, wanted: str, timeout: float) -> None:
        """Until a line holds ``wanted``, or ``timeout``: the assertions on the whole output
        then tell what is missing."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not any(wanted in line for line in self.lines):
            time.sleep(0.2)

    def whole(self, timeout: float) -> str:
        """Everything the demo wrote, once it ended."""
        self._reader.join(timeout)
        return "".join(self.lines)


def _mailbox_code(base: str, address: str) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page = httpx.get(f"{base}/demo/mailbox.json", params={"channel": "email"}).json()
        for message in page["messages"]:
            found = re.search(r"\b(\d{6})\b", message["body"])
            if message["recipient"] == address and found:
                return found.group(1)
        time.sleep(0.3)
    raise AssertionError(f"no sign-in code for {address} reached the demo mailbox")


def test_demo_serves_the_platform_with_working_demo_accounts(
    demo_server: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    base, process = demo_server
    said = _Output(process)
    assert httpx.get(f"{base}/healthz").json()["status"] == "ok"
    codes = {r["code"] for r in httpx.get(f"{base}/api/v1/representations").json()}
    assert {"kbri-seoul", "kjri-hong-kong", "kdei-taipei"} <= codes

    officer = next(s for s in DEMO_STAFF if s.email.startswith("officer.seoul"))
    assert officer.totp_secret
    with httpx.Client(base_url=base) as staff:
        signed_in = staff.post(
            "/api/v1/auth/login",
            json={
                "email": officer.email,
                "password": DEMO_PASSWORD,
                "totp": pyotp.TOTP(officer.totp_secret).now(),
            },
        )
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["representation_code"] == "kbri-seoul"

    address = "newcomer@example.org"
    sent = httpx.post(f"{base}/api/v1/auth/citizen/code", json={"address": address})
    assert sent.status_code == 202, sent.text
    code = _mailbox_code(base, address)
    verified = httpx.post(
        f"{base}/api/v1/auth/citizen/verify", json={"address": address, "code": code}
    )
    assert verified.status_code == 200, verified.text

    # The agencies' story: a report verified, a mismatch, one deferred by a maintenance window.
    states = _agency_states(tmp_path / "demo.db")
    assert {"verified", "mismatch", "unavailable"} <= states, states

    # The demo says what it saw a moment after the worker wrote it: wait for its last line.
    said.wait_for("in maintenance", timeout=30)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=20)
    output = said.whole(timeout=10)
    assert process.returncode == 0, output
    assert "is verified at the sandbox civil registry" in output
    assert "mismatch on place_of_birth" in output
    assert "in maintenance" in output
    assert DEMO_PASSWORD in output and officer.totp_secret in output
    assert "peduli staff totp-code --email" in output
    assert "Peduli demo stopped." in output
