"""``peduli agencies``: switch a running agency sandbox's faults, and verify the signed
message log of the exchanges with the agencies."""

from __future__ import annotations

import typer

from peduli.agencies import message_log
from peduli.agencies.gateway import AGENCIES
from peduli.agencies.sandbox import SandboxUnreachable, switch_fault
from peduli.agencies.sandbox.faults import FaultMode
from peduli.core.config import get_settings
from peduli.core.db import session_scope

app = typer.Typer(help="Outside agencies: sandbox faults, message log.", no_args_is_help=True)


@app.command("fault")
def fault(
    agency: str = typer.Argument(..., help=f"One of: {', '.join(AGENCIES)}."),
    mode: str = typer.Argument(
        "", help=f"One of: {', '.join(m.value for m in FaultMode)}; empty with --off: all."
    ),
    off: bool = typer.Option(False, "--off", help="Switch the fault off instead."),
    seconds: float = typer.Option(60.0, "--seconds", help="Delay (slow) or window (maintenance)."),
    rate: float = typer.Option(1.0, "--rate", help="Share of requests it hits, 0..1."),
    count: int = typer.Option(None, "--count", help="Only the next COUNT requests."),
    status: int = typer.Option(500, "--status", help="The status an error answers."),
    limit: int = typer.Option(1, "--limit", help="Requests a second before rate_limit hits."),
) -> None:
    """Switch a fault of the running sandbox of AGENCY (at PEDULI_AGENCY_<NAME>_URL) on or off,
    e.g. `peduli agencies fault civil_registry maintenance --seconds 120`."""
    if agency not in AGENCIES:
        raise typer.BadParameter(f"unknown agency {agency!r}", param_hint="AGENCY")
    if mode and mode not in {m.value for m in FaultMode}:
        raise typer.BadParameter(f"unknown mode {mode!r}", param_hint="MODE")
    if not mode and not off:
        raise typer.BadParameter("name a mode, or give --off to switch them all off")
    settings = get_settings()
    try:
        faults = switch_fault(
            settings.agency_url(agency),
            token=settings.agency_token,
            mode=mode or None,
            on=not off,
            **({} if off else {"seconds": seconds, "rate": rate, "count": count,
                                "status": status, "limit": limit}),
        )  # fmt: skip
    except SandboxUnreachable as exc:
        typer.echo(f"the {agency} sandbox did not take it: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    names = ", ".join(f["mode"] for f in faults) or "none"
    typer.echo(f"{agency} sandbox faults now on: {names}")


@app.command("verify-log")
def verify_log() -> None:
    """Recompute the message log's chain; exit 1 naming the first broken entry."""
    with session_scope() as session:
        check = message_log.verify(session)
    if not check.ok:
        typer.echo(f"agency message log BROKEN: {check.problem}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"agency message log intact: {check.checked} messages")
