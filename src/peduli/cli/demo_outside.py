"""The demo's outside systems beside the notify sandboxes: the agencies (civil registry,
immigration, BP2MI) with their story, the partner states and webhook receiver, and the
payment gateway; each on its configured port or, when taken, a free one."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from urllib.parse import urlsplit

import typer
from rich.console import Console

from peduli.agencies.sandbox import SANDBOXES, AgencySandboxes, start_agency_sandboxes
from peduli.agencies.sandbox.exchange_sandboxes import ExchangeSandboxes
from peduli.agencies.sandbox.population import DEMO_SEED, demo_residents
from peduli.core.config import get_settings
from peduli.core.db import get_sessionmaker, session_scope
from peduli.core.errors import PeduliError
from peduli.demo import agencies as demo_agencies
from peduli.demo import exchange as demo_exchange
from peduli.demo import travel as demo_travel
from peduli.services.sandbox import PaymentSandbox, start_payment_sandbox

console = Console()


@contextmanager
def reported() -> Iterator[None]:
    """Show a domain error's message and fix instead of a traceback; exit 1."""
    try:
        yield
    except PeduliError as error:
        console.print(f"[red]error:[/red] {error.detail}")
        raise typer.Exit(code=1) from None


def start_exchange() -> ExchangeSandboxes:
    """The sandbox partner states and webhook receiver, set up for the demo."""
    with reported():
        handles, reference = demo_exchange.start_demo_exchange()
    if reference:
        console.print(f"Demo case {reference} (KBRI Kuala Lumpur) asked Malaysia for consular "
                      "access; see the case's exchange page.", highlight=False)  # fmt: skip
    return handles


def start_agencies(citizens: int) -> tuple[AgencySandboxes, demo_agencies.Story]:
    """The agency sandboxes on their ports (or free ones), knowing the seeded people and a
    few newcomers; the worker is pointed at them."""
    settings = get_settings()
    with session_scope() as session:
        seeded_on = demo_agencies.seeded_on(session)
    people = demo_residents(seed=DEMO_SEED, seeded=citizens, today=seeded_on)
    start = partial(start_agency_sandboxes, token=settings.agency_token, residents=people)
    try:
        handles = start(ports={n: urlsplit(settings.agency_url(n)).port or 80 for n in SANDBOXES})
    except OSError:  # taken, e.g. by another demo
        handles = start(ports=dict.fromkeys(SANDBOXES, 0))
    for name, url in handles.urls().items():
        os.environ[f"PEDULI_AGENCY_{name.upper()}_URL"] = url
    get_settings.cache_clear()
    return handles, demo_agencies.cast(people, citizens)


def print_agencies(agencies: AgencySandboxes, story: demo_agencies.Story) -> None:
    lines = ["Sandbox agencies:"]
    lines += [f"  {name:<16} {url}" for name, url in agencies.urls().items()]
    lines += ["  Report yourself at /lapor-diri as one of these people the civil registry",
              "  knows, and see the check on the officer's person screen within seconds:",
              *demo_agencies.try_as_lines(story),
              "  Switch an outage: peduli agencies fault civil_registry maintenance"]  # fmt: skip
    console.print("\n".join(lines), soft_wrap=True, highlight=False)


def play_agencies(
    agencies: AgencySandboxes, story: demo_agencies.Story, stop: threading.Event
) -> None:
    """A self-report verified, a mismatch and an outage, told as they happen."""

    def play() -> None:
        try:
            demo_agencies.play(
                get_sessionmaker(), agencies, story,
                lambda line: console.print(line, highlight=False, soft_wrap=True),
                stopped=stop.is_set,
            )  # fmt: skip
        except PeduliError as exc:
            console.print(f"Agencies demo stopped: {exc}", highlight=False)

    threading.Thread(target=play, name="peduli-demo-agencies", daemon=True).start()


def print_travellers() -> None:
    """Check the demo's passport reported lost and worker of an unlicensed agency now (ahead
    of the worker's queue of every record), and say whose person screen shows them."""
    with session_scope() as session:
        found = demo_travel.check_demo_travellers(session)
    lines = []
    if found.lost_passport is not None:
        lost = found.lost_passport
        lines.append(f"  Passport reported lost: {lost.full_name} ({lost.representation_code}), "
                     f"/officer/persons/{lost.person_id}")  # fmt: skip
    if found.unlicensed_agency is not None:
        worker = found.unlicensed_agency
        where = f"({worker.representation_code}), /officer/persons/{worker.person_id}"
        lines.append(f"  Placed by an unlicensed agency: {worker.full_name} {where}")
    console.print("\n".join(lines), soft_wrap=True, highlight=False)


def start_payments() -> PaymentSandbox:
    """The sandbox payment gateway: the worker opens the fees' virtual accounts there, and
    ``POST {url}/virtual-accounts/{reference}/pay`` settles one (as a bank transfer would)."""
    settings = get_settings()
    gateway = urlsplit(settings.payment_gateway_url)
    start = partial(start_payment_sandbox, public_url=settings.public_url,
                    webhook_secret=settings.payment_webhook_secret)  # fmt: skip
    try:
        return start(port=gateway.port or 80)
    except OSError:  # taken, e.g. by another demo: the worker then finds no gateway
        return start(port=0)
