"""Statistics of citizens abroad over HTTP at 1,000,000 people, and how stale they get.

    python -m benchmarks.stats_citizens_http [--people 1000000] [--samples 400] [--changes 10]
    python -m benchmarks.stats_citizens_http --database peduli_10m --recount   # seeded already

Seeds its own PostgreSQL database ``peduli_stats_bench`` set-based (``INSERT … SELECT`` over
``generate_series``): people with sex, birth date and home province, one stay each in a
country and its post (nine in ten open), purposes and sectors, arrivals over ten years. The
aggregates are then counted once (``stats.tally.rebuild``) with twelve month-end stocks
(``backfill_months``), timed. Then, with ``peduli serve`` (2 processes):

- ``GET /api/v1/stats/citizens`` for every ``by``, with no filter, a country, a post, and a
  past period (month-end stock and a year earlier), against ``GET /healthz`` in the same run;
  target p99 ≤ 10 ms;
- staleness: with one ``peduli worker`` running (no sandboxes: nothing to send), a stay's
  purpose is changed (committed) and the API is polled until the figure moves; target ≤ 5 s.
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import partial

import httpx
import psycopg
from sqlalchemy import text

from benchmarks import _common

DATABASE = "peduli_stats_bench"
TARGET_P99 = 0.010
TARGET_STALE = 5.0
BY = ("country", "representation", "purpose", "sector", "sex", "age_band", "province")
PROVINCES = tuple(str(code) for code in (*range(11, 20), 21, *range(31, 37), 51, 52, 53,
                  *range(61, 66), *range(71, 77), 81, 82, *range(91, 97)))  # fmt: skip
SECTORS = ("domestic_work", "caregiving", "plantation", "manufacturing", "construction",
           "fishing_crew", "hospitality", "agriculture")  # fmt: skip
# The main destinations first: one stay in two goes to the first six.
MAIN = ("MY", "SA", "HK", "TW", "SG", "KR")

LOAD_PEOPLE = """
INSERT INTO person (id, created_at, updated_at, full_name, name_key, sex, date_of_birth,
                    home_province, preferred_language, status, verification)
SELECT gen_random_uuid(), t, t, 'Bench ' || i, 'bench ' || i,
       CASE WHEN i % 5 < 3 THEN 'F' ELSE 'M' END,
       date '1958-01-01' + ((i * 7919) % 17000)::int,
       ((:provinces)::text[])[1 + (i * 31) % :province_count],
       'id', 'active', CASE WHEN i % 6 = 0 THEN 'unverified' ELSE 'verified' END
FROM generate_series(1::bigint, :people) AS i, (SELECT now() - interval '1 day' AS t) AS at
"""

LOAD_STAYS = """
INSERT INTO stay (id, created_at, updated_at, person_id, country, city, purpose, sector,
                  arrival_date, departed_on, status, representation_code, source,
                  position_approximate, language)
SELECT gen_random_uuid(), p.created_at, p.updated_at, p.id,
       ((:countries)::text[])[place], 'City',
       CASE WHEN n % 10 < 7 THEN 'work' WHEN n % 10 < 8 THEN 'study'
            WHEN n % 10 < 9 THEN 'family' ELSE 'other' END,
       CASE WHEN n % 10 < 7 THEN ((:sectors)::text[])[1 + (n * 13) % :sector_count] END,
       current_date - ((n * 104729) % 3650)::int,
       CASE WHEN n % 10 = 9 THEN current_date - ((n * 7) % 300)::int END,
       CASE WHEN n % 10 = 9 THEN 'departed' ELSE 'active' END,
       ((:posts)::text[])[place], 'self_report', false, 'id'
FROM (
    SELECT id, created_at, updated_at, row_number() OVER () AS n FROM person
) AS p,
LATERAL (SELECT CASE WHEN p.n % 2 = 0 THEN 1 + (p.n / 2) % :main_count
                     ELSE 1 + (p.n * 7919) % :place_count END AS place) AS chosen
"""


def _places() -> tuple[list[str], list[str], int]:
    """(countries, posts) pairs each country's default post serves; the main ones first."""
    from peduli.reference import places

    pairs: dict[str, str] = {}
    for post in places.directory().all():
        for rule in post.jurisdiction:
            if not rule.subdivisions and not rule.cities and post.is_default_for_country:
                pairs.setdefault(rule.country, post.code)
    main = [c for c in MAIN if c in pairs]
    rest = sorted(c for c in pairs if c not in main)
    countries = main + rest
    return countries, [pairs[c] for c in countries], len(main)


