"""Sizes of the largest tables and their indexes, and what one person costs in each.

    python -m benchmarks.table_sizes --database peduli_keyscale_200k
    python -m benchmarks.table_sizes --database peduli_10m

Reads ``pg_total_relation_size`` (heap, indexes and TOAST) of every table and
``pg_relation_size`` of each index, and divides by the number of people, so that sizes at
another population are a multiplication (docs/scale.md). Run it on a freshly seeded
database: a rotation or a load test leaves dead rows until autovacuum has passed.
"""

from __future__ import annotations

import argparse

import psycopg

from benchmarks import _common

MB = 1024 * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default=_common.BENCH_DATABASE)
    parser.add_argument("--top", type=int, default=8, help="tables shown")
    args = parser.parse_args()
    url = _common.postgres_url(args.database).replace("+psycopg", "")
    with psycopg.connect(url) as connection:
        [people] = connection.execute("SELECT count(*) FROM person").fetchone() or [0]
        tables = connection.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid), "
            "pg_indexes_size(c.oid), (SELECT count(*) FROM pg_index WHERE indrelid = c.oid) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC LIMIT %s",
            (args.top,),
        ).fetchall()
        [database] = connection.execute(
            "SELECT pg_database_size(current_database())"
        ).fetchone() or [0]
    print(f"table_sizes: {args.database}, {people:,} people; machine: {_common.machine()}")
    print(f"{'table':<22}{'total MB':>10}{'heap MB':>10}{'index MB':>10}{'indexes':>9}", end="")
    print(f"{'bytes/person':>14}")
    for name, total, heap, indexes, count in tables:
        per_person = total / people if people else 0
        print(f"{name:<22}{total / MB:>10.1f}{heap / MB:>10.1f}{indexes / MB:>10.1f}", end="")
        print(f"{count:>9}{per_person:>14,.0f}")
    print(f"database: {database / MB:,.0f} MB, {database / max(people, 1):,.0f} bytes per person")


if __name__ == "__main__":
    main()
