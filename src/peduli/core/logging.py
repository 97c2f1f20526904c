"""Structured logging (JSON lines in production) that never carries personal identifiers."""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from typing import Any

import structlog

from peduli.core.config import get_settings

# Digits runs as long as a NIK, passport-like tokens, phone numbers and email addresses are
# masked in every log line as a last line of defence; code must not log them in the first place.
_SENSITIVE = re.compile(r"\b\d{16}\b|\b[A-Z]{1,2}\d{6,8}\b|\+\d{8,15}|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _redact(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key, value in event_dict.items():
        if isinstance(value, str):
            event_dict[key] = _SENSITIVE.sub("[redacted]", value)
    return event_dict


def configure_logging() -> None:
    """Configure structlog once for the process."""
    settings = get_settings()
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if settings.environment == "production"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            _redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
