"""``peduli sandbox``: the local SMTP server, SMS gateway, WhatsApp API, telephony
platform and agency sandboxes, in the foreground."""

from __future__ import annotations

import signal
import threading
from datetime import date
from urllib.parse import urlsplit

import typer
from sqlalchemy.exc import SQLAlchemyError

from peduli.agencies.sandbox import SANDBOXES, start_agency_sandboxes
from peduli.agencies.sandbox.exchange_sandboxes import start_exchange_sandboxes
from peduli.core.config import get_settings
from peduli.core.db import get_sessionmaker, session_scope
from peduli.demo.agencies import seeded_on
from peduli.notify.sandbox import delivery_reports_url, start_sandboxes
from peduli.voice.platform import webhook_url
from peduli.voice.sandbox import start_telephony_sandbox


def register(app: typer.Typer) -> None:
    """Add ``peduli sandbox`` to the command line."""
    app.command("sandbox")(sandbox)


def _seeded_on() -> date | None:
    """The day the demo population in the database was seeded (the agencies' people are
    drawn as of that day); None without one."""
    try:
        with session_scope() as session:
            return seeded_on(session)
    except SQLAlchemyError:  # no database yet: the agencies' people are drawn as of today
        return None


def sandbox() -> None:
    """Run the sandbox SMTP server, SMS gateway, WhatsApp API, Telegram Bot API and telephony
    platform of the settings, until Ctrl-C.

    What they receive is stored in the database and shown at /demo/mailbox; the SMS gateway
    posts its delivery reports to the app at PEDULI_PUBLIC_URL.
    """
    settings = get_settings()
    gateway = urlsplit(settings.sms_gateway_url)
    whatsapp = urlsplit(settings.whatsapp_api_url)
    telegram = urlsplit(settings.telegram_api_url)
    handles = start_sandboxes(
        telegram_port=telegram.port or 80,
        telegram_token=settings.telegram_bot_token,
        delivery_reports_url=delivery_reports_url(settings.public_url),
        whatsapp_port=whatsapp.port or 80,
        whatsapp_prefix=whatsapp.path,
        whatsapp_token=settings.whatsapp_token,
        smtp_port=settings.smtp_port,
        sms_port=gateway.port or 80,
        host=settings.smtp_host,
        sms_token=settings.sms_gateway_token,
        sms_path=gateway.path or "/sms",
    )
    voice = urlsplit(settings.voice_sandbox_url)
    try:
        telephony = start_telephony_sandbox(
            webhook_url=webhook_url(), auth_token=settings.voice_auth_token,
            host=voice.hostname or "127.0.0.1", port=voice.port or 80,
        )  # fmt: skip
    except BaseException:
        handles.stop()
        raise
    try:
        ports = {name: urlsplit(settings.agency_url(name)).port or 80 for name in SANDBOXES}
        agencies = start_agency_sandboxes(
            ports=ports, token=settings.agency_token, today=_seeded_on()
        )
    except BaseException:
        telephony.stop()
        handles.stop()
        raise
    try:
        exchange = start_exchange_sandboxes(get_sessionmaker())
    except BaseException:
        agencies.stop()
        telephony.stop()
        handles.stop()
        raise
    typer.echo(f"sandbox SMTP server on {settings.smtp_host}:{handles.smtp_port}")
    typer.echo(f"sandbox SMS gateway on {handles.sms_url}")
    typer.echo(f"sandbox WhatsApp API on {handles.whatsapp_url}")
    typer.echo(f"sandbox telephony on {telephony.url} (peduli voice call plays one)")
    typer.echo(f"sandbox Telegram Bot API on {handles.telegram_url}")
    for name, url in agencies.urls().items():
        typer.echo(f"sandbox agency {name} on {url} (peduli agencies fault switches its faults)")
    typer.echo(
        f"sandbox partner states on {exchange.partner_state.url}/my and /sa, webhook receiver"
        f" on {exchange.receiver.url}/hooks/<name> (the secret of the subscription at that URL)"
    )
    typer.echo("messages appear at /demo/mailbox; press Ctrl-C to stop")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stop.set())
    try:
        stop.wait()
    finally:
        exchange.stop()
        agencies.stop()
        telephony.stop()
        handles.stop()
