"""A schema's complaints in our own words: one ``FieldProblem`` per bad field.

Pydantic (and the email-validator behind ``EmailStr``) word their errors in library English
("value is not a valid email address: An email address must have an @-sign."). Neither the
API nor a page shows that text: each kind of error gets a message that names what is wrong
and a hint that says what to do, both translatable. A rule of our own (a ``ValueError``
raised in a validator, a ``json_type`` error of ``core.schemas``) keeps its own words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from peduli.core.errors import FieldProblem
from peduli.core.i18n import Message, _

_DATE = (_("This is not a date."), _("Write the date as YYYY-MM-DD, for example 1990-05-17."))
_NUMBER = (_("This is not a number."), _("Write a number with a dot, for example 37.5665."))
_CHOICE = (_("This is not one of the allowed values."), _("Choose one of the allowed values."))
_WORDS: dict[str, tuple[Message, Message]] = {
    "missing": (_("This field is required."), _("Fill in this field.")),
    "string_too_short": (_("This field is required."), _("Fill in this field.")),
    "string_type": (_("This field takes text."), _("Write the value as text.")),
    "string_pattern_mismatch": (
        _("This value is not in the expected format."),
        _("Check the value against the example and write it the same way."),
    ),
    "date_parsing": _DATE,
    "date_type": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_parsing": (
        _("This is not a date and time."),
        _("Write it as YYYY-MM-DDTHH:MM with its offset, for example 2026-11-24T21:05:00+07:00."),
    ),
    "datetime_from_date_parsing": (
        _("This is not a date and time."),
        _("Write it as YYYY-MM-DDTHH:MM with its offset, for example 2026-11-24T21:05:00+07:00."),
    ),
    "timezone_aware": (
        _("This time has no time zone."),
        _("Give the time with its offset, for example 2026-11-24T21:05:00+07:00."),
    ),
    "float_parsing": _NUMBER,
    "float_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "int_parsing": (_("This is not a whole number."), _("Write a whole number, for example 3.")),
    "int_type": (_("This is not a whole number."), _("Write a whole number, for example 3.")),
    "bool_parsing": (_("This is not yes or no."), _("Give true or false.")),
    "bool_type": (_("This is not yes or no."), _("Give true or false.")),
    "enum": _CHOICE,
    "literal_error": _CHOICE,
    "uuid_parsing": (
        _("This is not an identifier."),
        _("Copy the identifier as it was given, for example 3f0c9a52-1b2d-4c8e-9f6a-0d1e2f3a4b5c."),
    ),
    "uuid_type": (
        _("This is not an identifier."),
        _("Copy the identifier as it was given, for example 3f0c9a52-1b2d-4c8e-9f6a-0d1e2f3a4b5c."),
    ),
    "extra_forbidden": (
        _("This field is not accepted here."),
        _("Remove this field; it is not accepted here."),
    ),
    "json_invalid": (_("The body is not valid JSON."), _("Send a valid JSON body.")),
    "model_attributes_type": (_("The body is not a JSON object."), _("Send a JSON object.")),
    "model_type": (_("The body is not a JSON object."), _("Send a JSON object.")),
    "dict_type": (_("This is not a JSON object."), _("Send a JSON object.")),
    "list_type": (_("This is not a list."), _('Send a list, for example ["sms"].')),
}
# Errors our own schemas raise (``core.schemas``), already worded for the reader: kept.
_OWN_WORDS = {
    "json_type": _(
        "Send the JSON type the schema gives: numbers and true/false without quotes, "
        "text, dates and identifiers in quotes."
    ),
}
_OUR_RULE = "value_error"
_EMAIL = (_("The email address is not written correctly."), _("Write it as name@example.org."))
_FALLBACK = (_("This value is not valid."), _("Correct the value and try again."))


def field_path(loc: Sequence[Any]) -> str:
    """Turn a pydantic location (``("body", "stay", "country")``) into ``stay.country``."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def _limit(value: Any) -> Any:
    """A limit as a person writes it: 90, not 90.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _bounded(kind: str, ctx: Mapping[str, Any]) -> tuple[Message, Message] | None:
    """Length and range errors, with the limit the schema sets."""
    if kind == "string_too_long" and "max_length" in ctx:
        return (
            _("This is too long."),
            _("Shorten it to at most {limit} characters.").format(limit=ctx["max_length"]),
        )
    if kind in ("too_short", "too_long") and ("min_length" in ctx or "max_length" in ctx):
        return (
            _("This list has too few or too many items."),
            _("Give between {low} and {high} items.").format(
                low=ctx.get("min_length", 0), high=ctx.get("max_length", "…")
            ),
        )
    for name in ("ge", "gt"):
        if kind.startswith("greater_than") and name in ctx:
            return _("This number is too small."), _("Give {limit} or more.").format(
                limit=_limit(ctx[name])
            )
    for name in ("le", "lt"):
        if kind.startswith("less_than") and name in ctx:
            return _("This number is too large."), _("Give {limit} or less.").format(
                limit=_limit(ctx[name])
            )
    return None


def _words(error: Mapping[str, Any]) -> tuple[str, str]:
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind == _OUR_RULE and "reason" in ctx:
        return _EMAIL  # EmailStr: the email-validator's reason is library English
    if kind in _OWN_WORDS:
        return str(error.get("msg", "")) or _FALLBACK[0], _OWN_WORDS[kind]
    if kind == _OUR_RULE and isinstance(ctx.get("error"), ValueError):
        own = ctx["error"].args[0] if ctx["error"].args else ""
        return (own, _FALLBACK[1]) if isinstance(own, str) and own else _FALLBACK
    return _bounded(kind, ctx) or _WORDS.get(kind, _FALLBACK)


def schema_problems(errors: Sequence[Mapping[str, Any]]) -> list[FieldProblem]:
    """One problem per pydantic error, in our words; ``code`` is pydantic's error type
    (``email_invalid`` for an email address), so pages may word a field more precisely."""
    problems = []
    for error in errors:
        kind = str(error.get("type", "value_error"))
        ctx = error.get("ctx") or {}
        code = "email_invalid" if kind == _OUR_RULE and "reason" in ctx else kind
        message, hint = _words(error)
        problems.append(FieldProblem(field_path(error.get("loc", ())), code, message, hint))
    return problems
