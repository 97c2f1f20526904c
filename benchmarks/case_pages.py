"""The officer's case queue page (HTML) of one post with 50,000 cases on PostgreSQL, against
``GET /healthz`` and the registry's work queue page (``GET /officer``) measured in the same run.

    python -m benchmarks.case_pages [--post-cases 50000] [--other-cases 10000] [--samples 300]

Loads the cases with the loader of ``benchmarks.cases`` (set-based, into its own database
``peduli_bench_case_pages``), then times ``GET /officer/cases`` with a mix of the page's
filters and sorts: each request runs the page's count, the capped tab counts (five), one
page of rows, the assignees' names and the officers of the post. Target: p95 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from functools import partial

import httpx

from benchmarks import _common
from benchmarks import cases as loader

DATABASE = "peduli_bench_case_pages"
TARGET_P95 = 0.100
VARIANTS: list[dict[str, str]] = [
    {},
    {"status": "in_progress"},
    {"sla": "overdue", "sort": "due"},
    {"priority": "critical"},
    {"category": "labour", "status": "waiting"},
    {"assignee": "none"},
    {"status": "any", "sort": "priority", "dir": "desc"},
    {"sort": "reference", "page": "40"},
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--post-cases", type=int, default=50_000)
    parser.add_argument("--other-cases", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    print(_common.machine())
    loader.DATABASE = DATABASE  # the loader's VACUUM connects to this database
    url = _common.recreate_postgres(DATABASE)
    _common.use_database(url)
    loader._load(args.post_cases + args.other_cases, args.post_cases)
    from peduli.auth import accounts
    from peduli.core.db import session_scope

    with session_scope() as session:
        accounts.create_staff(
            session, email="officer@bench.example", role="officer",
            representation_code=loader.POST, password="benchmark-password-1",
        )  # fmt: skip
        token = accounts.create_token(session, email="officer@bench.example", days=1)
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/html"}
    with _common.server(url, workers=1) as base, httpx.Client(base_url=base, timeout=30) as client:
        first = client.get("/officer/cases", headers=headers)
        assert first.status_code == 200, first.text[:500]
        for _ in range(20):  # warm up
            client.get("/officer/cases", headers=headers)
            client.get("/healthz")
        baseline = loader._timed([partial(client.get, "/healthz")] * args.samples)
        # The registry's work queue page: the same sign-in, audit and rendering per request.
        registry = loader._timed([partial(client.get, "/officer", headers=headers)] * args.samples)
        calls: list[Callable[[], object]] = [
            partial(
                client.get, "/officer/cases", params=VARIANTS[n % len(VARIANTS)], headers=headers
            )
            for n in range(args.samples)
        ]
        pages = loader._timed(calls)
    print(f"  GET /healthz (baseline):                {_common.summary_ms(baseline)}")
    print(f"  GET /officer (registry page, baseline):  {_common.summary_ms(registry)}")
    print(f"  GET /officer/cases (8 filter/sort mixes): {_common.summary_ms(pages)}")
    page_ratio = _common.percentile(pages, 95) / _common.percentile(registry, 95)
    print(f"  queue page p95 is {page_ratio:.2f}× the registry work queue page's p95")
    ratio = _common.percentile(pages, 95) / _common.percentile(baseline, 95)
    print(
        f"  {loader._verdict('queue page', pages, 95, TARGET_P95)}; {ratio:.1f}× the baseline p95"
    )


if __name__ == "__main__":
    main()
