"""``/livez``, ``/readyz`` and ``/metrics`` answer what they promise, to whom they promise."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from peduli.agencies import breaker
from peduli.core.db import utcnow
from peduli.core.periodic import PeriodicTaskRun
from peduli.notify import service as notify_service
from peduli.operations.health import expected_heads


def _metric(body: str, name: str, **labels: str) -> float | None:
    """The value of one sample of ``name`` whose labels include ``labels``."""
    for line in body.splitlines():
        if not line.startswith(name + "{") and line.split(" ")[0] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.rpartition("}")[0]))
        if all(found.get(key) == value for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_livez_answers_without_the_database(client: TestClient) -> None:
    response = client.get("/livez")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


def test_readyz_compares_the_database_revision_with_the_code(
    client: TestClient, db: Session
) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["revision"] in expected_heads()
    (at,) = db.execute(text("SELECT version_num FROM alembic_version")).one()
    db.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    db.commit()
    try:
        behind = client.get("/readyz")
    finally:
        db.execute(text("UPDATE alembic_version SET version_num = :at"), {"at": at})
        db.commit()
    assert behind.status_code == 503
    assert behind.json() | {"expected": []} == {
        "status": "not_ready",
        "database": "ok",
        "migrations": "behind_or_ahead",
        "revision": "older",
        "expected": [],
    }


def test_metrics_label_routes_by_template_and_read_the_backlogs(
    client: TestClient, db: Session
) -> None:
    crisis_id = uuid.uuid4()
    assert client.get(f"/api/v1/crises/{crisis_id}/board").status_code == 401
    now = utcnow()
    for number in range(3):
        notify_service.enqueue(
            db,
            channel="email",
            recipient=f"someone{number}@example.org",
            subject="s",
            body="b",
            idempotency_key=f"metrics-{number}",
        )
    for _ in range(10):
        breaker.failed(db, "immigration", now=now, reason="down")
    db.add(PeriodicTaskRun(name="late-task", next_run_at=now - timedelta(seconds=90)))
    db.commit()

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    body = response.text
    assert str(crisis_id) not in body  # no ids in labels
    count = _metric(
        body,
        "peduli_http_request_duration_seconds_count",
        method="GET",
        route="/api/v1/crises/{crisis_id}/board",
        status="401",
    )
    assert count is not None and count >= 1
    assert _metric(body, "peduli_outbox_messages", channel="email", status="pending") == 3
    age = _metric(body, "peduli_outbox_oldest_unsent_age_seconds", channel="email")
    assert age is not None and 0 <= age < 60
    assert _metric(body, "peduli_agency_circuit_state", agency="immigration") == 2
    assert _metric(body, "peduli_agency_circuit_state", agency="bp2mi") == 0
    lag = _metric(body, "peduli_worker_task_lag_seconds", task="late-task")
    assert lag is not None and lag >= 90
    assert _metric(body, "peduli_escalations_due", kind="case") == 0
    assert _metric(body, "peduli_gauges_database_up") == 1


def test_metrics_are_refused_outside_the_internal_network(
    clean_engine: object, shared_app: FastAPI
) -> None:
    with TestClient(shared_app, client=("203.0.113.9", 40000)) as outsider:
        response = outsider.get("/metrics", headers={"X-Request-ID": "scrape-from-outside-1"})
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_internal"
    assert response.json()["request_id"] == "scrape-from-outside-1"


def test_several_processes_add_up_in_the_multiprocess_directory(tmp_path: Path) -> None:
    """Two processes each count a request in PROMETHEUS_MULTIPROC_DIR; a third sums them."""
    count = (
        "from peduli.operations import metrics; metrics.observe_request('GET', '/livez', 200, 0.01)"
    )
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True, timeout=60)
    gather = (
        "from prometheus_client import CollectorRegistry, generate_latest\n"
        "from prometheus_client.multiprocess import MultiProcessCollector\n"
        "registry = CollectorRegistry(); MultiProcessCollector(registry)\n"
        "print(generate_latest(registry).decode())"
    )
    out = subprocess.run(
        [sys.executable, "-c", gather], env=env, check=True, timeout=60, capture_output=True
    ).stdout.decode()
    assert (
        _metric(out, "peduli_http_request_duration_seconds_count", route="/livez", status="200")
        == 2
    )
