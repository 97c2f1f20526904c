"""``peduli demo`` plays a call in Mandarin that ends as an emergency of the Seoul duty
officer."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from benchmarks._common import watch_output

from tests.cli.test_demo import demo_server

__all__ = ["demo_server"]
PLAYED = "Demo call in Mandarin played on the voice line"


def _voice_emergencies(database: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT representation_code, kind, caller_language, source FROM emergency "
            "WHERE source = 'voice'"
        ).fetchall()


def test_the_demo_plays_a_mandarin_call_that_ends_as_an_emergency(
    demo_server: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    _, process = demo_server
    # The line comes once the call has ended; the emergency was raised during it.
    assert watch_output(process, PLAYED).wait(90), "the demo played no call"
    deadline = time.monotonic() + 10
    while not (found := _voice_emergencies(tmp_path / "demo.db")):
        assert time.monotonic() < deadline, "the demo call raised no emergency"
        time.sleep(0.5)
    assert found == [("kbri-seoul", "detained", "zh", "voice")]
    process.send_signal(signal.SIGINT)
    process.wait(timeout=20)
