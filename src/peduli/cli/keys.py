"""``peduli keys``: the secrets an installation outside development must set itself, and
the rotation of the data keys that encrypt personal data at rest."""

from __future__ import annotations

import typer

from peduli.core.config import SECRET_SETTINGS, UnsafeConfiguration, check_environment, get_settings
from peduli.core.db import get_sessionmaker

app = typer.Typer(help="Secrets and keys.", no_args_is_help=True)


@app.command("generate")
def generate() -> None:
    """Print fresh values of every secret setting as PEDULI_...=... lines (for a .env file).

    Nothing is stored: put the lines in the secret store or environment of every process.
    A token that a provider issues is printed as a comment saying where to get it.
    """
    for secret in SECRET_SETTINGS:
        value = secret.generate()
        if value is None:
            typer.echo(f"# {secret.env}=<{secret.how}>")
        else:
            typer.echo(f"{secret.env}={value}")


def require_safe_environment() -> None:
    """Exit 1 with the list of missing secrets when this environment may not run on them."""
    try:
        check_environment(get_settings())
    except UnsafeConfiguration as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(code=1) from None


@app.command("rotate")
def rotate(
    batch_size: int = typer.Option(1000, "--batch-size", min=1, help="Rows per transaction."),
    workers: int = typer.Option(
        1, "--workers", min=1, help="Threads, each on its own range of every table's keys."
    ),
    max_rows_per_second: float | None = typer.Option(
        None,
        "--max-rows-per-second",
        min=1,
        help="Read at most this many rows a second, all workers together (default: no limit).",
    ),
) -> None:
    """Re-encrypt everything sealed under an older key with the first key of PEDULI_DATA_KEYS.

    Put the new key first in PEDULI_DATA_KEYS (keep the old ones after it), restart the
    processes, then run this. It works in batches, each its own transaction; interrupted, it
    resumes when run again (values under the current key are skipped). Remove an old key
    only after a run that rewrote nothing. On a platform in service, hold it below a rate
    (--max-rows-per-second) that keeps requests fast; --workers speeds it up on an idle one.
    """
    from peduli import rotation

    def show(progress: rotation.Progress) -> None:
        typer.echo(
            f"{progress.table}: {progress.done:,}/{progress.total:,} read, "
            f"{progress.rewritten:,} re-encrypted"
        )

    report = rotation.rotate(
        get_sessionmaker(),
        batch_size=batch_size,
        workers=workers,
        max_rows_per_second=max_rows_per_second,
        on_batch=show,
    )
    typer.echo(f"done: {sum(report.values()):,} values and files re-encrypted")
