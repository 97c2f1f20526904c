"""Officer search by NIK, passport and phone among the seeded population, against a
primary-key look-up measured in the same run.

    python -m benchmarks.seed_postgres --citizens 1000000   # once, seeds peduli_bench
    python -m benchmarks.search_identifiers [--database peduli_10m]

Samples people at random, decrypts their NIK and passport (as an officer would have them
from a document), then times ``registry.search.search_people`` (with its audit entry, in
a transaction rolled back after each search) and the same searches over HTTP (with the
commit). Baseline: ``SELECT … WHERE id = …`` on the person table. Target: p95 ≤ 20 ms.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from collections.abc import Callable, Sequence
from functools import partial

import httpx
from sqlalchemy import select, text

from benchmarks import _common

TARGET_P95 = 0.020
SEARCH = "/api/v1/persons/search"


def _samples(count: int) -> list[dict[str, str]]:
    from peduli.core.crypto import CONTACT_PURPOSE, get_cipher
    from peduli.core.db import session_scope
    from peduli.registry import service

    cipher = get_cipher()
    with session_scope() as session:
        rows = session.execute(
            text(
                "SELECT p.id, p.nik_encrypted, pp.number_encrypted, c.value FROM person p "
                "TABLESAMPLE SYSTEM (1) JOIN passport pp ON pp.person_id = p.id "
                "JOIN contact_point c ON c.person_id = p.id AND c.kind = 'phone' "
                "WHERE p.nik_encrypted IS NOT NULL LIMIT :n"
            ),
            {"n": count},
        ).all()
    return [
        {
            "id": str(row[0]),
            "nik": cipher.decrypt(row[1], purpose=service.NIK_PURPOSE),
            "passport_number": cipher.decrypt(row[2], purpose=service.PASSPORT_PURPOSE),
            "phone": cipher.decrypt(row[3], purpose=CONTACT_PURPOSE),
        }
        for row in rows
    ]


def _timed(calls: Sequence[Callable[[], object]]) -> list[float]:
    latencies = []
    for call in calls:
        started = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - started)
    return latencies


def _service_search(field: str, value: str) -> None:
    from peduli.auth.actor import Actor, Role
    from peduli.core.db import get_sessionmaker
    from peduli.registry import search
    from peduli.registry.schemas import PersonSearch

    admin = Actor(role=Role.HQ_ADMIN, account_id=uuid.UUID(int=1), display="benchmark")
    session = get_sessionmaker()()
    try:
        outcome = search.search_people(
            session, query=PersonSearch.model_validate({field: value}), actor=admin
        )
        assert outcome.hits, f"no hit by {field}"
    finally:
        session.rollback()
        session.close()


def _primary_key(person_id: str) -> None:
    from peduli.core.db import get_sessionmaker
    from peduli.registry.models import Person

    with get_sessionmaker()() as session:
        assert session.scalar(select(Person).where(Person.id == uuid.UUID(person_id)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--http", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--database", default=_common.BENCH_DATABASE, help="an already seeded database"
    )
    args = parser.parse_args()

    url = _common.postgres_url(args.database)
    _common.use_database(url)
    samples = _samples(args.samples)
    random.Random(1).shuffle(samples)
    print(f"search_identifiers: {len(samples)} people sampled from {args.database}")
    print(f"machine: {_common.machine()}")
    baseline = _timed([partial(_primary_key, s["id"]) for s in samples])
    print(f"baseline primary key : {_common.summary_ms(baseline)}")
    p95_base = _common.percentile(baseline, 95)
    for field in ("nik", "passport_number", "phone"):
        latencies = _timed([partial(_service_search, field, s[field]) for s in samples])
        p95 = _common.percentile(latencies, 95)
        verdict = "met" if p95 <= TARGET_P95 else "NOT met"
        print(
            f"service by {field:<15}: {_common.summary_ms(latencies)}; "
            f"p95 {p95 / p95_base:.1f}x the primary key (target p95 ≤ 20 ms: {verdict})"
        )
    if args.http:
        _http(url, samples, p95_base)


def _search_over_http(http: httpx.Client, body: dict[str, str]) -> None:
    http.post(SEARCH, json=body).raise_for_status()


def _http(url: str, samples: list[dict[str, str]], p95_base: float) -> None:
    token = _common.staff_token(email=f"search.{uuid.uuid4().hex[:8]}@bench.example")
    headers = {"Authorization": f"Bearer {token}"}
    with (
        _common.server(url, workers=1) as base,
        httpx.Client(base_url=base, headers=headers) as http,
    ):
        for field in ("nik", "passport_number", "phone"):
            calls = [partial(_search_over_http, http, {field: s[field]}) for s in samples]
            _timed(calls[:20])  # warm the worker
            latencies = _timed(calls)
            p95 = _common.percentile(latencies, 95)
            verdict = "met" if p95 <= TARGET_P95 else "NOT met"
            print(
                f"HTTP by {field:<18}: {_common.summary_ms(latencies)}; "
                f"p95 {p95 / p95_base:.1f}x the primary key (target p95 ≤ 20 ms: {verdict})"
            )


if __name__ == "__main__":
    main()
