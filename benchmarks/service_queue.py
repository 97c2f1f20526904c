"""A post's application queue with 100,000 applications on PostgreSQL, over HTTP: the JSON
queue (``GET /api/v1/applications``) and the officers' page (``GET /officer/applications``),
against ``GET /healthz`` measured in the same run.

    python -m benchmarks.service_queue [--post 100000] [--other 20000] [--samples 300]

Loads the applications set-based (one INSERT … SELECT over generate_series, most of them
closed, a fifth open with deadlines spread over a month) into its own database
``peduli_bench_service_queue``. Each request counts the post's matching applications, reads
one page by deadline and writes its audit entry. Target: p95 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from functools import partial

import httpx
from sqlalchemy import text

from benchmarks import _common
from benchmarks.cases import _timed, _verdict

DATABASE = "peduli_bench_service_queue"
POST = "kbri-seoul"
TARGET_P95 = 0.100
VARIANTS: list[dict[str, str]] = [
    {},
    {"state": "submitted"},
    {"state": "approved", "offset": "500"},
    {"state": "handed_over", "offset": "10000"},
    {"offset": "2000"},
]
LOAD = """
INSERT INTO service_application (
    id, reference, service_code, service_version, representation_code, person_id,
    applicant_name, applicant_birth_date, applying_for, language, state, fee_usd_cents,
    payment_method, payment_state, submitted_at, due_at, updated_at)
SELECT gen_random_uuid(), 'B' || n, 'passport-renewal', 1,
    CASE WHEN n <= :post THEN 'kbri-seoul' ELSE 'kbri-kuala-lumpur' END, :person,
    'Applicant ' || n, DATE '1990-01-01', 'self', 'id',
    (ARRAY['submitted', 'documents_requested', 'approved', 'issued', 'handed_over',
           'handed_over', 'handed_over', 'handed_over', 'refused', 'handed_over'])[1 + n % 10],
    2500, 'counter', 'at_counter',
    now() - (n % 400) * interval '1 day',
    now() + ((n % 60) - 20) * interval '1 day', now()
FROM generate_series(1, :total) AS n
"""


def _load(post: int, other: int) -> None:
    import uuid

    from peduli.auth.actor import Actor, Role
    from peduli.core.db import session_scope
    from peduli.registry import service as registry_service
    from peduli.registry.schemas import SelfReportCreate
    from peduli.registry.service import SelfReportOutcome
    from peduli.services import catalogue

    officer = Actor(role=Role.OFFICER, account_id=uuid.uuid4(), display="bench",
                    representation_code=POST)  # fmt: skip
    applicant = SelfReportCreate.model_validate({
        "nik": "3171011705900001", "passport_number": "C1234567", "full_name": "Muhammad Yusuf",
        "date_of_birth": "1990-05-17", "sex": "M", "language": "id", "country": "KR",
        "city": "Seoul", "purpose": "work", "sector": "manufacturing",
        "phone": "+821012345678", "arrival_date": "2024-03-01",
    })  # fmt: skip
    with session_scope() as session:
        catalogue.load_shipped(session)
        made = registry_service.submit_self_report(
            session, report=applicant, actor=officer, today=date(2026, 12, 1)
        )
        assert isinstance(made, SelfReportOutcome)
        session.execute(text(LOAD), {"post": post, "total": post + other, "person": made.person.id})
    import psycopg

    # What autovacuum does soon after a bulk load: the visibility map lets counts read the
    # index alone.
    with psycopg.connect(_common.PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}",
                         autocommit=True) as connection:  # fmt: skip
        connection.execute("VACUUM ANALYZE service_application")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--post", type=int, default=100_000)
    parser.add_argument("--other", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    print(_common.machine())
    url = _common.recreate_postgres(DATABASE)
    _common.use_database(url)
    _load(args.post, args.other)
    from peduli.auth import accounts
    from peduli.core.db import session_scope

    with session_scope() as session:
        accounts.create_staff(
            session, email="officer@bench.example", role="officer",
            representation_code=POST, password="benchmark-password-1",
        )  # fmt: skip
        token = accounts.create_token(session, email="officer@bench.example", days=1)
    api = {"Authorization": f"Bearer {token}"}
    page = api | {"Accept": "text/html"}
    with _common.server(url, workers=1) as base, httpx.Client(base_url=base, timeout=30) as client:
        first = client.get("/api/v1/applications", headers=api)
        assert first.status_code == 200 and first.json()["total"] > 0, first.text[:500]
        assert client.get("/officer/applications", headers=page).status_code == 200
        for _ in range(20):  # warm up
            client.get("/api/v1/applications", headers=api)
            client.get("/healthz")
        baseline = _timed([partial(client.get, "/healthz")] * args.samples)
        calls: list[Callable[[], object]] = [
            partial(client.get, "/api/v1/applications", params=VARIANTS[n % len(VARIANTS)],
                    headers=api)
            for n in range(args.samples)
        ]  # fmt: skip
        queue = _timed(calls)
        pages = _timed([partial(client.get, "/officer/applications", headers=page)] * args.samples)
    print(f"  GET /healthz (baseline):               {_common.summary_ms(baseline)}")
    print(f"  GET /api/v1/applications (5 mixes):    {_common.summary_ms(queue)}")
    print(f"  GET /officer/applications (page):      {_common.summary_ms(pages)}")
    for name, values in (("JSON queue", queue), ("queue page", pages)):
        ratio = _common.percentile(values, 95) / _common.percentile(baseline, 95)
        print(f"  {_verdict(name, values, 95, TARGET_P95)}; {ratio:.1f}× the baseline p95")


if __name__ == "__main__":
    main()
