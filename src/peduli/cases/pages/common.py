"""What the case pages share: the taxonomy in the reader's words, links and forms."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from peduli.cases import taxonomy
from peduli.core.errors import FieldProblem

CASES = "/officer/cases"
M = TypeVar("M", bound=BaseModel)


def category_choices(language: str) -> list[tuple[str, str]]:
    """(code, name) of every case category, in the reader's language, in taxonomy order."""
    return [(c.code, c.label(language)) for c in taxonomy.load().categories.values()]


def category_name(code: str, language: str) -> str:
    """A category's name in the reader's language (the code when unknown)."""
    found = taxonomy.load().get(code)
    return found.label(language) if found else code


def subcategory_name(code: str, subcategory: str | None, language: str) -> str:
    """A subcategory's name in the reader's language (the code when unknown, "" for none)."""
    if not subcategory:
        return ""
    found = taxonomy.load().get(code)
    for sub in found.subcategories if found else ():
        if sub.code == subcategory:
            return sub.labels.get(language) or sub.labels.get("en") or subcategory
    return subcategory


def parse_uuid(raw: str | None) -> uuid.UUID | None:
    """A UUID from a form or link, or None for junk."""
    try:
        return uuid.UUID((raw or "").strip())
    except ValueError:
        return None


def checked(schema: type[M], values: dict[str, Any]) -> tuple[M | None, dict[str, FieldProblem]]:
    """Build a request body from form values; Pydantic's complaints as one problem a field.

    The code (``form.<type>``) lets the page word the problem in the reader's language.
    """
    try:
        return schema.model_validate(values), {}
    except ValidationError as error:
        problems: dict[str, FieldProblem] = {}
        for item in error.errors():
            field = str(item["loc"][0]) if item.get("loc") else "form"
            problems.setdefault(field, FieldProblem(field, f"form.{item.get('type')}", ""))
        return None, problems


def blank_to_none(values: dict[str, str]) -> dict[str, str | None]:
    """Empty form fields mean "not given"."""
    return {key: (value.strip() or None) for key, value in values.items()}
