"""``peduli keys``: the data keys that encrypt personal data at rest."""

from __future__ import annotations

import typer

from peduli.core.db import get_sessionmaker

app = typer.Typer(help="Data keys: encryption of personal data at rest.", no_args_is_help=True)


@app.command("rotate")
def rotate(
    batch_size: int = typer.Option(1000, "--batch-size", min=1, help="Rows per transaction."),
) -> None:
    """Re-encrypt everything sealed under an older key with the first key of PEDULI_DATA_KEYS.

    Put the new key first in PEDULI_DATA_KEYS (keep the old ones after it), restart the
    processes, then run this. It works in batches, each its own transaction; interrupted, it
    resumes when run again (values under the current key are skipped). Remove an old key
    only after a run that rewrote nothing.
    """
    from peduli import rotation

    def show(progress: rotation.Progress) -> None:
        typer.echo(
            f"{progress.table}: {progress.done:,}/{progress.total:,} read, "
            f"{progress.rewritten:,} re-encrypted"
        )

    report = rotation.rotate(get_sessionmaker(), batch_size=batch_size, on_batch=show)
    typer.echo(f"done: {sum(report.values()):,} values and files re-encrypted")
