"""``peduli demo`` (the whole platform on one machine) and ``peduli seed`` (bulk data).

``peduli demo`` creates its database, seeds a synthetic population and the demo staff
accounts, starts the sandbox mail server and SMS gateway, a worker delivering the outbox,
and the web server; Ctrl-C stops all of it.
"""

from __future__ import annotations

import os
import secrets
import signal
import threading
import time
import urllib.request
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import typer
import uvicorn
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy import func, select

from peduli.agencies.sandbox.population import DEMO_CITIZENS, DEMO_SEED
from peduli.auth import accounts
from peduli.auth.actor import Role
from peduli.cli import demo_outside as outside
from peduli.cli.agencies import write_demo_export
from peduli.cli.worker import (
    close_channels,
    new_worker_id,
    sync_configured_senders,
    work_until_stopped,
    worker_channels,
)
from peduli.core.config import get_settings
from peduli.core.db import get_engine, session_scope, utcnow
from peduli.core.logging import configure_logging
from peduli.demo import applications as demo_applications
from peduli.demo import appointments as demo_appointments
from peduli.demo import cases as demo_cases
from peduli.demo import chats as demo_chats
from peduli.demo import conversations as demo_conversations
from peduli.demo import duplicates as demo_duplicates
from peduli.demo import elections as demo_elections
from peduli.demo import open_data as demo_open_data
from peduli.demo import seed as seeding
from peduli.demo import statistics as demo_statistics
from peduli.demo import travel as demo_travel
from peduli.demo.partners import ensure_demo_partners
from peduli.demo.staff import DEMO_PASSWORD, DEMO_STAFF, ensure_demo_staff
from peduli.migrations import runner
from peduli.notify.sandbox import SandboxHandles, delivery_reports_url, start_sandboxes
from peduli.registry.models import Person
from peduli.voice.platform import webhook_url
from peduli.voice.sandbox import DEMO_CALL, TelephonySandbox, start_telephony_sandbox

console = outside.console


def register(app: typer.Typer) -> None:
    """Add ``peduli demo`` and ``peduli seed`` to the command line."""
    app.command("demo")(demo)
    app.command("seed")(seed)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def _seed_with_progress(
    citizens: int,
    seed_value: int,
    batch: int,
    *,
    stays_per_citizen: float = 1.0,
    cases_per_citizen: float = 0.0,
    processes: int = 1,
    stop: threading.Event | None = None,
    city: str | None = None,
) -> seeding.SeedOutcome:
    with _progress() as progress, outside.reported(), session_scope() as session:
        task = progress.add_task("Seeding citizens", total=citizens, rate="")
        started = time.perf_counter()
        done = 0

        def advance(count: int) -> None:
            nonlocal done
            done += count
            rate = done / max(time.perf_counter() - started, 1e-9)
            progress.update(task, advance=count, rate=f"{rate:,.0f} citizens/s")
            # A log file gets a line per million instead of the bar.
            if not console.is_terminal and done % 1_000_000 < count:
                console.print(f"{done:,} citizens written ({rate:,.0f}/s)")

        def phase(name: str) -> None:
            progress.update(task, description=name)
            if not console.is_terminal:
                console.print(f"{name} ({time.perf_counter() - started:,.0f} s)")

        outcome = seeding.seed_citizens(
            session,
            citizens=citizens,
            seed=seed_value,
            batch_size=batch,
            stays_per_citizen=stays_per_citizen,
            cases_per_citizen=cases_per_citizen,
            processes=processes,
            stop=stop,
            on_batch=advance,
            on_phase=phase,
            city=city,
        )
        phase("Committing")
    return outcome


STAYS_HELP = "Stays per citizen: the share above 1 also have an earlier, departed stay."
CASES_HELP = "Protection cases per citizen, at the post of their stay."


def seed(
    citizens: int = typer.Option(..., "--citizens", min=1, help="How many citizens to add."),
    seed_value: int | None = typer.Option(
        None, "--seed", help="Makes the population reproducible; random when left out."
    ),
    batch: int = typer.Option(seeding.DEFAULT_BATCH, "--batch", min=100, help="Rows per batch."),
    city: str | None = typer.Option(
        None, "--city", help="Put everyone in this city (e.g. 'Kuala Lumpur'), for crisis drills."
    ),
    stays_per_citizen: float = typer.Option(
        1.2, "--stays-per-citizen", min=1.0, max=2.0, help=STAYS_HELP
    ),
    cases_per_citizen: float = typer.Option(
        0.1, "--cases-per-citizen", min=0.0, max=1.0, help=CASES_HELP
    ),
    processes: int = typer.Option(
        os.cpu_count() or 1, "--processes", min=1, help="Processes that build the rows."
    ),
) -> None:
    """Add a synthetic population (COPY on PostgreSQL, executemany on SQLite).

    Into an (almost) empty PostgreSQL database the rows go in first and the indexes are
    built after, all in one transaction. Ctrl-C or SIGTERM ends the load after the batch
    being written and keeps what is in (with its indexes, duplicates and cases).
    """
    configure_logging()
    chosen = seed_value if seed_value is not None else secrets.randbelow(2**31)
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda _signal, _frame: stop.set())
    try:
        outcome = _seed_with_progress(
            citizens,
            chosen,
            batch,
            stays_per_citizen=stays_per_citizen,
            cases_per_citizen=cases_per_citizen,
            processes=processes,
            stop=stop,
            city=city,
        )
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--city") from error
    if outcome.people < citizens:
        console.print(f"Stopped when asked, after {outcome.people:,} of {citizens:,} citizens.")
    console.print(
        f"Added {outcome.people:,} citizens (seed {outcome.seed}): {outcome.passports:,} "
        f"passports, {outcome.contacts:,} contacts, {outcome.stays:,} stays, "
        f"{outcome.cases:,} protection cases; "
        f"{outcome.possible_duplicates:,} possible duplicates for the officers."
    )


