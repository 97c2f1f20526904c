"""``peduli registry``: deduplicate the whole registry by record linkage, now; compute its
blocking keys again after the rule changed."""

from __future__ import annotations

import typer

from peduli.core.db import get_sessionmaker, session_scope
from peduli.registry.linkage import batch, rekeying

app = typer.Typer(help="The registry of citizens.", no_args_is_help=True)


@app.command("dedup")
def dedup(
    pairs_per_part: int = typer.Option(
        batch.PAIRS_PER_PART,
        "--pairs-per-part",
        min=1,
        envvar="PEDULI_LINKAGE_PAIRS_PER_PART",
        help="Pairs scored at a time: bounds the memory (about 2 KB a pair).",
    ),
) -> None:
    """Score every blocked pair of active people; flag the likely ones for the officers.

    The registry is read in parts, so memory stays bounded at any size; a line after
    each part says how far it is."""

    def show(progress: batch.Progress) -> None:
        typer.echo(
            f"part {progress.part}/{progress.parts}: {progress.pairs:,} pairs scored,"
            f" {progress.flagged:,} newly flagged"
        )

    with session_scope() as session:
        outcome = batch.deduplicate(session, pairs_per_part=pairs_per_part, on_part=show)
    typer.echo(f"candidate pairs: {outcome.candidate_pairs}")
    typer.echo(f"newly flagged: {outcome.flagged}")
    typer.echo(f"flagged before: {outcome.known}")


@app.command("rekey")
def rekey(
    batch_size: int = typer.Option(
        rekeying.DEFAULT_BATCH, "--batch-size", min=1, help="People per transaction."
    ),
) -> None:
    """Compute every person's blocking keys again by the current rule.

    Run after the linkage model is retrained or a release changes the keys: a person keyed
    the old way is missed by matches. Safe while the platform serves (short batches; a
    correction made meanwhile wins); interrupted, simply run it again.
    """

    def show(progress: rekeying.Progress) -> None:
        typer.echo(
            f"{progress.done:,}/{progress.total:,} people read, {progress.rewritten:,} rekeyed"
        )

    done = rekeying.rekey(get_sessionmaker(), batch_size=batch_size, on_batch=show)
    typer.echo(f"done: {done.rewritten:,} of {done.done:,} people had stale keys")
