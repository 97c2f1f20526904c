"""``/livez``, ``/readyz`` and ``/metrics``: for the load balancer, the supervisor, Prometheus.

Outside ``/api/v1`` on purpose: they describe the process, not the platform's resources, and
nginx routes them apart (``deploy/nginx/peduli.conf``: ``/metrics`` from the internal network
only).
"""

from __future__ import annotations

import ipaddress

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from peduli.api.deps import PUBLIC, client_ip
from peduli.core.config import Network, get_settings
from peduli.core.db import get_sessionmaker
from peduli.core.errors import Forbidden
from peduli.core.i18n import _
from peduli.operations import health, metrics

router = APIRouter(tags=["health"])


def internal_network(request: Request) -> None:
    """Only callers inside ``PEDULI_METRICS_NETWORKS`` (the address nginx saw, when it is a
    trusted proxy) read the metrics: they name routes, backlogs and agencies' outages."""
    address = client_ip(request)
    networks = get_settings().metrics_allowed_networks
    if not any(_within(address, network) for network in networks):
        raise Forbidden(
            _("The metrics are read from the internal network only."), code="not_internal"
        )


def _within(address: str, network: Network) -> bool:
    try:
        return ipaddress.ip_address(address) in network
    except ValueError:  # not an address (a test client's "testclient")
        return False


@router.get("/livez", dependencies=[PUBLIC])
async def livez() -> JSONResponse:
    """The process runs and its event loop answers (no database: restarting a process never
    cures a database outage)."""
    return JSONResponse({"status": "alive"}, headers={"Cache-Control": "no-store"})


@router.get("/readyz", dependencies=[PUBLIC])
def readyz() -> JSONResponse:
    """Ready for traffic: the database answers and its schema is at this code's revision;
    503 otherwise, saying which."""
    with get_sessionmaker()() as session:
        state = health.readiness(session)
        session.rollback()
    body = {
        "status": "ready" if state.ready else "not_ready",
        "database": "ok" if state.database else "unreachable",
        "migrations": "ok" if state.migrations else "behind_or_ahead",
        "revision": state.revision,
        "expected": sorted(state.expected),
    }
    return JSONResponse(
        body, status_code=200 if state.ready else 503, headers={"Cache-Control": "no-store"}
    )


@router.get("/metrics", dependencies=[PUBLIC, Depends(internal_network)], include_in_schema=False)
def prometheus_metrics() -> Response:
    """Request latency by route, outbox depth and age, worker lag, escalations due and the
    agencies' circuits, in Prometheus's text format."""
    return Response(
        metrics.exposition(),
        media_type=CONTENT_TYPE_LATEST,
        headers={"Cache-Control": "no-store"},
    )
