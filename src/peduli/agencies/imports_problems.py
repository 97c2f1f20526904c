"""The clerk's list of problems: each row's column, what is wrong and how to fix it, in
the reader's language, on a page, in the API answer and as a CSV file to work through.

A problem found while reading a row keeps its message and hint sealed (they may quote the
cell, e.g. a malformed passport number) as JSON that remembers the message ids and their
parameters; a problem found by the set-based checks is worded from its code here.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.agencies.models import PROBLEM_PURPOSE, AgencyImportProblem
from peduli.core.crypto import get_cipher
from peduli.core.errors import FieldProblem
from peduli.core.i18n import Message, _, translate

Gettext = Callable[[str], str]

# The problems the statements find (``imports_checks``): message and hint by code.
CHECK_PROBLEMS: dict[str, tuple[Message, Message]] = {
    "repeated_in_file": (
        _("An earlier row of the file has the same identifier; this row was left out."),
        _("Keep one row per worker and placement: merge the two rows, then import again."),
    ),
    "passport_of_another_person": (
        _("The passport number belongs to a record with another NIK."),
        _("Check the NIK and the passport number against the worker's documents."),
    ),
    "record_not_active": (
        _("The record with this NIK or passport was merged into another or erased."),
        _("Ask the post that holds the record; the row can be imported once it is resolved."),
    ),
    "birth_date_differs": (
        _("The registry has another birth date for this NIK."),
        _("Check the birth date against the worker's KTP; an officer corrects the record if "
          "the registry is wrong."),
    ),
}  # fmt: skip


def _pack(text: str) -> Any:
    """A message as JSON that keeps its id, parameters and parts."""
    if not isinstance(text, Message):
        return str(text)
    if text.parts:
        return {"parts": [_pack(part) for part in text.parts]}
    return {"id": text.msgid, "params": {k: _pack(v) for k, v in text.params.items()}}


def _unpack(value: Any) -> str:
    if isinstance(value, str):
        return value
    if "parts" in value:
        parts = [_unpack(part) for part in value["parts"]]
        joined = Message("".join(str(p) for p in parts))
        joined.parts = tuple(parts)
        return joined
    params = {k: _unpack(v) for k, v in value["params"].items()}
    return Message(str.format(value["id"], **params), value["id"], params)


def sealed_detail(problem: FieldProblem) -> str:
    """A row problem's message and hint, sealed for the problem table."""
    packed = json.dumps({"message": _pack(problem.message), "hint": _pack(problem.hint)})
    return get_cipher().encrypt(packed, purpose=PROBLEM_PURPOSE)


@dataclass(frozen=True)
class ShownProblem:
    """A problem as its reader sees it."""

    row: int
    column: str
    code: str
    message: str
    hint: str


def _shown(problem: AgencyImportProblem, gettext: Gettext, language: str) -> ShownProblem:
    if problem.detail_encrypted:
        detail = json.loads(get_cipher().decrypt(problem.detail_encrypted, purpose=PROBLEM_PURPOSE))
        message, hint = _unpack(detail["message"]), _unpack(detail["hint"])
    else:
        message, hint = CHECK_PROBLEMS.get(problem.code, (problem.code, ""))
    return ShownProblem(
        row=problem.row_number,
        column=problem.column,
        code=problem.code,
        message=translate(message, gettext, language),
        hint=translate(hint, gettext, language),
    )


def _ordered(import_id: uuid.UUID) -> Any:
    return (
        select(AgencyImportProblem)
        .where(AgencyImportProblem.import_id == import_id)
        .order_by(AgencyImportProblem.row_number, AgencyImportProblem.column)
    )


def page_of_problems(
    session: Session,
    import_id: uuid.UUID,
    *,
    gettext: Gettext,
    language: str,
    limit: int,
    offset: int = 0,
) -> tuple[int, list[ShownProblem]]:
    """The total and one page of the import's problems, by row, in the reader's language."""
    total = session.scalar(
        select(func.count())
        .select_from(AgencyImportProblem)
        .where(AgencyImportProblem.import_id == import_id)
    )
    rows = session.scalars(_ordered(import_id).limit(limit).offset(offset))
    return int(total or 0), [_shown(row, gettext, language) for row in rows]


CSV_HEADER = (_("Row"), _("Column"), _("Code"), _("Problem"), _("How to fix it"))


def problems_csv(
    session: Session, import_id: uuid.UUID, *, gettext: Gettext, language: str
) -> Iterator[str]:
    """Every problem as CSV lines (a header first), streamed 1,000 rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([translate(title, gettext, language) for title in CSV_HEADER])
    rows = session.scalars(_ordered(import_id).execution_options(yield_per=1000))
    for number, row in enumerate(rows):
        shown = _shown(row, gettext, language)
        writer.writerow(
            [shown.row, shown.column, shown.code, _safe(shown.message), _safe(shown.hint)]
        )
        if number % 1000 == 999:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _safe(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