def demo(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to serve on."),
    port: int = typer.Option(8000, "--port", help="Port to serve on."),
    fresh: bool = typer.Option(
        False, "--fresh/--keep", help="Start from an empty database, or keep the one there."
    ),
    citizens: int = typer.Option(
        DEMO_CITIZENS, "--citizens", min=0, help="Citizens to seed into an empty database."
    ),
) -> None:
    """Run the whole platform with demo data on http://127.0.0.1:8000 until Ctrl-C."""
    os.environ["PEDULI_ENVIRONMENT"] = "demo"
    # The demo serves plain HTTP (no TLS here), where a browser would drop Secure cookies
    # on any host but localhost: unless told otherwise, its cookies go without the flag.
    os.environ.setdefault("PEDULI_COOKIE_SECURE", "false")
    # Links the pages print (the proof of a self-report) point at where the demo serves.
    os.environ.setdefault("PEDULI_PUBLIC_URL", f"http://{host}:{port}")
    get_settings.cache_clear()
    configure_logging()
    _prepare_database(fresh=fresh, citizens=citizens)
    token = _prepare_staff()
    sandboxes = _start_sandboxes()
    telephony = _start_telephony()
    agencies, story = outside.start_agencies(citizens)
    payments = outside.start_payments()
    exchange_sandboxes = outside.start_exchange()
    stop = threading.Event()
    worker = _start_worker(stop)
    _print_welcome(host, port, sandboxes, telephony.url, token)
    outside.print_agencies(agencies, story)
    outside.print_travellers()
    _play_demo_call(telephony, f"http://{host}:{port}", stop)
    outside.play_agencies(agencies, story, stop)
    try:
        uvicorn.run(
            "peduli.api.app:create_server_app",
            factory=True,
            host=host,
            port=port,
            log_level="warning",
        )
    finally:
        stop.set()
        worker.join(timeout=10)
        telephony.stop()
        agencies.stop()
        payments.stop()
        exchange_sandboxes.stop()
        sandboxes.stop()
        console.print("Peduli demo stopped.")


def _prepare_database(*, fresh: bool, citizens: int) -> None:
    engine = get_engine()
    if fresh:
        runner.reset_database(engine)
    runner.upgrade(engine)
    with session_scope() as session:
        people = session.scalar(select(func.count()).select_from(Person)) or 0
    if people == 0 and citizens > 0:
        _seed_with_progress(citizens, DEMO_SEED, seeding.DEFAULT_BATCH)
        # An agency export of the same people (most link, some new, a few wrong).
        write_demo_export(
            demo_export_path(), seed=DEMO_SEED, citizens=citizens, today=utcnow().date()
        )


def demo_export_path() -> Path:
    """Where ``peduli demo`` writes its BP2MI placement export."""
    return Path(get_settings().data_dir) / "demo" / "bp2mi-placements.csv"


def _prepare_staff() -> str:
    """Create the demo accounts if missing; return a fresh API token of the agency client."""
    agency = next(spec for spec in DEMO_STAFF if spec.role == Role.AGENCY)
    with outside.reported(), session_scope() as session:
        ensure_demo_staff(session)
        demo_duplicates.ensure_demo_duplicates(session)
        demo_cases.ensure_demo_cases(session)
        demo_chats.ensure_demo_chats(session)
        ensure_demo_partners(session)
        demo_travel.ensure_demo_travel(session)
        demo_conversations.ensure_demo_conversations(session)
        demo_applications.ensure_demo_applications(session)
        demo_appointments.ensure_demo_appointment_plans(session)
        demo_open_data.ensure_demo_releases(session)
        demo_elections.ensure_demo_election(session)
        demo_statistics.ensure_demo_statistics(session)
        return accounts.create_token(session, email=agency.email, days=1)


