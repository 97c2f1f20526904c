"""The production layout for the load test: ``scripts/layout.sh`` on the test's own ports,
the sandbox gateways beside it, and a chaos thread that SIGKILLs app and worker processes. A
server process is forked again by its ``peduli serve`` within a second; a worker is started
again a second later, as systemd's ``Restart=always``/``RestartSec=1`` would."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "layout.sh"
RESTART_SECONDS = 1.0  # deploy/systemd/*.service: RestartSec=1


@dataclass(frozen=True)
class Ports:
    """Everything the run listens on, inside the range it was given."""

    http: int = 8800  # nginx; the app processes take the next ones
    postgres: int = 55520  # the primary; the replica takes the next one
    sandbox: int = 8810  # SMTP; the other sandboxes take the next ten

    def settings(self, state: Path) -> dict[str, str]:
        """The environment ``layout.sh start`` passes on to every process."""
        s = self.sandbox
        return {
            "PEDULI_LAYOUT_DIR": str(state),
            "PEDULI_LAYOUT_PORT": str(self.http),
            "PEDULI_LAYOUT_PG_PORT": str(self.postgres),
            "PEDULI_PUBLIC_URL": f"http://127.0.0.1:{self.http}",
            "PEDULI_COOKIE_SECURE": "false",  # plain HTTP on this machine
            "PEDULI_SMTP_PORT": str(s),
            "PEDULI_SMS_GATEWAY_URL": f"http://127.0.0.1:{s + 1}/sms",
            "PEDULI_WHATSAPP_API_URL": f"http://127.0.0.1:{s + 2}/v19.0",
            "PEDULI_VOICE_SANDBOX_URL": f"http://127.0.0.1:{s + 3}",
            "PEDULI_TELEGRAM_API_URL": f"http://127.0.0.1:{s + 4}",
            "PEDULI_AGENCY_CIVIL_REGISTRY_URL": f"http://127.0.0.1:{s + 5}",
            "PEDULI_AGENCY_IMMIGRATION_URL": f"http://127.0.0.1:{s + 6}",
            "PEDULI_AGENCY_BP2MI_URL": f"http://127.0.0.1:{s + 7}",
            "PEDULI_AGENCY_PARTNER_STATE_URL": f"http://127.0.0.1:{s + 8}",
            "PEDULI_AGENCY_WEBHOOK_RECEIVER_URL": f"http://127.0.0.1:{s + 9}",
            "PEDULI_PAYMENT_GATEWAY_URL": f"http://127.0.0.1:{s + 10}",
        }


def layout(command: str, *extra: str) -> None:
    """``scripts/layout.sh COMMAND`` with this process's environment."""
    subprocess.run(["bash", str(SCRIPT), command, *extra], check=True, env=dict(os.environ))


def load_environment(state: Path) -> None:
    """Take over the settings every process of the layout reads (``peduli.env``)."""
    dump = subprocess.run(
        ["bash", "-c", f"set -a; . {state / 'peduli.env'}; env -0"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    for item in dump.split(b"\0"):
        name, _eq, value = item.decode().partition("=")
        if name.startswith(("PEDULI_", "PROMETHEUS_")):
            os.environ[name] = value


def serving_process(pid: int) -> int:
    """The process that does the work: ``peduli serve`` supervises the server process it
    forked (it starts another when that one dies); a worker is its own."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return int(children[0]) if children else pid


@dataclass
class Kill:
    at: float
    process: str
    pid: int


@dataclass
class Chaos:
    """SIGKILL a random app or worker process every ``every`` seconds on average (a server
    process, not its supervisor: what dies in production is the process doing the work)."""

    state: Path
    every: float
    rng: random.Random = field(default_factory=lambda: random.Random(18))
    kills: list[Kill] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="chaos", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
        layout("revive")  # whatever was killed last is running again

    def _run(self) -> None:
        while not self._stop.wait(self.rng.uniform(0.5, 1.5) * self.every):
            pidfiles = sorted((self.state / "run").glob("serve-*.pid")) + sorted(
                (self.state / "run").glob("worker-*.pid")
            )
            if not pidfiles:
                continue
            chosen = self.rng.choice(pidfiles)
            try:
                pid = serving_process(int(chosen.read_text()))
                os.kill(pid, signal.SIGKILL)
            except (OSError, ValueError):
                continue
            self.kills.append(Kill(at=time.time(), process=chosen.stem, pid=pid))
            print(f"chaos: SIGKILL {chosen.stem} (pid {pid})", flush=True)
            time.sleep(RESTART_SECONDS)
            layout("revive")
