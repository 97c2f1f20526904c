"""Domain exceptions: each carries an HTTP status and a message a person can act on.

Services raise these, never ``HTTPException``; one handler renders them as RFC 9457
problem+json on the API and as a message on pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from peduli.core.i18n import _


@dataclass(frozen=True)
class FieldProblem:
    """One bad field: where it is, what is wrong, and how to fix it."""

    field: str
    code: str
    message: str
    hint: str = ""


@dataclass
class PeduliError(Exception):
    """Base of every expected failure; ``status`` is the HTTP status it maps to."""

    detail: str
    status: int = 400
    title: str = _("Bad request")
    code: str = "bad_request"
    problems: list[FieldProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return self.detail


class ValidationFailed(PeduliError):
    """Input that breaks a rule; ``problems`` has one entry per bad field."""

    def __init__(self, problems: list[FieldProblem], detail: str = "") -> None:
        super().__init__(
            detail=detail or _("Some fields are not valid; see `errors` for what to fix."),
            status=422,
            title=_("Validation failed"),
            code="validation_failed",
            problems=problems,
        )


class NotFound(PeduliError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail, status=404, title=_("Not found"), code="not_found")


class NotAuthenticated(PeduliError):
    def __init__(self, detail: str = _("Sign in first.")) -> None:
        super().__init__(
            detail=detail, status=401, title=_("Not authenticated"), code="not_authenticated"
        )


class Forbidden(PeduliError):
    def __init__(self, detail: str, code: str = "forbidden") -> None:
        super().__init__(detail=detail, status=403, title=_("Forbidden"), code=code)


class Conflict(PeduliError):
    def __init__(self, detail: str, code: str = "conflict") -> None:
        super().__init__(detail=detail, status=409, title=_("Conflict"), code=code)


class TooManyRequests(PeduliError):
    def __init__(self, detail: str, retry_after_seconds: int) -> None:
        super().__init__(
            detail=detail, status=429, title=_("Too many requests"), code="rate_limited"
        )
        self.retry_after_seconds = retry_after_seconds


class DatabaseUnavailable(PeduliError):
    """The database cannot be reached (stopped, restarting, failing over): try again soon."""

    retry_after_seconds = 5

    def __init__(self) -> None:
        super().__init__(
            detail=_("The service cannot reach its database just now. Try again in a minute."),
            status=503,
            title=_("Service unavailable"),
            code="database_unavailable",
        )


def require_valid(problems: list[FieldProblem]) -> None:
    """Raise one ``ValidationFailed`` naming every problem, or return if there are none."""
    if problems:
        raise ValidationFailed(problems)
