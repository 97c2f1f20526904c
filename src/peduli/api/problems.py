"""RFC 9457 problem+json rendering for domain errors and request validation errors."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from peduli.api.contract import allowed_methods
from peduli.core.connectivity import means_outage
from peduli.core.errors import (
    Conflict,
    DatabaseUnavailable,
    FieldProblem,
    PeduliError,
    TooManyRequests,
    ValidationFailed,
)
from peduli.core.i18n import _
from peduli.core.logging import current_request_id
from peduli.core.schema_errors import schema_problems
from peduli.web.errors import error_page, wants_html

PROBLEM_TYPE_BASE = "https://peduli.dev/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


def _problem(
    status: int, title: str, detail: str, code: str, errors: list[FieldProblem] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = [
            {"field": p.field, "code": p.code, "message": p.message, "hint": p.hint} for p in errors
        ]
    request_id = current_request_id()
    if request_id:  # what to quote to the help desk; the same id is on every log line
        body["request_id"] = request_id
    return body


def problem_response(
    status: int,
    title: str,
    detail: str,
    code: str,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Build a problem+json response; never cached because it may echo personal input."""
    all_headers = {"Cache-Control": "no-store", **(headers or {})}
    return JSONResponse(
        jsonable_encoder(_problem(status, title, detail, code, errors)),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=all_headers,
    )


def problems_from_pydantic(errors: list[Any]) -> list[FieldProblem]:
    """One ``FieldProblem`` per pydantic error, in our words (never the library's)."""
    return schema_problems(errors)


async def handle_peduli_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PeduliError)
    headers = {}
    if isinstance(exc, TooManyRequests | DatabaseUnavailable):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    if wants_html(request):
        page = error_page(
            request, status=exc.status, title=exc.title, detail=exc.detail, problems=exc.problems
        )
        page.headers.update(headers)
        return page
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return problem_response(exc.status, exc.title, exc.detail, exc.code, exc.problems, headers)


async def handle_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = problems_from_pydantic(list(exc.errors()))
    invalid = ValidationFailed(problems)
    if wants_html(request):
        # A page's form that its route refused before the handler ran (e.g. a value longer
        # than the form allows): a page in the reader's language, not JSON.
        detail = _("Some of what you sent cannot be used. Go back, correct it and send it again.")
        return error_page(
            request, status=422, title=invalid.title, detail=detail, problems=problems
        )
    return problem_response(422, invalid.title, invalid.detail, invalid.code, problems)


async def handle_integrity_error(request: Request, exc: Exception) -> Response:
    """A race with another request on a unique key (e.g. the same NIK twice at once)."""
    assert isinstance(exc, IntegrityError)
    conflict = Conflict(
        _("Someone changed the same record at the same moment. Send your request again."),
        code="concurrent_change",
    )
    return await handle_peduli_error(request, conflict)


async def handle_data_error(request: Request, exc: Exception) -> Response:
    """A value the database cannot hold slipped past validation (a NUL in a form field or
    query parameter, a number out of range): the sender's mistake, so a 422, not a 500."""
    assert isinstance(exc, DataError)
    invalid = ValidationFailed(
        [
            FieldProblem(
                field="body",
                code="unstorable_value",
                message=_("A value contains characters or numbers that cannot be stored."),
                hint=_("Remove control characters such as NUL and keep numbers in range."),
            )
        ]
    )
    return await handle_peduli_error(request, invalid)


async def handle_database_error(request: Request, exc: Exception) -> Response:
    """The database went away (stopped, restarting, failing over): a 503 the client may
    retry, not a 500. Any other database error is a bug and stays one."""
    assert isinstance(exc, DBAPIError)
    if not means_outage(exc):
        raise exc
    return await handle_peduli_error(request, DatabaseUnavailable())


async def handle_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if wants_html(request) and exc.status_code in (404, 405):
        detail = _("There is no page at this address.")
        return error_page(
            request, status=exc.status_code, title=_("Not found"), detail=detail, problems=[]
        )
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Every method of the path, not only those of the first route that matched it.
        headers["Allow"] = ", ".join(allowed_methods(request.app.router, request.scope))
    return problem_response(
        exc.status_code,
        str(exc.detail) if exc.status_code != 404 else "Not found",
        str(exc.detail),
        code,
        headers=headers,
    )


class ProblemFieldRead(BaseModel):
    field: str
    code: str
    message: str
    hint: str


class ProblemRead(BaseModel):
    """RFC 9457 problem details, with one entry per bad field in ``errors``."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[ProblemFieldRead] | None = None
    request_id: str | None = None  # the request's id (X-Request-ID), as in the logs


def _documented(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/ProblemRead"}
    # ``model`` puts ProblemRead in the components so the $ref resolves.
    return {
        "model": ProblemRead,
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}},
    }


# Declared on every router so the OpenAPI says what each error looks like.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented("The request cannot be processed as sent"),
    401: _documented("Not signed in, or the session or token has ended"),
    403: _documented("Outside your role, scope or jurisdiction"),
    404: _documented("No such resource"),
    409: _documented("Conflicts with the current state"),
    422: _documented("Invalid input; one entry per bad field in `errors`"),
    429: _documented("Too many requests; see Retry-After"),
    503: _documented("The database cannot be reached just now; retry after Retry-After"),
}
