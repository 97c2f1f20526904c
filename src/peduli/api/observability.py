"""The request id of every request, and the latency of each route for ``/metrics``.

Pure ASGI, like ``api.middleware``: nothing is buffered.
"""

from __future__ import annotations

import re
import time
import uuid

from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from peduli.core.logging import bind_request_id
from peduli.operations import metrics, stalls

REQUEST_ID_HEADER = b"x-request-id"
# An id from the proxy or the caller is kept if it is short and plain (nginx's $request_id is
# 32 hex digits); anything else could smuggle text into the logs, so a new one replaces it.
_ACCEPTABLE_ID = re.compile(rb"[A-Za-z0-9._-]{8,64}")


def request_id_of(scope: Scope) -> str:
    """The caller's ``X-Request-ID`` if acceptable, else a new random one."""
    for name, value in scope["headers"]:
        if name.lower() == REQUEST_ID_HEADER and _ACCEPTABLE_ID.fullmatch(value):
            return bytes(value).decode()
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The matched route's template (``/api/v1/cases/{case_id}``), never the raw path: no ids
    in metric labels. Requests no route matched count as one label."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str):
        return "unmatched"
    if isinstance(route, Mount):  # the static files: one label for all of them
        return template + "/{path}"
    # An included router's route knows its path without the router's prefix (``/api/v1``),
    # which has no parameters: it is the raw path's leading segments the template lacks.
    raw = str(scope["path"]).rstrip("/").split("/")
    own = template.rstrip("/").split("/")
    prefix = "/".join(raw[: max(0, len(raw) - len(own) + 1)])
    return prefix + template


class RequestIdAndLatency:
    """Give every request an id (in the logs' context and the response's ``X-Request-ID``),
    keep it in view of the stall watchdog while it runs (``operations.stalls``), and record
    its duration by method, route template and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        bind_request_id(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER, request_id.encode()))
                message["headers"] = headers
            await send(message)

        in_flight = stalls.IN_FLIGHT.entered(request_id, scope)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            stalls.IN_FLIGHT.left(in_flight)
            metrics.observe_request(
                scope["method"], route_template(scope), status, time.perf_counter() - started
            )
