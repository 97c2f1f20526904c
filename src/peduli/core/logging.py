"""Structured logging (JSON lines in production) that never carries personal identifiers.

Every line written while a request is served carries its ``request_id`` (bound by the
request-id middleware, ``api.observability``); lines of the standard library's loggers
(uvicorn's, SQLAlchemy's) go through the same processors when the output is JSON.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from peduli.core.config import get_settings

# Digits runs as long as a NIK, passport-like tokens, phone numbers and email addresses are
# masked in every log line as a last line of defence; code must not log them in the first place.
_SENSITIVE = re.compile(r"\b\d{16}\b|\b[A-Z]{1,2}\d{6,8}\b|\+\d{8,15}|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
REQUEST_ID = "request_id"
_JSON_HANDLER = "peduli-json"


def _redact(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key, value in event_dict.items():
        if isinstance(value, str):
            event_dict[key] = _SENSITIVE.sub("[redacted]", value)
    return event_dict


def logs_as_json() -> bool:
    """JSON lines (``PEDULI_LOG_FORMAT=json``, the default in production) or console text."""
    settings = get_settings()
    if settings.log_format:
        return settings.log_format == "json"
    return settings.environment == "production"


def configure_logging() -> None:
    """Configure structlog once for the process (and the standard library's loggers for JSON)."""
    settings = get_settings()
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact,
    ]
    as_json = logs_as_json()
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
    if as_json:
        _standard_library_as_json(shared, level)


def _standard_library_as_json(shared: list[Any], level: int) -> None:
    """uvicorn's and the other libraries' lines as the same JSON, with the request id."""
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = _StandardErrorNow()
    handler.setFormatter(formatter)
    handler.set_name(_JSON_HANDLER)
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if h.get_name() != _JSON_HANDLER] + [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        library = logging.getLogger(name)
        library.handlers = []
        library.propagate = True


class _StandardErrorNow(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a line is logged, not when it was set up: a
    stream captured then closed (a test's, a redirected one) would turn each later line into
    a "Logging error" report that prints the line's raw arguments, unredacted."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        """The stream is always the current ``sys.stderr``."""


def bind_request_id(request_id: str) -> None:
    """Put ``request_id`` on every line logged from here on in this request's context."""
    structlog.contextvars.bind_contextvars(**{REQUEST_ID: request_id})


def current_request_id() -> str | None:
    """The id of the request being served, if any (problem+json bodies name it)."""
    value = structlog.contextvars.get_contextvars().get(REQUEST_ID)
    return value if isinstance(value, str) else None


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
