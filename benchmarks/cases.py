"""Protection cases on PostgreSQL: the case queue of one post with 50,000 cases (HTTP) and the
outcome statistics over 1,000,000 cases (service and HTTP), each against a baseline measured
in the same run.

    python -m benchmarks.cases [--cases 1000000] [--post-cases 50000] [--samples 300]
    python -m benchmarks.cases --database peduli_10m     # on a ``peduli seed`` database

Loads the cases set-based (``INSERT … SELECT`` over ``generate_series``) into its own
database ``peduli_bench_cases``: one post (kbri-seoul) gets ``--post-cases`` cases, the rest
spread over every other post, created over three years, three in five resolved or closed,
one resolved case in three with a typed outcome. The maintained aggregates are then built
from those rows with one ``GROUP BY`` (the way the services keep them up to date is checked
for exactness by ``tests/cases/test_stats.py``). Targets: queue p95 ≤ 100 ms, statistics
for a period and a representation p99 ≤ 20 ms.

With ``--database`` nothing is loaded: the cases ``peduli seed`` wrote are measured where they
are, the queue of the post with the most cases (the largest post's queue at national scale).
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial

import httpx
import psycopg
from sqlalchemy import text

from benchmarks import _common

DATABASE = "peduli_bench_cases"
POST = "kbri-seoul"
QUEUE_TARGET_P95 = 0.100
STATS_TARGET_P99 = 0.020
CATEGORIES = (
    "labour", "job_fraud", "trafficking", "detention", "hostage", "online_scam", "ship_crew",
    "immigration", "illness_death", "family_civil", "disaster_conflict",
)  # fmt: skip

LOAD_CASES = """
INSERT INTO protection_case (
    id, reference, representation_code, category, subcategory, summary, priority,
    priority_rank, death_penalty, danger_to_life, status, intake_channel,
    first_response_due_at, first_responded_at, resolution_due_at, paused_seconds, sla_due_at,
    resolved_at, closed_at, created_at, updated_at)
SELECT gen_random_uuid(),
       upper(rep) || '-B-' || lpad(i::text, 8, '0'),
       rep, cat, NULL, 'Benchmark case ' || i,
       (ARRAY['critical','high','normal','low'])[rank + 1], rank,
       cat = 'detention' AND i % 7 = 0, false, status,
       (ARRAY['walk_in','phone','citizen_request','agency_api'])[1 + i % 4],
       created + interval '24 hours',
       CASE WHEN status <> 'new' THEN created + interval '5 hours' END,
       created + interval '30 days', 0,
       CASE WHEN status IN ('resolved', 'closed') THEN NULL
            WHEN status = 'new' THEN created + interval '24 hours'
            ELSE created + interval '30 days' END,
       CASE WHEN status IN ('resolved', 'closed') THEN created + (i % 40) * interval '1 day' END,
       CASE WHEN status = 'closed' THEN created + (i % 40 + 3) * interval '1 day' END,
       created, created
FROM (
    SELECT i,
           CASE WHEN i <= :post_cases THEN :post
                ELSE ((:others)::text[])[1 + i % :other_count] END AS rep,
           ((:categories)::text[])[1 + (i * 7919) % 11] AS cat,
           (i * 31) % 4 AS rank,
           (ARRAY['closed','closed','closed','resolved','resolved','resolved','in_progress',
                  'in_progress','waiting','new'])[1 + (i * 13) % 10] AS status,
           now() - ((i * 104729) % (1095 * 86400)) * interval '1 second' AS created
    FROM generate_series(1::bigint, :total) AS i
) AS generated
"""

LOAD_OUTCOMES = """
INSERT INTO case_outcome (id, case_id, kind, people, achieved_on, amount, currency,
                          idr_per_unit, idr_value, death_penalty_case, recorded_at)
SELECT gen_random_uuid(), c.id, kind, 1 + (n % 3), c.resolved_at::date,
       CASE WHEN kind = 'money_recovered' THEN 1000 + n % 9000 END,
       CASE WHEN kind = 'money_recovered' THEN 'USD' END,
       CASE WHEN kind = 'money_recovered' THEN 16000 END,
       CASE WHEN kind = 'money_recovered' THEN (1000 + n % 9000) * 16000 END,
       c.death_penalty, c.resolved_at
FROM (
    SELECT c.*, row_number() OVER () AS n,
           (ARRAY['money_recovered','freed_from_hostage','death_sentence_commuted',
                  'repatriated','documents_issued'])[1 + (row_number() OVER ()) % 5] AS kind
    FROM protection_case c
    WHERE c.resolved_at IS NOT NULL AND hashtext(c.reference) % 3 = 0
) AS c
"""

BUILD_AGGREGATES = """
INSERT INTO case_outcome_daily (representation_code, day, category, cases_resolved,
    death_penalty_saved, financial_recovered_idr, hostages_freed, people_repatriated)
SELECT representation_code, day, category, sum(resolved), sum(saved), sum(idr), sum(freed),
       sum(repatriated)
