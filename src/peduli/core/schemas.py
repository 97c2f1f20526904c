"""The base of every request body: unknown fields refused, text trimmed and free of NUL.

PostgreSQL cannot store the NUL character in text, SQLite can; refusing it at the edge
makes both databases answer the same clear 422 instead of one of them failing with a 500.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

NUL = "\x00"


class RequestBody(BaseModel):
    """A JSON body sent by a client; subclasses only declare their fields."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and NUL in value:
            raise ValueError("Text must not contain the NUL character (U+0000); remove it.")
        return value
