"""The ``Idempotency-Key`` header in the app's OpenAPI, on every write that keeps its answer
(``api.idempotency``), so a client learns it from the contract."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from peduli.api.idempotency import VALID_KEY, keeps_answers

OPENAPI_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "A new random key (a UUID) for each new write, the same for its retries: a write sent "
        "again with the same key and body is written once and answered with the first answer "
        "(`Idempotent-Replayed: true`); with another body, 422 `idempotency_key_reused`. "
        "Answers are kept for 24 hours."
    ),
    "schema": {"type": "string", "pattern": VALID_KEY.pattern, "maxLength": 200},
}


def document_in_openapi(app: FastAPI) -> None:
    """Name the header on every write that keeps its answer, in the app's OpenAPI."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:  # the first call builds (and caches) the schema
            for path, operations in build()["paths"].items():
                for method, operation in operations.items():
                    if keeps_answers(method.upper(), path):
                        operation.setdefault("parameters", []).append(OPENAPI_PARAMETER)
        return build()

    app.openapi = openapi  # type: ignore[method-assign]
