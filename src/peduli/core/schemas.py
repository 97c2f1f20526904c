"""The base of every request body: unknown fields refused, text trimmed and free of NUL, and
in a JSON body every value of the JSON type its field declares.

PostgreSQL cannot store the NUL character in text, SQLite can; refusing it at the edge
makes both databases answer the same clear 422 instead of one of them failing with a 500.

Pydantic's default (lax) mode would turn ``"1"`` into the integer 1 and ``1`` into the
text ``"1"``: a client with a bug would be understood by luck, and another implementation
of the same OpenAPI could not rely on it. Its strict mode cannot be used on the parsed JSON
FastAPI hands over, because it then refuses the ISO strings that dates, UUIDs and enums are
in JSON. So the JSON types are checked here, once for every field: while a JSON body is read
(``strict_json`` is on, set by ``api.contract`` for every request sent as JSON) a number
field takes a JSON number, a text field a JSON string, a boolean ``true`` or ``false``, a
date, date-time or UUID a string; a wrong type is a 422 naming the field. HTML forms send
only text, so pages keep parsing text into numbers and dates as before.
"""

from __future__ import annotations

import enum
import types
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

NUL = "\x00"

_strict_json: ContextVar[bool] = ContextVar("peduli_strict_json", default=False)


@contextmanager
def strict_json() -> Iterator[None]:
    """Read request bodies as JSON: every value must already be of its field's JSON type."""
    token = _strict_json.set(True)
    try:
        yield
    finally:
        _strict_json.reset(token)


def _json_type(value: Any) -> str:
    """The JSON type of a parsed value, with its article ("a string")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a fraction" if not value.is_integer() else "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    return "an object" if isinstance(value, dict) else type(value).__name__


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _scalar_accepts(kind: type, value: Any) -> bool:
    if issubclass(kind, enum.Enum):
        if isinstance(value, kind):
            return True
        if issubclass(kind, str):
            return isinstance(value, str)
        return _is_number(value) if issubclass(kind, int) else True
    if issubclass(kind, bool):
        return isinstance(value, bool)
    if issubclass(kind, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if issubclass(kind, float):
        return _is_number(value)
    if issubclass(kind, str):
        return isinstance(value, str)
    if issubclass(kind, Decimal):
        return _is_number(value) or isinstance(value, str)
    if issubclass(kind, date | time | timedelta | uuid.UUID):  # datetime is a date
        return isinstance(value, kind | str)
    if issubclass(kind, BaseModel):
        return isinstance(value, kind | dict)
    return True


def accepts(annotation: Any, value: Any) -> bool:
    """Whether ``value`` is of the JSON type ``annotation`` reads (native values also pass)."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if annotation is Any or origin is Literal:
        return True  # Any takes anything; pydantic compares literals exactly
    if annotation is None or annotation is type(None):
        return value is None
    if origin is Annotated:
        return accepts(args[0], value)
    if origin is Union or origin is types.UnionType:
        return any(accepts(arg, value) for arg in args)
    if origin in (list, set, frozenset, tuple):
        if not isinstance(value, list | tuple | set | frozenset):
            return False
        items = [a for a in args if a is not Ellipsis] or [Any]
        if origin is tuple and len(items) > 1:
            return all(accepts(a, v) for a, v in zip(items, value, strict=False))
        return all(accepts(items[0], v) for v in value)
    if origin in (dict, Mapping) or annotation is dict:
        if not isinstance(value, dict):
            return False
        values = args[1] if len(args) == 2 else Any
        return all(isinstance(k, str) and accepts(values, v) for k, v in value.items())
    if isinstance(annotation, type):
        return _scalar_accepts(annotation, value)
    return True


@cache
def _expected(annotation: Any) -> str:
    """The JSON type a field wants, for the message ("a number", "a string or null")."""
    names: list[str] = []
    for sample, name in (
        (0.5, "a number"),
        (0, "a whole number"),
        ("x", "a string"),
        (True, "true or false"),
        ([], "an array"),
        ({}, "an object"),
        (None, "null"),
    ):
        if accepts(annotation, sample) and not (name == "a whole number" and names[:1]):
            names.append(name)
    return " or ".join(names) or "another type"


def _refusal(annotation: Any, value: Any) -> PydanticCustomError:
    expected, given = _expected(annotation), _json_type(value)
    if given in expected.split(" or "):  # the right container, a wrong value inside it
        return PydanticCustomError(
            "json_type",
            "A value inside is not of its JSON type; send {expected} whose values follow "
            "the schema.",
            {"expected": expected},
        )
    return PydanticCustomError(
        "json_type", "Send {expected} here, not {given}.", {"expected": expected, "given": given}
    )


class RequestBody(BaseModel):
    """A JSON body sent by a client; subclasses only declare their fields."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _check_input(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and NUL in value:
            raise ValueError("Text must not contain the NUL character (U+0000); remove it.")
        if _strict_json.get() and info.field_name is not None:
            annotation = cls.model_fields[info.field_name].annotation
            if not accepts(annotation, value):
                raise _refusal(annotation, value)
        return value