def _seed(people: int) -> None:
    from peduli.core.db import session_scope

    countries, posts, main_count = _places()
    started = time.perf_counter()
    with session_scope() as session:
        session.execute(
            text(LOAD_PEOPLE),
            {"people": people, "provinces": list(PROVINCES), "province_count": len(PROVINCES)},
        )
        session.execute(
            text(LOAD_STAYS),
            {
                "countries": countries,
                "posts": posts,
                "sectors": list(SECTORS),
                "sector_count": len(SECTORS),
                "main_count": main_count,
                "place_count": len(countries),
            },
        )
    print(f"seeded {people:,} people and their stays in {time.perf_counter() - started:.1f} s")
    _vacuum(("person", "stay"))
    _count()


def _count() -> None:
    """Count the aggregates from the rows once, and twelve month-end stocks."""
    from peduli.core.db import session_scope
    from peduli.stats import month_ends, tally

    loaded = time.perf_counter()
    with session_scope() as session:
        tally.rebuild(session)
    counted = time.perf_counter()
    with session_scope() as session:
        month_ends.backfill_months(session, today=date.today(), months=12)
    backfilled = time.perf_counter()
    _vacuum(
        ("stats_stay_contribution", "stats_citizen_stock", "stats_citizen_stock_month",
         "stats_citizen_flow_day", "stats_tally_cursor")
    )  # fmt: skip
    with session_scope() as session:
        rows = session.execute(
            text(
                "SELECT (SELECT count(*) FROM stay), (SELECT count(*) FROM stats_citizen_stock), "
                "(SELECT count(*) FROM stats_citizen_flow_day), "
                "(SELECT count(*) FROM stats_citizen_stock_month)"
            )
        ).one()
    print(
        f"{rows[0]:,} stays counted in {counted - loaded:.1f} s "
        f"(rebuild: {rows[1]:,} stock rows, {rows[2]:,} "
        f"daily flow rows); 12 month-ends ({rows[3]:,} rows) in {backfilled - counted:.1f} s"
    )


def _recreate_statistics(database: str) -> None:
    """Drop the statistics' tables (their shape may have changed) and let the migration
    build them again: the seeded people and stays stay."""
    url = _common.postgres_url(database)
    admin = _common.PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"
    with psycopg.connect(admin, autocommit=True) as connection:
        for table in ("stats_stay_contribution", "stats_citizen_stock",
                      "stats_citizen_stock_month", "stats_citizen_flow_day",
                      "stats_tally_cursor"):  # fmt: skip
            connection.execute(f"DROP TABLE IF EXISTS {table}")
        connection.execute("DROP INDEX IF EXISTS ix_stay_updated")
        connection.execute("DROP INDEX IF EXISTS ix_person_updated")
    from sqlalchemy import create_engine

    from peduli.models import Base

    engine = create_engine(url)
    stats_tables = [t for name, t in Base.metadata.tables.items() if name.startswith("stats_")]
    Base.metadata.create_all(engine, tables=stats_tables)
    with engine.begin() as connection:
        connection.execute(text("CREATE INDEX ix_stay_updated ON stay (updated_at, id)"))
        connection.execute(text("CREATE INDEX ix_person_updated ON person (updated_at, id)"))
    engine.dispose()


