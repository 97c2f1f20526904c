"""The app on a real port, shared by every test that needs one (one definition, so one
server per test process: its ``PEDULI_PUBLIC_URL`` is the one every signed URL is checked
against). Registered by ``tests/conftest.py``."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from sqlalchemy.engine import Engine

from peduli.core.config import get_settings
from tests.browser.harness import LiveServer


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(engine: Engine) -> Iterator[LiveServer]:
    """Serve ``create_app()`` with uvicorn in a background thread, on the test database."""
    port = _free_port()
    # The links pages print (a self-report's proof) point at this server, as in production.
    os.environ["PEDULI_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    get_settings.cache_clear()
    config = uvicorn.Config(
        "peduli.api.app:create_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start; see the log above")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{config.port}")
    server.should_exit = True
    thread.join(timeout=10)
