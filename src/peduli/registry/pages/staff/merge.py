"""Two records side by side, differences marked: keep one and merge, or dismiss the pair.

Above them, the evidence of the scoring: each comparison with both records' values, its
outcome and its weight as a bar (for the same person to the right, against to the left), so
a tired officer sees at a glance what agrees and what does not. Pairs flagged before the
scoring have no evidence; the field-by-field table below still reads on its own.
Both records are read through the registry service (each read is audited); merging and
dismissing are the merging service's, which checks the officer may change both.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from peduli import merging as merge_steps
from peduli.api.deps import DbSession, staff_page
from peduli.auth.roles import DUPLICATE_REVIEWERS, MERGE_UNDOERS
from peduli.reference.profile import get_profile
from peduli.registry import merging, service, unmerging, work_queue
from peduli.registry.models import DuplicateCandidate, DuplicateStatus
from peduli.web import desk
from peduli.web.desk import SignedIn

router = APIRouter(include_in_schema=False, dependencies=[staff_page(DUPLICATE_REVIEWERS)])


def suggested_keep(first: service.PersonView, second: service.PersonView) -> uuid.UUID:
    """The record to keep unless the officer decides otherwise: the one with a NIK, a
    verified one, the one with more stays, else the older."""

    def weight(view: service.PersonView) -> tuple[bool, bool, int, float]:
        person = view.person
        return (
            view.nik is not None,
            person.verification == "verified",
            len(view.stays),
            -person.created_at.timestamp(),
        )

    return max((first, second), key=weight).person.id


# A bar is full at this weight (log2 Bayes factor): 2^8 = 256 times likelier either way.
FULL_BAR = 8.0


@dataclass(frozen=True)
class EvidenceRow:
    """One comparison as the screen shows it: both values, the outcome, the weight's bar."""

    comparison: str
    outcome: str
    weight: float
    first: Any  # a date for birth_date, a code for sex, else text
    second: Any
    bar: int  # 0–100: the bar's length, a share of FULL_BAR


def _compared_values(view: service.PersonView, comparison: str) -> Any:
    """What a comparison looked at in one record, as the officer reads it (the NIK is on
    this screen anyway)."""
    person = view.person
    if comparison == "name":
        return person.full_name
    if comparison == "birth_date":
        return person.date_of_birth
    if comparison == "nik":
        return view.nik or ""
    if comparison == "passport":
        return ", ".join(sorted(number for number, _ in view.passports))
    if comparison == "phone":
        return ", ".join(sorted(c.value for c in view.contacts if c.kind == "phone"))
    if comparison == "birth_place":
        return person.place_of_birth or ""
    if comparison == "home_regency":
        if not view.nik:
            return ""
        province = get_profile().home_province_name(view.nik) or view.nik[:2]
        return f"{province} · {view.nik[:2]}.{view.nik[2:4]}"
    if comparison == "sex":
        return person.sex
    return ""


def evidence_rows(
    pair: DuplicateCandidate, first: service.PersonView, second: service.PersonView
) -> list[EvidenceRow]:
    """The pair's evidence, strongest first, with both records' values beside each item."""
    rows = []
    for item in pair.evidence or []:
        comparison, weight = str(item.get("comparison", "")), float(item.get("weight") or 0.0)
        rows.append(
            EvidenceRow(
                comparison=comparison,
                outcome=str(item.get("outcome", "")),
                weight=weight,
                first=_compared_values(first, comparison),
                second=_compared_values(second, comparison),
                bar=round(min(abs(weight) / FULL_BAR, 1.0) * 100),
            )
        )
    return sorted(rows, key=lambda row: -abs(row.weight))


def _evidence_total(rows: list[EvidenceRow]) -> dict[str, Any]:
    total = sum(row.weight for row in rows)
    return {"weight": total, "bar": round(min(abs(total) / (2 * FULL_BAR), 1.0) * 100)}


@router.get("/officer/duplicates/{candidate_id}", response_class=HTMLResponse)
def compare(request: Request, candidate_id: uuid.UUID, db: DbSession, staff: SignedIn) -> Response:
    """The two records in two columns, their differences marked."""
    pair = work_queue.duplicate_pair(db, candidate_id=candidate_id, actor=staff)
    first = service.read_person(db, person_id=pair.person_id, actor=staff)
    second = service.read_person(db, person_id=pair.other_person_id, actor=staff)
    rows = evidence_rows(pair, first, second)
    undo = pair.status == DuplicateStatus.MERGED and staff.role in MERGE_UNDOERS
    return desk.page(
        request,
        "officer/merge.html",
        staff,
        {
            "pair": pair,
            "is_open": pair.status == DuplicateStatus.OPEN,
            "views": (first, second),
            "keep": suggested_keep(first, second),
            "undo_merge_id": unmerging.merge_in_force(db, candidate_id=pair.id) if undo else None,
            "evidence": rows,
            "evidence_total": _evidence_total(rows),
        },
    )


@router.post("/officer/duplicates/{candidate_id}/merge")
def merge(
    request: Request,
    candidate_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    keep_person_id: Annotated[uuid.UUID, Form()],
) -> Response:
    """Merge the pair into the record chosen; back to the duplicates queue."""
    merging.merge(
        db,
        candidate_id=candidate_id,
        keep_person_id=keep_person_id,
        actor=staff,
        steps=merge_steps.STEPS,
    )
    return RedirectResponse("/officer/duplicates?done=merged", status_code=303)


@router.post("/officer/duplicates/{candidate_id}/dismiss")
def dismiss(request: Request, candidate_id: uuid.UUID, db: DbSession, staff: SignedIn) -> Response:
    """Two different people: close the pair; back to the duplicates queue."""
    merging.dismiss(db, candidate_id=candidate_id, actor=staff)
    return RedirectResponse("/officer/duplicates?done=dismissed", status_code=303)
