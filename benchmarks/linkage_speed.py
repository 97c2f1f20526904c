"""Record linkage speed: one record matched online, and the whole registry deduplicated.

    python -m benchmarks.linkage_speed --db sqlite|postgres [--people 100000 1000000]
        [--samples 300] [--batch] [--splink] [--phases] [--pairs-per-part N] [--urls URL …]

For each size, a fresh database is seeded with the project's own set-based seed
(``demo.seed.seed_citizens``: COPY on PostgreSQL). Online: ``registry.linkage.online.matches``
for ``--samples`` random people (blocking by index, records loaded, each candidate scored)
against a primary-key read of the same person (baseline), with each record's candidates
counted. The p95 at 10,000,000 is projected two ways from the two sizes: linearly (the
pessimistic bound), and as look-ups growing as log n plus the p95 record's candidates
growing as n, each costing what one cost at the larger size (``Fit``, ``project``).
``--batch``: ``registry.linkage.batch.deduplicate`` on the largest size (rolled back after),
in a process of its own whose peak resident memory is printed (``ru_maxrss``;
``--pairs-per-part`` sets its parts), then, with ``--splink``, Splink on DuckDB with the same
blocking keys and comparisons of the same fields, side by side: the rows exported from the
registry (NIKs decrypted) and ``predict`` at the same probability threshold. Target: ≤ 50 ms
p95 at 1,000,000; the batch within 2× of Splink.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import random
import resource
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

from sqlalchemy import func, select, text

from benchmarks import _common

TARGET_P95_MS = 50.0


def _database(kind: str, size: int, prefix: str) -> str:
    if kind == "postgres":
        return _common.recreate_postgres(f"{prefix}_{size}")
    return _common.sqlite_url()


def seed(kind: str, size: int, prefix: str) -> float:
    from peduli.core.db import session_scope
    from peduli.demo.seed import seed_citizens

    _common.use_database(_database(kind, size, prefix))
    started = time.perf_counter()
    with session_scope() as session:
        seed_citizens(session, citizens=size, seed=size % 9973 + 11)
    return time.perf_counter() - started


def online(samples: int) -> tuple[list[float], list[float], float, list[int]]:
    """Match timings, baseline timings, pairs flagged per record, candidates per record."""
    from peduli.core.db import session_scope
    from peduli.registry.linkage import blocking
    from peduli.registry.linkage import online as linkage_online
    from peduli.registry.models import Person

    with session_scope() as session:
        count = session.scalar(select(func.count()).select_from(Person)) or 0
        ids = list(session.scalars(select(Person.id).order_by(func.random()).limit(samples)))
    matched: list[float] = []
    baseline: list[float] = []
    flagged = 0
    candidates: list[int] = []
    for person_id in ids:
        with session_scope() as session:
            started = time.perf_counter()
            person = session.get_one(Person, person_id)
            baseline.append(time.perf_counter() - started)
            started = time.perf_counter()
            found = linkage_online.matches(session, person)
            matched.append(time.perf_counter() - started)
            flagged += len(found)
            candidates.append(len(blocking.candidates_of(session, person)))
            session.rollback()
    return matched, baseline, count and flagged / len(ids), candidates


@dataclass(frozen=True)
class BatchRun:
    """The batch run in a process of its own, so that its peak memory is its own."""

    seconds: float
    pairs: int
    likely: int
    parts: int
    flagged_digest: str  # of the flagged pairs, to compare runs on one database
    rss_before_mb: float  # the fresh process, its imports and the engine
    peak_rss_mb: float


def _peak_rss_mb() -> float:
    """This process's peak resident memory (``VmHWM``): ``ru_maxrss`` of a spawned process
    starts at its parent's peak (Linux carries it over ``exec``), here the seed's."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def _batch_alone(url: str, pairs_per_part: int) -> BatchRun:
    """In a fresh process: the batch, rolled back."""
    from peduli.core.db import get_sessionmaker
    from peduli.registry.linkage import batch as linkage_batch
    from peduli.registry.models import DuplicateCandidate

    _common.use_database(url)
    before = _peak_rss_mb()
    parts: list[int] = []
    with get_sessionmaker()() as session:
        started = time.perf_counter()
        outcome = linkage_batch.deduplicate(
            session,
            pairs_per_part=pairs_per_part,
            on_part=lambda progress: parts.append(progress.parts),
        )
        session.flush()
        elapsed = time.perf_counter() - started
        flagged = session.execute(
            select(
                DuplicateCandidate.person_id,
                DuplicateCandidate.other_person_id,
                DuplicateCandidate.match_probability,
                DuplicateCandidate.reason,
            ).order_by(DuplicateCandidate.person_id, DuplicateCandidate.other_person_id)
        ).all()
        session.rollback()
    digest = hashlib.sha256(repr([tuple(map(str, row)) for row in flagged]).encode()).hexdigest()
    return BatchRun(
        elapsed, outcome.candidate_pairs, outcome.flagged + outcome.known,
        parts[-1] if parts else 0, digest[:12], before, _peak_rss_mb(),
    )  # fmt: skip


