"""Responses built from schema instances on the hottest endpoints."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Response
from pydantic import BaseModel


def model_response(
    model: BaseModel, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """The model serialised once, as the answer.

    An endpoint that returns the model itself has FastAPI validate it again against the
    route's ``response_model`` before serialising it, and for a synchronous endpoint in one
    more hop to a worker thread. On the endpoints that take the heaviest load (self-reports,
    check-ins) that was a tenth of the request's time. Those routes keep ``response_model``
    for the OpenAPI document, and the schema tests check what they serve against it.
    """
    return Response(
        model.model_dump_json(),
        status_code=status_code,
        media_type="application/json",
        headers=dict(headers) if headers else None,
    )