def _vacuum(tables: tuple[str, ...]) -> None:
    url = os.environ["PEDULI_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as connection:
        for table in tables:
            connection.execute(f"VACUUM ANALYZE {table}")


def _timed(calls: Sequence[Callable[[], httpx.Response]]) -> list[float]:
    latencies = []
    for call in calls:
        started = time.perf_counter()
        answer = call()
        latencies.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.text
    return latencies


def _variants() -> list[dict[str, str]]:
    today = date.today()
    past_end = today.replace(day=1) - timedelta(days=1)
    filters: list[dict[str, str]] = [
        {},
        {"country": "MY"},
        {"representation": "kbri-seoul"},
        {"from": past_end.replace(day=1).isoformat(), "to": past_end.isoformat()},
        {"from": (today - timedelta(days=90)).isoformat(), "to": today.isoformat()},
    ]
    return [{"by": by, **extra} for extra in filters for by in BY]


def _latency(base: str, token: str, samples: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    variants = _variants()
    with httpx.Client(base_url=base, timeout=30) as client:
        national = client.get("/api/v1/stats/citizens", headers=headers).json()
        print(
            f"citizens abroad now: {national['total']:,} in {len(national['rows'])} countries "
            f"(a year earlier: {national['year_earlier_total']})"
        )
        for variant in variants * 3:  # warm up every query shape
            client.get("/api/v1/stats/citizens", params=variant, headers=headers)
            client.get("/healthz")
        baseline = _timed([partial(client.get, "/healthz")] * samples)
        calls = [
            partial(
                client.get,
                "/api/v1/stats/citizens",
                params=variants[n % len(variants)],
                headers=headers,
            )
            for n in range(samples)
        ]
        figures = _timed(calls)
    p99 = _common.percentile(figures, 99)
    state = "OK" if p99 <= TARGET_P99 else "MISSED"
    print(f"  GET /healthz (baseline):                  {_common.summary_ms(baseline)}")
    print(f"  GET /api/v1/stats/citizens ({len(variants)} shapes): {_common.summary_ms(figures)}")
    ratio = p99 / _common.percentile(baseline, 99)
    print(f"  p99 {p99 * 1000:.1f} ms (target ≤ 10 ms) {state}; {ratio:.1f}× the baseline p99")


def _staleness(base: str, token: str, changes: int) -> None:
    """Change one open stay's purpose at a time; seconds until the API's figure moves."""
    from peduli.core.db import session_scope

    headers = {"Authorization": f"Bearer {token}"}
    params = {"by": "purpose", "country": "KR"}
    waits = []
    with httpx.Client(base_url=base, timeout=30) as client:

        def study() -> int:
            rows = client.get("/api/v1/stats/citizens", params=params, headers=headers).json()
            return next((r["count"] for r in rows["rows"] if r["key"] == "study"), 0)

        for _ in range(changes):
            before = study()
            with session_scope() as session:
                changed = session.execute(
                    text(
                        "UPDATE stay SET purpose = 'study', sector = NULL, updated_at = now() "
                        "WHERE id = (SELECT id FROM stay WHERE country = 'KR' AND status = "
                        "'active' AND purpose = 'work' LIMIT 1) RETURNING id"
                    )
                ).scalar_one()
            assert isinstance(changed, uuid.UUID)
            committed = time.perf_counter()
            while study() == before:
                if time.perf_counter() - committed > 30:
                    raise RuntimeError("the figure did not move within 30 s")
                time.sleep(0.05)
            waits.append(time.perf_counter() - committed)
    worst = max(waits)
    state = "OK" if worst <= TARGET_STALE else "MISSED"
    print(
        f"  staleness over {changes} changes: median {sorted(waits)[len(waits) // 2]:.2f} s, "
        f"worst {worst:.2f} s (target ≤ 5 s) {state}"
    )


def _analyst_token() -> str:
    """An HQ analyst's API token (the account made once per database)."""
    from peduli.auth import accounts
    from peduli.core.db import session_scope
    from peduli.core.errors import Conflict

    email = "bench.analyst@bench.example"
    try:
        return _common.staff_token(email, "hq_analyst")
    except Conflict:
        with session_scope() as session:
            return accounts.create_token(session, email=email, days=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=400)
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the seeded people, stays and counts"
    )
    parser.add_argument(
        "--database",
        default=DATABASE,
        help="with --reuse: a database seeded already (by peduli seed, say)",
    )
    parser.add_argument("--staleness-only", action="store_true")
    parser.add_argument(
        "--recount", action="store_true", help="with --reuse: count the aggregates again"
    )
    args = parser.parse_args()
    print(_common.machine())
    if args.reuse or args.database != DATABASE:
        url = _common.postgres_url(args.database)
        if args.recount:
            _recreate_statistics(args.database)
        _common.use_database(url)
        if args.recount:
            _count()
    else:
        url = _common.recreate_postgres(DATABASE)
        _common.use_database(url)
        _seed(args.people)
    token = _analyst_token()
    with _common.server(url, workers=2, start_seconds=240) as base:
        if not args.staleness_only:
            _latency(base, token, args.samples)
        os.environ.update({"PEDULI_LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"})
        worker = _common.peduli_process(["worker"], "worker started")
        try:
            _staleness(base, token, args.changes)
        finally:
            worker.terminate()
            worker.wait(timeout=30)


if __name__ == "__main__":
    main()
