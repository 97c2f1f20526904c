"""What ``/metrics`` exposes to Prometheus.

Request latency is measured in each server process. With several processes (``peduli
serve``, the layout behind nginx) each writes its samples to files in
``PROMETHEUS_MULTIPROC_DIR`` (set before the process starts; the layout script empties it
on start) and whichever process answers a scrape sums them all. Without that variable (one
process, the tests) the samples stay in memory.

The gauges (outbox depth and age, worker lag, escalations due, agency circuits) are not
counted by any process: they are read from the database at each scrape, through the
lagging-read session (the replica when there is one; seconds behind is fine for a gauge),
so every process and every worker reports the same figures.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from peduli.agencies.gateway import AGENCIES
from peduli.agencies.models import AgencyBreaker
from peduli.cases import workflow as case_workflow
from peduli.cases.models import Case
from peduli.core.db import utcnow
from peduli.core.periodic import PeriodicTaskRun
from peduli.core.read_replica import lagging_read_session
from peduli.emergency.models import Emergency
from peduli.notify.models import OutboxMessage, OutboxStatus
from peduli.services import workflow as service_workflow
from peduli.services.models import ServiceApplication

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# Seconds: pages and API answers are meant to stay under 0.5 s at the 95th percentile.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
REQUEST_SECONDS = Histogram(
    "peduli_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status.",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
    registry=None,  # gathered per scrape (``exposition``), from every process's files
)
UNSENT = (OutboxStatus.PENDING, OutboxStatus.FAILED, OutboxStatus.SENDING)
CIRCUIT_STATES = {"closed": 0, "half_open": 1, "open": 2}


# Each series once looked up: ``labels()`` checks and joins its arguments on every call, a
# third of the cost per request (benchmarks/observability_overhead.py). Bounded: routes ×
# methods × statuses, every unmatched path under one route label.
_SERIES: dict[tuple[str, str, int], Any] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request (``api.observability``)."""
    key = (method, route, status)
    series = _SERIES.get(key)
    if series is None:
        series = _SERIES[key] = REQUEST_SECONDS.labels(method, route, str(status))
    series.observe(seconds)


def exposition() -> bytes:
    """The text Prometheus scrapes: every process's request latency, then the gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get(MULTIPROCESS_DIR):
        MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
    registry.register(DatabaseGauges())
    return generate_latest(registry)


class DatabaseGauges(Collector):
    """The platform's backlogs, read from the database at each scrape."""

    def collect(self) -> Iterator[Metric]:
        now = utcnow()
        up = GaugeMetricFamily(
            "peduli_gauges_database_up",
            "1 if the gauges below could be read from the database at this scrape, else 0.",
        )
        try:
            with lagging_read_session() as session:
                gauges = [
                    *_outbox(session, now),
                    *_periodic_tasks(session, now),
                    _escalations_due(session, now),
                    _agency_circuits(session, now),
                ]
        except SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from gauges


def _outbox(session: Session, now: datetime) -> Iterator[Metric]:
    depth = GaugeMetricFamily(
        "peduli_outbox_messages",
        "Messages not sent yet, by channel and status (pending, failed: waiting to retry, "
        "sending: claimed by a worker).",
        labels=["channel", "status"],
    )
    age = GaugeMetricFamily(
        "peduli_outbox_oldest_unsent_age_seconds",
        "Age of the oldest message not sent yet, by channel.",
        labels=["channel"],
    )
    rows = session.execute(
        select(
            OutboxMessage.channel,
            OutboxMessage.status,
            func.count(),
            func.min(OutboxMessage.created_at),
        )
        .where(OutboxMessage.status.in_(UNSENT))
        .group_by(OutboxMessage.channel, OutboxMessage.status)
    ).all()
    oldest: dict[str, datetime] = {}
    for channel, status, count, first in rows:
        depth.add_metric([channel, str(status)], count)
        if first is not None and (channel not in oldest or first < oldest[channel]):
            oldest[channel] = first
    for channel, first in sorted(oldest.items()):
        age.add_metric([channel], max(0.0, (now - first).total_seconds()))
    return iter((depth, age))


def _periodic_tasks(session: Session, now: datetime) -> Iterator[Metric]:
    lag = GaugeMetricFamily(
        "peduli_worker_task_lag_seconds",
        "How long a periodic task is overdue (0: no worker is late); grows when no worker runs.",
        labels=["task"],
    )
    last = GaugeMetricFamily(
        "peduli_worker_task_last_run_timestamp_seconds",
        "When a periodic task last ran (Unix time).",
        labels=["task"],
    )
    rows = session.execute(
        select(PeriodicTaskRun.name, PeriodicTaskRun.next_run_at, PeriodicTaskRun.last_run_at)
    ).all()
    for name, next_run_at, last_run_at in rows:
        lag.add_metric([name], max(0.0, (now - next_run_at).total_seconds()))
        if last_run_at is not None:
            last.add_metric([name], last_run_at.timestamp())
    return iter((lag, last))


def _escalations_due(session: Session, now: datetime) -> Metric:
    """Items past their deadline that the worker has not escalated yet (should stay near 0)."""
    gauge = GaugeMetricFamily(
        "peduli_escalations_due",
        "Overdue items not escalated yet, by kind (cases, consular applications, "
        "unacknowledged emergencies).",
        labels=["kind"],
    )
    counts = {
        "case": select(func.count())
        .select_from(Case)
        .where(case_workflow.sla_condition("overdue", now), Case.escalated_at.is_(None)),
        "application": select(func.count())
        .select_from(ServiceApplication)
        .where(service_workflow.overdue(now), ServiceApplication.escalated_at.is_(None)),
        "emergency": select(func.count())
        .select_from(Emergency)
        .where(Emergency.ack_due_at <= now, Emergency.acknowledged_at.is_(None)),
    }
    for kind, query in counts.items():
        gauge.add_metric([kind], session.scalar(query) or 0)
    return gauge


def _agency_circuits(session: Session, now: datetime) -> Metric:
    gauge = GaugeMetricFamily(
        "peduli_agency_circuit_state",
        "Each agency's circuit breaker: 0 closed, 1 half-open (a trial call may go), 2 open.",
        labels=["agency"],
    )
    opened = dict(session.execute(select(AgencyBreaker.agency, AgencyBreaker.opened_until)).all())
    for agency in AGENCIES:
        until = opened.get(agency)
        state = "closed" if until is None else "open" if now < until else "half_open"
        gauge.add_metric([agency], CIRCUIT_STATES[state])
    return gauge
