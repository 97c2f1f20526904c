"""``peduli agencies``: switch a running agency sandbox's faults, verify the signed message
log of the exchanges with the agencies, import an agency's export (a dry run first), and
write the demo's export.

The import is the worker's own code run in this process (the command line is no request):
it prints the report as the HQ page shows it, problems in the chosen language.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import typer
from sqlalchemy import func, select

from peduli.agencies import imports, imports_problems, imports_run, message_log
from peduli.agencies.gateway import AGENCIES
from peduli.agencies.models import AgencyImport
from peduli.agencies.sandbox import SandboxUnreachable, switch_fault
from peduli.agencies.sandbox.faults import FaultMode
from peduli.agencies.sandbox.population import DEMO_SEED
from peduli.auth.actor import SYSTEM
from peduli.core.config import get_settings
from peduli.core.db import get_sessionmaker, session_scope, utcnow
from peduli.core.errors import PeduliError
from peduli.core.i18n import LANGUAGES, translations
from peduli.demo import agency_export
from peduli.registry.models import Person

app = typer.Typer(
    help="Outside agencies: sandbox faults, message log, imports of exports.", no_args_is_help=True
)


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


DEMO_CITIZENS = 2_000


@app.command("import")
def import_export(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or XLSX export."),
    dry_run: bool = typer.Option(True, "--dry-run/--real", help="Report only, or write."),
    wait: bool = typer.Option(
        True, "--wait/--queue", help="Run it here, or leave it to the worker."
    ),
    language: str = typer.Option("en", "--language", help="Language of the problems."),
    problems: int = typer.Option(20, "--problems", min=0, help="Problems to print."),
) -> None:
    """Upload an export (as the system, audited) and print its report."""
    if language not in LANGUAGES:
        raise typer.BadParameter(f"choose one of {', '.join(LANGUAGES)}")
    try:
        with session_scope() as db:
            job = imports.submit_import(
                db, actor=SYSTEM, filename=file.name, data=file.read_bytes(), dry_run=dry_run
            )
            import_id = job.id
    except PeduliError as refused:
        for problem in refused.problems:
            typer.echo(f"{problem.message} {problem.hint}", err=True)
        raise typer.Exit(1) from refused
    typer.echo(f"Import {import_id} queued ({'dry run' if dry_run else 'real run'}).")
    if not wait:
        typer.echo("peduli worker will work it; follow it on /hq/imports or the API.")
        return
    imports_run.run(get_sessionmaker(), import_id)
    _print_report(import_id, language, problems)


def _print_report(import_id: uuid.UUID, language: str, shown: int) -> None:
    with session_scope() as db:
        job = db.get_one(AgencyImport, import_id)
        total, found = imports_problems.page_of_problems(
            db, import_id, gettext=translations(language).gettext, language=language, limit=shown
        )
        typer.echo(f"Status: {job.status}{f' ({job.failure})' if job.failure else ''}")
        typer.echo(f"Rows read: {job.total_rows:,}")
        typer.echo(
            f"Found: {job.to_create:,} to create, {job.to_update:,} to update, "
            f"{job.to_link:,} to link, {job.refused:,} refused"
        )
        if not job.dry_run:
            typer.echo(
                f"Written: {job.created:,} created, {job.updated:,} updated, {job.linked:,} linked"
            )
        typer.echo(f"Problems: {total:,}")
        for problem in found:
            typer.echo(f"  row {problem.row}, {problem.column}: {problem.message} {problem.hint}")
        if total > len(found):
            typer.echo(f"  … all of them: GET /api/v1/imports/{import_id}/problems.csv")


@app.command("demo-export")
def demo_export(
    file: Path = typer.Argument(Path("var/demo/bp2mi-placements.csv"), help="Where to write."),
    seed: int = typer.Option(DEMO_SEED, "--seed", help="The seed the demo population used."),
    citizens: int = typer.Option(DEMO_CITIZENS, "--citizens", min=1),
) -> None:
    """Write a BP2MI placement export consistent with the demo's population."""
    with session_scope() as db:
        first = db.scalar(select(func.min(Person.created_at)))
    today = first.date() if first is not None else utcnow().date()
    write_demo_export(file, seed=seed, citizens=citizens, today=today)


def write_demo_export(file: Path, *, seed: int, citizens: int, today: date) -> None:
    """Write the demo's export and say how to import it."""
    rows = agency_export.export_rows(seed=seed, citizens=citizens, today=today)
    agency_export.write_csv(file, rows)
    typer.echo(f"Wrote {len(rows)} placements to {file}")
    typer.echo(f"  peduli agencies import {file} --dry-run")
