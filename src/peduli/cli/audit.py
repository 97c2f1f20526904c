"""``peduli audit``: check the keyed hash chain of the audit log, and checkpoint its ends."""

from __future__ import annotations

from pathlib import Path

import typer

from peduli.auth import audit, audit_verification
from peduli.auth import checkpoint as audit_checkpoint
from peduli.core.config import get_settings
from peduli.core.db import session_scope, utcnow

app = typer.Typer(help="Audit log.", no_args_is_help=True)


@app.command("verify")
def verify(
    expected_head: str = typer.Option(
        None, "--expected-head", help="Head hash noted earlier; detects removed newest entries."
    ),
    checkpoint: Path = typer.Option(
        None,
        "--checkpoint",
        exists=True,
        dir_okay=False,
        help="A signed checkpoint written by `peduli worker`; detects a wiped or rewound log.",
    ),
) -> None:
    """Recompute the chains; exit 1 naming each chain and entry found wiped, rewound,
    re-hashed, altered or removed."""
    marks, seen = None, "the checkpoint"
    if checkpoint is not None:
        try:
            signed = audit_checkpoint.loads(checkpoint.read_bytes(), key=audit.audit_key())
        except audit_checkpoint.BadCheckpoint as exc:
            typer.echo(f"checkpoint {checkpoint} REFUSED: {exc}", err=True)
            raise typer.Exit(code=1) from exc
        marks, seen = signed.chains, f"the checkpoint of {signed.at:%Y-%m-%d %H:%M:%S} UTC"
    with session_scope() as session:
        result = audit_verification.verify(
            session, expected_head=expected_head, checkpoint=marks, checkpoint_at=seen
        )
        current_head = audit.head(session)
    if result.ok:
        against = f"; consistent with {seen}" if marks is not None else ""
        typer.echo(f"audit chain intact: {result.checked} entries, head {current_head}{against}")
        return
    typer.echo(f"audit log BROKEN ({len(result.findings)} finding(s)):", err=True)
    for finding in result.findings:
        typer.echo(f"  {finding.kind}: {finding.message}", err=True)
    raise typer.Exit(code=1)


@app.command("head")
def show_head() -> None:
    """Print the newest hash, to keep outside the database as an anchor."""
    with session_scope() as session:
        typer.echo(audit.head(session))


@app.command("checkpoint")
def write_checkpoint(
    out: str = typer.Option(
        "", "--out", help="File (or directory ending in /) to write to; default: the setting."
    ),
) -> None:
    """Write a signed checkpoint of the chains' ends now (``peduli worker`` does it too)."""
    settings = get_settings()
    sink = audit_checkpoint.FileSink(out or settings.audit_checkpoint_target())
    with session_scope() as session:
        written = audit_checkpoint.write(
            session, sink=sink, key=settings.audit_secret(), now=utcnow()
        )
    typer.echo(f"checkpoint of {len(written.chains)} chain(s) written to {sink.path}")