FROM (
    SELECT representation_code, resolved_at::date AS day, category, 1 AS resolved, 0 AS saved,
           0 AS idr, 0 AS freed, 0 AS repatriated
    FROM protection_case WHERE resolved_at IS NOT NULL
    UNION ALL
    SELECT c.representation_code, o.achieved_on, c.category, 0,
           CASE WHEN o.kind IN ('death_sentence_commuted', 'acquitted',
                                'released_from_detention') AND o.death_penalty_case
                THEN o.people ELSE 0 END,
           coalesce(o.idr_value, 0),
           CASE WHEN o.kind = 'freed_from_hostage' THEN o.people ELSE 0 END,
           CASE WHEN o.kind = 'repatriated' THEN o.people ELSE 0 END
    FROM case_outcome o JOIN protection_case c ON c.id = o.case_id
) AS figures
GROUP BY representation_code, day, category
"""


def _load(total: int, post_cases: int) -> list[str]:
    from peduli.core.db import session_scope
    from peduli.reference.profile import get_profile
    from peduli.reference.representations import load_directory

    codes = [r.code for r in load_directory(get_profile().representations_resource).all()]
    others = [code for code in codes if code != POST]
    with session_scope() as session:
        started = time.perf_counter()
        # Bulk-load practice: build the secondary indexes once after the load instead of
        # maintaining them row by row (what a restore does); they are the model's indexes.
        index_definitions = session.scalars(
            text(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'protection_case' "
                "AND indexname NOT IN ('pk_protection_case', 'uq_protection_case_reference')"
            )
        ).all()
        session.execute(
            text("ALTER TABLE protection_case DROP CONSTRAINT uq_protection_case_reference")
        )
        for definition in index_definitions:
            name = definition.split(" INDEX ", 1)[1].split(" ON ", 1)[0]
            session.execute(text(f"DROP INDEX {name}"))
        session.execute(
            text(LOAD_CASES),
            {
                "post_cases": post_cases,
                "post": POST,
                "others": others,
                "other_count": len(others),
                "categories": list(CATEGORIES),
                "total": total,
            },
        )
        session.execute(
            text(
                "ALTER TABLE protection_case ADD CONSTRAINT uq_protection_case_reference "
                "UNIQUE (reference)"
            )
        )
        for definition in index_definitions:
            session.execute(text(definition))
        loaded = time.perf_counter()
        session.execute(text(LOAD_OUTCOMES))
        session.execute(text(BUILD_AGGREGATES))
        done = time.perf_counter()
    # As autovacuum would after a bulk load: statistics and the visibility map.
    with psycopg.connect(
        _common.PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}", autocommit=True
    ) as connection:
        for table in ("protection_case", "case_outcome", "case_outcome_daily"):
            connection.execute(f"VACUUM ANALYZE {table}")
    with session_scope() as session:
        counts = session.execute(
            text(
                "SELECT (SELECT count(*) FROM protection_case), "
                "(SELECT count(*) FROM protection_case WHERE representation_code = :post), "
                "(SELECT count(*) FROM case_outcome), (SELECT count(*) FROM case_outcome_daily)"
            ),
            {"post": POST},
        ).one()
    print(
        f"loaded {counts[0]:,} cases ({counts[1]:,} at {POST}) in {loaded - started:.1f} s; "
        f"{counts[2]:,} outcomes and {counts[3]:,} aggregate rows in {done - loaded:.1f} s"
    )
    return codes


def _timed(calls: list[Callable[[], object]]) -> list[float]:
    latencies = []
    for call in calls:
        started = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - started)
    return latencies


def _verdict(name: str, latencies: list[float], share: float, target: float) -> str:
    value = _common.percentile(latencies, share)
    state = "OK" if value <= target else "MISSED"
    return f"{name}: p{share:.0f} {value * 1000:.1f} ms (target ≤ {target * 1000:.0f} ms) {state}"


def _queue(base: str, token: str, samples: int, post: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    variants = [
        {},
        {"status": "in_progress"},
        {"open_only": "true", "sla": "overdue"},
        {"priority": "critical", "open_only": "true"},
        {"category": "labour", "status": "waiting"},
        {"sla": "due_soon"},
        {"offset": "2000"},
    ]
    with httpx.Client(base_url=base, timeout=30) as client:
        first = client.get("/api/v1/cases", headers=headers)
        assert first.status_code == 200, first.text
        print(f"queue of {post}: {first.json()['total']:,} cases in total")
        for _ in range(20):  # warm up
            client.get("/api/v1/cases", headers=headers)
            client.get("/healthz")
        baseline = _timed([partial(client.get, "/healthz")] * samples)
        calls: list[Callable[[], object]] = [
            partial(
                client.get, "/api/v1/cases", params=variants[n % len(variants)], headers=headers
            )
            for n in range(samples)
        ]
        queue = _timed(calls)
    print(f"  GET /healthz (baseline):           {_common.summary_ms(baseline)}")
    print(f"  GET /api/v1/cases (7 filter mixes): {_common.summary_ms(queue)}")
    ratio = _common.percentile(queue, 95) / _common.percentile(baseline, 95)
    print(f"  {_verdict('queue', queue, 95, QUEUE_TARGET_P95)}; {ratio:.1f}× the baseline p95")


def _periods(rng: random.Random, samples: int) -> list[tuple[date, date]]:
    today = date.today()
    periods = []
    for _ in range(samples):
        start = today - timedelta(days=rng.randint(30, 1100))
        periods.append((start, start + timedelta(days=rng.choice([7, 30, 90, 365]))))
    return periods


def _stats(base: str, analyst_token: str, codes: list[str], samples: int, post: str) -> None:
    from peduli.cases import stats
    from peduli.core.db import get_sessionmaker

    rng = random.Random(7)
    periods = _periods(rng, samples)
    posts = [post if n % 2 else rng.choice(codes) for n in range(samples)]
    session = get_sessionmaker()()

    def figures(period: tuple[date, date], codes: list[str] | None) -> Callable[[], object]:
        return partial(
            stats.outcome_stats,
            session,
            date_from=period[0],
            date_to=period[1],
            representation_codes=codes,
        )

    try:
        for _ in range(20):
            session.execute(text("SELECT 1")).scalar()
        baseline = _timed([lambda: session.execute(text("SELECT 1")).scalar()] * samples)
        filtered = _timed([figures(periods[n], [posts[n]]) for n in range(samples)])
        national = _timed([figures(periods[n], None) for n in range(samples)])
    finally:
        session.rollback()
        session.close()
    headers = {"Authorization": f"Bearer {analyst_token}"}
    with httpx.Client(base_url=base, timeout=30) as client:

        def request(period: tuple[date, date], post: str) -> Callable[[], object]:
            params = {"from": period[0].isoformat(), "to": period[1].isoformat(),
                      "representation": post}  # fmt: skip
            return partial(client.get, "/api/v1/stats/outcomes", params=params, headers=headers)

        for _ in range(20):
            client.get("/healthz")
        http_baseline = _timed([partial(client.get, "/healthz")] * samples)
        http = _timed([request(periods[n], posts[n]) for n in range(samples)])
    print("outcome statistics over the whole load:")
    print(f"  SELECT 1 (baseline):                 {_common.summary_ms(baseline)}")
    print(f"  service, period + representation:    {_common.summary_ms(filtered)}")
    print(f"  service, period, all representations: {_common.summary_ms(national)}")
    print(f"  GET /healthz (baseline):             {_common.summary_ms(http_baseline)}")
    print(f"  GET /api/v1/stats/outcomes (+ post): {_common.summary_ms(http)}")
    print(f"  {_verdict('service, filtered', filtered, 99, STATS_TARGET_P99)}")
    print(f"  {_verdict('HTTP, filtered', http, 99, STATS_TARGET_P99)}")
    ratio = _common.percentile(filtered, 99) / max(_common.percentile(baseline, 99), 1e-6)
    print(f"  service p99 is {ratio:.1f}× the SELECT 1 p99")


def _largest_post() -> tuple[str, list[str]]:
    """The post with the most cases in a seeded database, and every post with cases."""
    from peduli.core.db import session_scope

    with session_scope() as session:
        counts = session.execute(
            text(
                "SELECT representation_code, count(*) FROM protection_case "
                "GROUP BY representation_code ORDER BY count(*) DESC"
            )
        ).all()
        if not session.scalar(text("SELECT EXISTS (SELECT 1 FROM case_outcome_daily)")):
            session.execute(text(BUILD_AGGREGATES))
    print(f"measuring the seeded cases: {sum(n for _, n in counts):,} in {len(counts)} posts")
    return counts[0][0], [code for code, _ in counts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--post-cases", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--database", help="an existing seeded database: measure, load nothing")
    args = parser.parse_args()
    print(_common.machine())
    if args.database:
        url = _common.postgres_url(args.database)
        _common.use_database(url)
        post, codes = _largest_post()
    else:
        url = _common.recreate_postgres(DATABASE)
        _common.use_database(url)
        post, codes = POST, _load(args.cases, args.post_cases)
    from peduli.auth import accounts
    from peduli.core.db import session_scope

    run = uuid.uuid4().hex[:8]  # a seeded database may be measured more than once
    email = f"officer-{run}@bench.example"
    with session_scope() as session:
        accounts.create_staff(
            session, email=email, role="officer", representation_code=post,
            password="benchmark-password-1",
        )  # fmt: skip
        officer = accounts.create_token(session, email=email, days=1)
    analyst = _common.staff_token(f"analyst-{run}@bench.example", "hq_analyst")
    with _common.server(url, workers=1) as base:
        _queue(base, officer, args.samples, post)
        _stats(base, analyst, codes, args.samples, post)


if __name__ == "__main__":
    main()