def _phases_alone(url: str, pairs_per_part: int) -> str:
    """In a fresh process: the batch's phases timed one by one (rolled back): the keys
    read, then summed over the parts, finding a part's pairs, reading its people, scoring;
    the peak memory after the keys' pass and at the end."""
    from peduli.core.db import get_sessionmaker
    from peduli.registry.linkage import batch, batch_blocking, grouping, scoring
    from peduli.registry.linkage.model import get_model

    _common.use_database(url)
    spent = dict.fromkeys(("pairs", "people", "scoring"), 0.0)
    pairs = people = likely = 0
    with get_sessionmaker()() as session, grouping.collector_paused():
        started = time.perf_counter()
        keys = batch_blocking.read_keys(session)
        read = time.perf_counter() - started
        after_keys = _peak_rss_mb()
        held = sum(a.nbytes for a in vars(keys).values()) / 2**20
        parts = keys.parts(pairs_per_part)
        for part in parts:
            started = time.perf_counter()
            left, right = keys.pairs(part)
            spent["pairs"] += time.perf_counter() - started
            started = time.perf_counter()
            columns, *rows = batch.in_columns(session, keys, left, right)
            spent["people"] += time.perf_counter() - started
            started = time.perf_counter()
            likely += sum(1 for _ in scoring.likely_pairs(get_model(), columns, *rows))
            spent["scoring"] += time.perf_counter() - started
            pairs, people = pairs + len(left), people + len(columns.ids)
            del columns, rows  # let the part's records go before the next part's are read
        session.rollback()
    return (
        f"keys of {keys.people:,} people read {read:.1f} s (held after: {held:.0f} MB; peak"
        f" RSS {after_keys:,.0f} MB); {len(parts)} parts: pairs found {spent['pairs']:.1f} s,"
        f" {people:,} people read {spent['people']:.1f} s, {pairs:,} pairs scored"
        f" {spent['scoring']:.1f} s ({likely:,} likely); peak RSS {_peak_rss_mb():,.0f} MB"
    )


def alone(work: Callable[[str, int], Any], pairs_per_part: int) -> Any:
    """``work`` run in a fresh process on this process's database."""
    url = os.environ["PEDULI_DATABASE_URL"]
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as process:
        return process.submit(work, url, pairs_per_part).result()


def splink(threshold: float) -> tuple[float, float, int]:
    """Export the registry's rows, then Splink's predict with the same blocking; seconds."""
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from peduli.core.crypto import get_cipher
    from peduli.core.db import session_scope
    from peduli.registry.models import NIK_PURPOSE

    started = time.perf_counter()
    cipher = get_cipher()
    with session_scope() as session:
        rows = session.execute(
            text(
                "SELECT p.id, p.name_key, p.date_of_birth, p.sex, p.place_of_birth,"
                " p.nik_encrypted, p.link_token_a, p.link_token_b, p.link_name_year,"
                " p.link_name_day, p.link_region, p.link_initials,"
                " (SELECT min(c.value_index) FROM contact_point c"
                "  WHERE c.person_id = p.id AND c.kind = 'phone') AS phone"
                " FROM person p WHERE p.status = 'active'"
            )
        ).all()
    frame = pd.DataFrame(
        [
            {
                "unique_id": str(r[0]),
                "name_key": r[1],
                "dob": str(r[2]),
                "sex": r[3],
                "place": r[4],
                "nik": cipher.decrypt(r[5], purpose=NIK_PURPOSE) if r[5] else None,
                "token_a": r[6],
                "token_b": r[7],
                "name_year": r[8],
                "name_day": r[9],
                "region": r[10],
                "initials": r[11],
                "phone": r[12],
            }
            for r in rows
        ]
    )
    exported = time.perf_counter() - started
    shares = (
        "(l.token_a = r.token_a OR l.token_a = r.token_b OR l.token_b = r.token_a"
        " OR l.token_b = r.token_b)"
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("name_key", [0.95, 0.88]),
            cl.LevenshteinAtThresholds("dob", [1, 2]),
            cl.LevenshteinAtThresholds("nik", [2]),
            cl.ExactMatch("phone"),
            cl.JaroWinklerAtThresholds("place", [0.9]),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[
            {"blocking_rule": f"l.dob = r.dob AND {shares}"},
            {"blocking_rule": f"l.region = r.region AND {shares}"},
            block_on("name_year"),
            block_on("name_day"),
            block_on("initials"),
            block_on("phone"),
        ],
        retain_matching_columns=False,
        probability_two_random_records_match=0.0001,
    )
    started = time.perf_counter()
    linker = Linker(DuckDBAPI().register(frame), settings, log_level="WARNING")
    predicted = linker.inference.predict(threshold_match_probability=threshold)
    found = len(predicted.as_pandas_dataframe())
    return exported, time.perf_counter() - started, found


@dataclass(frozen=True)
class Fit:
    """One size's match time as a fixed part (the index look-ups, growing as log n) and a
    part per candidate loaded and scored (their count growing with the blocks, as n)."""

    size: int
    fixed: float
    per_candidate: float
    candidates_p95: float

    @classmethod
    def of(cls, size: int, seconds: list[float], candidates: list[int]) -> Fit:
        counts = [float(c) for c in candidates]
        if len(set(counts)) > 1:
            slope, intercept = statistics.linear_regression(counts, seconds)
        else:
            slope, intercept = 0.0, statistics.fmean(seconds)
        return cls(size, intercept, slope, _common.percentile(counts, 95))


