"""``peduli serve``: the API and pages in several processes, each with its own socket.

uvicorn's ``--workers`` share one listening socket, and the process that wakes first accepts
every connection waiting at that moment. Measured with 32 keep-alive clients on two
workers: one process held 30 connections and the other 2, so one core did the work and the
clients of the busy process waited twice as long. Here every process binds its own socket
to the same port with ``SO_REUSEPORT``, and the kernel spreads new connections over them.
The kernel's placement is a coin toss per connection, so the processes also even out their
shares of long-lived keep-alive connections (``peduli.cli.balancing``). All state is in the
database, so the processes share nothing else.

The app is built once, in the supervising process, and every server process is forked from
it: importing Peduli and building FastAPI's routes takes 6.5 s of CPU (11 s where bytecode
is not cached), and on a machine saturated by a crisis a process that died took 20 s and
more to listen again, long enough for its neighbour to die too and for nginx to find nobody.
A fork listens again within a second. Even ``--workers 1`` runs so: the supervisor, not
systemd, brings its one process back.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import socket
import time
from multiprocessing.process import BaseProcess
from types import FrameType

import typer
import uvicorn
from starlette.types import ASGIApp

from peduli.cli.balancing import ConnectionBalancer, ConnectionShares
from peduli.cli.keys import require_safe_environment
from peduli.core.logging import configure_logging, get_logger
from peduli.operations import stalls

SUPERVISE_SECONDS = 0.5
STOP_SECONDS = 30

log = get_logger(__name__)


def register(app: typer.Typer) -> None:
    """Add ``peduli serve`` to the command line."""
    app.command("serve")(serve)


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=1,
        help="Server processes. Default: one per core.",
    ),
) -> None:
    """Serve the platform until Ctrl-C or SIGTERM; a process that dies is started again."""
    configure_logging()
    require_safe_environment()
    workers = workers or default_workers()
    try:
        _listener(host, port).close()  # fail here, once, rather than in every process
    except OSError as exc:
        typer.echo(f"Cannot listen on {host}:{port}: {exc.strerror}. Is another server using "
                   "this port? Stop it or choose another with --port.", err=True)  # fmt: skip
        raise typer.Exit(1) from exc
    if not hasattr(socket, "SO_REUSEPORT"):
        serve_one(host, port)
        return
    _supervise(host, port, workers)


def default_workers() -> int:
    """One process per core, on SQLite too: its writers take turns across processes
    (``core.db.WriterQueue``), and reads run in all of them. Measured with 32 clients on
    2 cores, two processes on SQLite wrote 520-556 self-reports a second at a p99 of 73-76 ms,
    one process 387-430 at 88-106 ms."""
    return os.cpu_count() or 1


def _listener(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` that other processes of this server may bind too."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if hasattr(socket, "SO_REUSEPORT"):
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        listener.bind((host, port))
    except OSError:
        listener.close()
        raise
    return listener


def serve_one(
    host: str, port: int, shares: ConnectionShares | None = None, app: ASGIApp | None = None
) -> None:
    """One server process on its own ``SO_REUSEPORT`` socket, with ``app`` or a new one;
    with ``shares``, one of several that even out their connections."""
    listener = _listener(host, port)
    app = app or _built_app()
    # proxy_headers off: X-Forwarded-For is read by ``api.deps.client_ip``, from
    # PEDULI_TRUSTED_PROXIES only, never rewritten by uvicorn beforehand.
    config = uvicorn.Config(app, log_level="warning", access_log=False, proxy_headers=False)
    server = uvicorn.Server(config)
    if shares is not None:
        server.config.app = ConnectionBalancer(app, shares, server.server_state.connections)
    stalls.start_watchdog()
    server.run(sockets=[listener])


def _built_app() -> ASGIApp:
    from peduli.api.app import create_server_app  # in the server, not for ``--help``

    return create_server_app()


def _supervise(host: str, port: int, workers: int) -> None:
    app = _built_app()
    context = multiprocessing.get_context("fork")
    stopping = False

    def stop(_signal: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    counts = context.RawArray(ctypes.c_int, workers)

    def start(slot: int) -> BaseProcess:
        counts[slot] = 0  # a process that died took its connections with it
        shares = ConnectionShares(counts, slot)
        process = context.Process(target=serve_one, args=(host, port, shares, app), daemon=False)
        process.start()
        return process

    processes = [start(slot) for slot in range(workers)]
    log.info("serving", host=host, port=port, workers=workers)
    while not stopping:
        for slot, process in enumerate(processes):
            if not process.is_alive():
                log.warning("server process died; starting another", exitcode=process.exitcode)
                processes[slot] = start(slot)
        time.sleep(SUPERVISE_SECONDS)
    for process in processes:
        process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
    for process in processes:
        process.join(timeout=STOP_SECONDS)
