"""Errors on pages: the same domain errors, shown as a page in the reader's language."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from peduli.core.errors import FieldProblem
from peduli.web.rendering import render

# Read by machines (probes, Prometheus, API clients): errors there are problem+json.
MACHINE_PATHS = frozenset({"/healthz", "/livez", "/readyz", "/metrics", "/openapi.json"})


def wants_html(request: Request) -> bool:
    """Pages (not the API) answer errors with HTML when a browser asks for it."""
    path = request.url.path
    if path.startswith("/api/") or path in MACHINE_PATHS:
        return False
    return "text/html" in request.headers.get("accept", "")


def error_page(
    request: Request, *, status: int, title: str, detail: str, problems: list[FieldProblem]
) -> HTMLResponse:
    """A page saying what went wrong and what to do, in the reader's language."""
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "detail": detail, "problems": problems},
        status_code=status,
    )
