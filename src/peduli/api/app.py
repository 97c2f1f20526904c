"""The FastAPI application factory: routers of every domain, error handlers, health."""

from __future__ import annotations

import gc

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from peduli.api import problems
from peduli.api.contract import HttpContract
from peduli.api.deps import (
    PUBLIC,
    SESSION_COOKIE,
    DbSession,
    request_credentials,
    scope_checked_first,
)
from peduli.api.idempotency import IdempotentWrites
from peduli.api.idempotency_docs import document_in_openapi
from peduli.api.middleware import BodyLimit, SecurityHeaders
from peduli.api.observability import RequestIdAndLatency
from peduli.core.config import check_environment, get_settings
from peduli.core.db import READ_ONLY
from peduli.core.errors import PeduliError
from peduli.core.logging import configure_logging
from peduli.web.rendering import compile_every_page

API_PREFIX = "/api/v1"


def create_app() -> FastAPI:
    """Build the app; all state lives in the database, so any number can run side by side."""
    configure_logging()
    check_environment(get_settings())  # outside development, never on development secrets
    app = FastAPI(
        title="Peduli",
        version="0.1.0",
        description=(
            "Protection of and services to citizens abroad: self-reports (lapor diri), "
            "the citizen registry, access control and audit. Errors are RFC 9457 "
            "problem+json with one entry per bad field."
        ),
    )
    # Innermost: a keyed write's answer is kept as the app made it, before compression.
    app.add_middleware(
        IdempotentWrites, session_cookie=SESSION_COOKIE, credentials=request_credentials
    )
    # Citizens pay for mobile data by the byte: pages, CSS and JS go out compressed.
    app.add_middleware(GZipMiddleware, minimum_size=500)
    # OPTIONS and 405 name every method of a path; JSON bodies are read strictly.
    app.add_middleware(HttpContract, router=app.router)
    # A link that names its language (?lang=en) keeps it for the pages after it.
    from peduli.web.language import RememberLanguageOfLink

    app.add_middleware(RememberLanguageOfLink)
    # Outermost last: the headers go on every answer, the 413 of a body over its limit too.
    app.add_middleware(BodyLimit, settings=get_settings)
    app.add_middleware(SecurityHeaders, settings=get_settings)
    # Outermost of all: every answer gets its request id and counts in the latency histogram.
    app.add_middleware(RequestIdAndLatency)
    app.add_exception_handler(PeduliError, problems.handle_peduli_error)
    from peduli.web.desk import SignInFirst

    app.add_exception_handler(SignInFirst, _to_staff_sign_in)
    app.add_exception_handler(
        RequestValidationError,
        scope_checked_first(problems.handle_validation_error, problems.handle_peduli_error),
    )
    app.add_exception_handler(StarletteHTTPException, problems.handle_http_error)
    app.add_exception_handler(IntegrityError, problems.handle_integrity_error)
    app.add_exception_handler(DataError, problems.handle_data_error)
    app.add_exception_handler(DBAPIError, problems.handle_database_error)

    @app.get("/healthz", tags=["health"], dependencies=[PUBLIC])
    def healthz(db: DbSession) -> JSONResponse:
        """Report whether this process can reach its database (a read: it waits for no writer)."""
        db.connection(execution_options={READ_ONLY: True}).execute(text("SELECT 1"))
        return JSONResponse({"status": "ok", "database": "ok"})

    _include_routers(app)
    document_in_openapi(app)

    return app


def create_server_app() -> FastAPI:
    """The app as a server process runs it: ``uvicorn --factory peduli.api.app:create_server_app``.

    After start-up a process holds some 220,000 long-lived objects (routes, schemas, ORM
    mappers, phone metadata). A full garbage collection scanned them all and stalled every
    request in flight for about 100 ms, a tail of its own under load. Freezing them takes
    them out of the collector's view, so a collection scans only what requests allocated.
    Tests build an app per test in one process and use ``create_app``. The routes are built
    and the pages compiled first, so that the freeze covers them too.
    """
    app = create_app()
    build_routes_now(app)
    compile_every_page()
    gc.collect()
    gc.freeze()
    return app