def _start_sandboxes() -> SandboxHandles:
    """The sandbox SMTP server, SMS gateway, WhatsApp API and Telegram Bot API, on the
    configured ports or free ones; the SMS gateway reports deliveries to the demo's app."""
    settings = get_settings()
    gateway = urlsplit(settings.sms_gateway_url)
    whatsapp = urlsplit(settings.whatsapp_api_url)
    start = partial(
        start_sandboxes,
        sms_token=settings.sms_gateway_token,
        sms_path=gateway.path or "/sms",
        whatsapp_prefix=whatsapp.path,
        whatsapp_token=settings.whatsapp_token,
        telegram_token=settings.telegram_bot_token,
        delivery_reports_url=delivery_reports_url(settings.public_url),
    )
    try:
        handles = start(
            smtp_port=settings.smtp_port,
            sms_port=gateway.port or 80,
            whatsapp_port=whatsapp.port or 80,
            telegram_port=urlsplit(settings.telegram_api_url).port or 80,
        )
    except OSError:  # taken, e.g. by another demo: any free port will do
        handles = start(smtp_port=0, sms_port=0, whatsapp_port=0, telegram_port=0)
    # The worker must deliver to where the sandboxes listen.
    os.environ["PEDULI_SMTP_HOST"] = "127.0.0.1"
    os.environ["PEDULI_SMTP_PORT"] = str(handles.smtp_port)
    os.environ["PEDULI_SMS_GATEWAY_URL"] = handles.sms_url
    os.environ["PEDULI_WHATSAPP_API_URL"] = handles.whatsapp_url
    os.environ["PEDULI_TELEGRAM_API_URL"] = handles.telegram_url
    get_settings.cache_clear()
    return handles


def _start_telephony() -> TelephonySandbox:
    """The sandbox telephony platform, on the configured port or a free one."""
    settings = get_settings()
    voice = urlsplit(settings.voice_sandbox_url)
    start = partial(start_telephony_sandbox, webhook_url=webhook_url(),
                    auth_token=settings.voice_auth_token)  # fmt: skip
    try:
        return start(port=voice.port or 80)
    except OSError:  # taken, e.g. by another demo
        return start(port=0)


def _play_demo_call(telephony: TelephonySandbox, base: str, stop: threading.Event) -> None:
    """Once the server answers, play the demo's call in Mandarin: it ends as an emergency
    on the Seoul duty officer's screen (/officer/emergencies)."""

    def play() -> None:
        while not stop.wait(0.5):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310 - ours
                    break
            except OSError:
                continue
        else:
            return
        played = telephony.player.play(DEMO_CALL)
        console.print(
            f"Demo call in Mandarin played on the voice line (keys {', '.join(played.pressed)}):"
            " it is an emergency at KBRI Seoul, see /officer/emergencies and /officer/calls.",
            highlight=False,
        )

    threading.Thread(target=play, name="peduli-demo-call", daemon=True).start()


def _start_worker(stop: threading.Event) -> threading.Thread:
    channels = worker_channels(get_settings())
    sync_configured_senders()

    def work() -> None:
        try:
            work_until_stopped(stop, channels=channels, worker_id=new_worker_id())
        finally:
            close_channels(channels)

    thread = threading.Thread(target=work, name="peduli-demo-worker", daemon=True)
    thread.start()
    return thread


def _print_welcome(
    host: str, port: int, sandboxes: SandboxHandles, telephony_url: str, token: str
) -> None:
    base = f"http://{host}:{port}"
    lines = ["Demo staff accounts (email, role, representation, TOTP key):"]
    for spec in DEMO_STAFF:
        lines.append(
            f"  {spec.email:<42} {spec.role.value:<11} {spec.representation_code or '-':<18} "
            f"{spec.totp_secret or '(API token only)'}"
        )
    lines += [
        f"Password of every staff account: {DEMO_PASSWORD}",
        "Second factor: add the TOTP key to an authenticator app, or let",
        "  peduli staff totp-code --email officer.seoul@demo.peduli.example",
        "print the current 6-digit code.",
        f"API token of the agency client (valid 1 day): {token}",
        "",
        f"Peduli demo on {base}",
        f"  API documentation   {base}/docs",
        f"  Representations     {base}/api/v1/representations",
        f"  Demo mailbox        {base}/demo/mailbox  (codes sent to citizens arrive here)",
        f"  Statistics          {base}/hq/stats  (HQ: every post; an officer: their own)",
        f"  Sandbox SMTP        127.0.0.1:{sandboxes.smtp_port}, SMS gateway {sandboxes.sms_url}",
        f"  Sandbox WhatsApp    {sandboxes.whatsapp_url}",
        f"  Sandbox telephony   {telephony_url}  (peduli voice call plays another call)",
        f"  Sandbox Telegram    {sandboxes.telegram_url}",
        f"  Agency export       peduli agencies import {demo_export_path()} --dry-run",
        f"                      (then --real; or on {base}/hq/imports as an HQ admin)",
        "Press Ctrl-C to stop.",
    ]
    console.print("\n".join(lines), soft_wrap=True, highlight=False)
