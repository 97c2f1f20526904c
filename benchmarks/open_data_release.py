"""A month's open-data release over a large registry: the count (one GROUP BY), the
disclosure control (pure Python over the groups) and the whole publication, against a bare
``count(*)`` over the same stays and people in the same run.

    python -m benchmarks.open_data_release --db sqlite|postgres [--people 200000]

People are spread over every post's countries with a long tail (many small groups, as in
reality), purposes, sectors, sexes and ages; one in ten has left. PostgreSQL uses its own
database ``peduli_opendata_bench``, dropped afterwards.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from benchmarks import _common

DATABASE = "peduli_opendata_bench"
BATCH = 20_000


def _load(people: int, seed: int = 17) -> None:
    from sqlalchemy import Table, insert

    from peduli.core.db import session_scope
    from peduli.reference.places import directory
    from peduli.registry.models import Person, Stay

    person, stay = Person.__table__, Stay.__table__
    assert isinstance(person, Table) and isinstance(stay, Table)
    rng = random.Random(seed)
    places = [(country, post.code) for post in directory().all() for country in post.countries]
    weights = [1 / (rank + 1) ** 2.5 for rank in range(len(places))]  # a long tail
    purposes = ["work"] * 6 + ["study", "family", "tourism", "other"]
    sectors = ["domestic_work", "caregiving", "plantation", "manufacturing", "construction",
               "fishing_crew", "hospitality", "agriculture", "healthcare", "other"]  # fmt: skip
    for start in range(0, people, BATCH):
        persons, stays = [], []
        for _ in range(min(BATCH, people - start)):
            pid = uuid.uuid4()
            country, post = rng.choices(places, weights)[0]
            purpose = rng.choice(purposes)
            arrived = date(2021, 1, 1) + timedelta(days=rng.randint(0, 2100))
            departed = (
                arrived + timedelta(days=rng.randint(30, 900)) if rng.random() < 0.1 else None
            )
            persons.append({
                "id": pid, "full_name": "Bench", "name_key": "bench", "sex": rng.choice("MF"),
                "date_of_birth": date(1950, 1, 1) + timedelta(days=rng.randint(0, 21000)),
            })  # fmt: skip
            stays.append({
                "id": uuid.uuid4(), "person_id": pid, "country": country, "city": "Kota",
                "purpose": purpose, "sector": rng.choice(sectors) if purpose == "work" else None,
                "arrival_date": arrived, "departed_on": departed,
                "status": "departed" if departed else "active", "representation_code": post,
                "language": "id",
            })  # fmt: skip
        with session_scope() as session:
            session.execute(insert(person), persons)
            session.execute(insert(stay), stays)


def _timed(work):  # type: ignore[no-untyped-def]
    best, result = float("inf"), None
    for _ in range(3):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--people", type=int, default=200_000)
    args = parser.parse_args()
    url = _common.sqlite_url() if args.db == "sqlite" else _common.recreate_postgres(DATABASE)
    _common.use_database(url)

    from sqlalchemy import func, or_, select, text

    from peduli.auth.actor import SYSTEM
    from peduli.core.db import get_engine, session_scope
    from peduli.registry.models import Person, Stay
    from peduli.stats import releases

    started = time.perf_counter()
    _load(args.people)
    loaded = time.perf_counter() - started
    with session_scope() as session:
        session.execute(text("ANALYZE"))
    month = date(2026, 10, 1)
    day = releases.last_day(month)

    def bare_count() -> int:
        with session_scope() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(Stay)
                    .join(Person, Person.id == Stay.person_id)
                    .where(
                        Stay.arrival_date <= day,
                        or_(Stay.departed_on > day, Stay.departed_on.is_(None)),
                    )
                )
                or 0
            )

    def count() -> releases.Tables:
        with session_scope() as session:
            return releases.count_month(session, month)

    baseline, abroad = _timed(bare_count)
    counted, tables = _timed(count)
    protecting, values = _timed(lambda: releases.protected(tables, set()))
    started = time.perf_counter()
    with session_scope() as session:
        releases.publish(session, month=month, actor=SYSTEM, now=datetime(2026, 11, 2, tzinfo=UTC))
    publishing = time.perf_counter() - started
    hidden = sum(value is None for value in values.values())

    cells = f"{len(tables.counts):,} published cells, {hidden:,} suppressed"
    rows = [
        f"# open-data release, {args.db}, {args.people:,} people ({abroad:,} abroad)",
        f"# {_common.machine()}",
        f"loaded in {loaded:.1f} s; {cells}",
        f"baseline count(*) over the same stays:  {baseline * 1000:8.1f} ms",
        f"count_month (one GROUP BY):             {counted * 1000:8.1f} ms"
        f"  ({counted / baseline:.2f}x baseline)",
        f"disclosure control (protect, round):    {protecting * 1000:8.1f} ms",
        f"publish (count, protect, write, audit): {publishing * 1000:8.1f} ms"
        f"  ({publishing / baseline:.2f}x baseline)",
    ]
    print("\n".join(rows))
    get_engine().dispose()
    if args.db == "postgres":
        import psycopg

        with psycopg.connect(_common.PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


if __name__ == "__main__":
    main()
