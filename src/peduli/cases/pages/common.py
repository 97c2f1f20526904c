"""What the case pages share: the taxonomy in the reader's words, officers of a post, forms."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.models import StaffAccount
from peduli.auth.roles import POST_BOUND_ROLES
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


def officers_of(session: Session, representation_code: str | None) -> list[tuple[uuid.UUID, str]]:
    """(id, name) of the active officers and supervisors of a post, by name."""
    if not representation_code:
        return []
    rows = session.execute(
        select(StaffAccount.id, StaffAccount.display_name)
        .where(
            StaffAccount.representation_code == representation_code,
            StaffAccount.role.in_([r.value for r in POST_BOUND_ROLES]),
            StaffAccount.disabled_at.is_(None),
        )
        .order_by(StaffAccount.display_name)
    ).all()
    return [(row[0], row[1]) for row in rows]


def names_of(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Display names of staff accounts, in one query (for a page of rows)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(StaffAccount.id, StaffAccount.display_name).where(StaffAccount.id.in_(wanted))
    ).all()
    return {row[0]: row[1] for row in rows}


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