def project(small: Fit, large: Fit, size: int) -> str:
    """The p95 at ``size``: the fixed part grown as log n, the p95 record's candidates as n,
    each costing what one cost at the larger size."""
    fixed = large.fixed + (large.fixed - small.fixed) * math.log(size / large.size) / math.log(
        large.size / small.size
    )
    growth = (large.candidates_p95 - small.candidates_p95) / (large.size - small.size)
    candidates = large.candidates_p95 + growth * (size - large.size)
    total = fixed + large.per_candidate * candidates
    return (
        f"{total * 1000:.1f} ms = {fixed * 1000:.1f} ms of look-ups (log n) +"
        f" {candidates:.0f} candidates (linear) x {large.per_candidate * 1000:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--people", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--batch", action="store_true")
    parser.add_argument("--splink", action="store_true")
    parser.add_argument(
        "--phases", action="store_true", help="then time the batch's phases one by one"
    )
    parser.add_argument(
        "--pairs-per-part",
        type=int,
        help="pairs in a part of the batch (its memory bound); the batch's default if left out",
    )
    parser.add_argument(
        "--database-prefix",
        default="peduli_bench_linkage",
        help="PostgreSQL databases are named PREFIX_SIZE (dropped and recreated)",
    )
    parser.add_argument(
        "--urls", nargs="+", help="databases seeded by an earlier run, one per size: no seed"
    )
    args = parser.parse_args()
    print(_common.machine())
    random.seed(1)
    p95s: list[tuple[int, float]] = []
    fits: list[Fit] = []
    for position, size in enumerate(sorted(args.people)):
        if args.urls:
            _common.use_database(args.urls[position])
            seeded = 0.0
        else:
            seeded = seed(args.db, size, args.database_prefix)
        matched, baseline, found, candidates = online(args.samples)
        p95 = _common.percentile(matched, 95)
        p95s.append((size, p95))
        fits.append(Fit.of(size, matched, candidates))
        ratio = p95 / max(_common.percentile(baseline, 95), 1e-9)
        print(f"{args.db}, {size:,} people (seeded in {seeded:.0f} s)")
        print(f"  online match: {_common.summary_ms(matched)}; {found:.2f} pairs flagged a record")
        print(
            f"  candidates a record: mean {sum(candidates) / len(candidates):.1f},"
            f" median {sorted(candidates)[len(candidates) // 2]},"
            f" p95 {fits[-1].candidates_p95:.0f}, max {max(candidates)}"
        )
        print(
            f"  time = {fits[-1].fixed * 1000:.1f} ms + {fits[-1].per_candidate * 1000:.2f} ms"
            " a candidate (least squares over the samples)"
        )
        print(
            f"  baseline (primary-key read): {_common.summary_ms(baseline)}; p95 ratio {ratio:.1f}x"
        )
        print(
            f"  p95 {'within' if p95 * 1000 <= TARGET_P95_MS else 'OVER'} the"
            f" {TARGET_P95_MS:.0f} ms target"
        )
    if len(p95s) >= 2:
        (n1, t1), (n2, t2) = p95s[0], p95s[-1]
        slope = (t2 - t1) / (n2 - n1)
        projected = t2 + slope * (10_000_000 - n2)
        print(
            f"  projected p95 at 10,000,000: {projected * 1000:.1f} ms"
            f" (the p95 itself linear from {n1:,} and {n2:,}: the pessimistic bound)"
        )
        print(f"  projected p95 at 10,000,000: {project(fits[0], fits[-1], 10_000_000)}")
    if args.batch:
        from peduli.registry.linkage.batch import PAIRS_PER_PART
        from peduli.registry.linkage.model import get_model

        pairs_per_part = args.pairs_per_part or PAIRS_PER_PART
        run: BatchRun = alone(_batch_alone, pairs_per_part)
        elapsed = run.seconds
        print(
            f"batch dedup of {p95s[-1][0]:,}: {elapsed:.1f} s, {run.pairs:,} blocked pairs,"
            f" {run.likely:,} at or above the review threshold (digest {run.flagged_digest});"
            f" {run.parts} parts of at most {pairs_per_part:,} pairs; peak RSS"
            f" {run.peak_rss_mb:,.0f} MB ({run.rss_before_mb:,.0f} MB before the batch)"
        )
        if args.phases:
            print(f"  its phases, run again: {alone(_phases_alone, pairs_per_part)}")
        if args.splink:
            exported, predicted, found = splink(get_model().review_threshold)
            print(f"splink (DuckDB), same blocking: export {exported:.1f} s + predict "
                  f"{predicted:.1f} s = {exported + predicted:.1f} s, {found:,} pairs; "
                  f"ratio ours/splink {elapsed / (exported + predicted):.2f} "
                  f"(predict only: {elapsed / predicted:.2f})")  # fmt: skip


if __name__ == "__main__":
    main()