def build_routes_now(app: FastAPI) -> None:
    """Build every route's dependencies and validators before the first request.

    FastAPI builds an included router's routes when a request first reaches them: the first
    404 a process answered built all of them (0.7 s), the first page some (0.2 s), and the
    objects they made were born after the freeze. Matching one request against every router
    builds them all now, at start-up.
    """
    scope = {"type": "http", "method": "GET", "path": "/", "root_path": "", "headers": []}
    for route in app.router.routes:
        route.matches(scope)


def _to_staff_sign_in(request: Request, _exc: Exception) -> Response:
    """A staff page reached without a staff session: to the sign-in, then back."""
    from peduli.auth.pages.staff import to_sign_in

    return to_sign_in(request)


def _include_routers(app: FastAPI) -> None:
    """Every domain's JSON routes under ``/api/v1``, then the pages, in this order (a page
    path listed earlier wins over a pattern listed later)."""
    from peduli.agencies import api as agencies_api
    from peduli.agencies import pages as agencies_pages
    from peduli.auth import api as auth_api
    from peduli.auth import pages as auth_pages
    from peduli.cases import api as cases_api
    from peduli.cases import pages as cases_pages
    from peduli.conversations import api as conversations_api
    from peduli.conversations import pages as conversations_pages
    from peduli.crisis import api as crisis_api
    from peduli.crisis import pages as crisis_pages
    from peduli.documents import api as documents_api
    from peduli.documents import pages as documents_pages
    from peduli.elections import api as elections_api
    from peduli.elections import pages as elections_pages
    from peduli.emergency import api as emergency_api
    from peduli.emergency import pages as emergency_pages
    from peduli.notify import api as notify_api
    from peduli.notify import pages as notify_pages
    from peduli.operations import api as operations_api
    from peduli.partners import api as partners_api
    from peduli.partners import pages as partners_pages
    from peduli.reference import api as reference_api
    from peduli.registry import api as registry_api
    from peduli.registry import pages as registry_pages
    from peduli.services import api as services_api
    from peduli.services import pages as services_pages
    from peduli.stats import api as stats_api
    from peduli.stats import open_data_api as stats_open_data_api
    from peduli.stats import pages as stats_pages
    from peduli.voice import api as voice_api
    from peduli.voice import pages as voice_pages
    from peduli.web import home, language
    from peduli.web.templating import mount_static

    api_routers = (
        reference_api.router,
        auth_api.router,
        registry_api.router,
        cases_api.router,
        partners_api.router,
        emergency_api.router,
        crisis_api.router,
        conversations_api.router,
        notify_api.router,
        voice_api.router,
        agencies_api.router,
        services_api.router,
        elections_api.router,
        documents_api.router,
        stats_open_data_api.router,
    )
    page_routers = (
        notify_pages.router,
        language.router,
        home.router,
        auth_pages.router,
        registry_pages.router,
        emergency_pages.router,
        crisis_pages.router,
        cases_pages.router,
        partners_pages.router,
        voice_pages.router,
        conversations_pages.router,
        agencies_pages.router,
        services_pages.router,
        elections_pages.router,
        documents_pages.router,
        stats_pages.router,
    )
    # Matched before the rest: routes are tried in order, one by one (some 190 before the
    # last API router's), and these are the busiest write (check-ins in a crisis) and read
    # (the statistics HQ's dashboards poll); each has a route or two, so the rest lose little.
    busiest = (crisis_api.checkin_router, stats_api.router)
    for router in (*busiest, *api_routers):
        app.include_router(router, prefix=API_PREFIX, responses=problems.PROBLEM_RESPONSES)
    app.include_router(operations_api.router, responses=problems.PROBLEM_RESPONSES)
    for router in page_routers:
        app.include_router(router, responses=problems.PROBLEM_RESPONSES)
    mount_static(app)
