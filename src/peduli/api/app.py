"""The FastAPI application factory: routers of every domain, error handlers, health."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from peduli.api import problems
from peduli.api.deps import DbSession
from peduli.core.errors import PeduliError
from peduli.core.logging import configure_logging

API_PREFIX = "/api/v1"


def create_app() -> FastAPI:
    """Build the app; all state lives in the database, so any number can run side by side."""
    configure_logging()
    app = FastAPI(
        title="Peduli",
        version="0.1.0",
        description=(
            "Protection of and services to citizens abroad: self-reports (lapor diri), "
            "the citizen registry, access control and audit. Errors are RFC 9457 "
            "problem+json with one entry per bad field."
        ),
    )
    # Citizens pay for mobile data by the byte: pages, CSS and JS go out compressed.
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_exception_handler(PeduliError, problems.handle_peduli_error)
    app.add_exception_handler(RequestValidationError, problems.handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, problems.handle_http_error)
    app.add_exception_handler(IntegrityError, problems.handle_integrity_error)
    app.add_exception_handler(DataError, problems.handle_data_error)
    _include_routers(app)

    @app.get("/healthz", tags=["health"])
    def healthz(db: DbSession) -> JSONResponse:
        """Report whether this process can reach its database."""
        db.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok", "database": "ok"})

    return app


def _include_routers(app: FastAPI) -> None:
    from peduli.auth.api import router as auth_router
    from peduli.cases.api import router as cases_router
    from peduli.notify.api import router as notify_router
    from peduli.notify.pages import router as notify_pages_router
    from peduli.reference.api import router as reference_router
    from peduli.registry.api import router as registry_router
    from peduli.web.language import router as language_router
    from peduli.web.templating import mount_static

    for router in (reference_router, auth_router, registry_router, cases_router):
        app.include_router(router, prefix=API_PREFIX, responses=problems.PROBLEM_RESPONSES)
    app.include_router(notify_router, prefix=API_PREFIX, responses=problems.PROBLEM_RESPONSES)
    app.include_router(notify_pages_router, responses=problems.PROBLEM_RESPONSES)
    app.include_router(language_router)
    _include_citizen_pages(app)
    _include_officer_pages(app)
    mount_static(app)


def _include_citizen_pages(app: FastAPI) -> None:
    from peduli.auth.citizen_pages import router as citizen_sign_in_router
    from peduli.registry.citizen_pages import router as citizen_registry_router
    from peduli.web.home import router as home_router

    for router in (home_router, citizen_sign_in_router, citizen_registry_router):
        app.include_router(router)


def _include_officer_pages(app: FastAPI) -> None:
    from peduli.auth.staff_pages import router as staff_sign_in_router
    from peduli.cases.pages import router as case_pages_router
    from peduli.registry.officer_pages import router as officer_router

    for router in (staff_sign_in_router, officer_router, case_pages_router):
        app.include_router(router)
