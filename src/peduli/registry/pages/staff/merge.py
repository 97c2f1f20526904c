"""Two records side by side, differences marked: keep one and merge, or dismiss the pair.

Both records are read through the registry service (each read is audited); merging and
dismissing are the merging service's, which checks the officer may change both.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from peduli.api.deps import DbSession, staff_page
from peduli.auth.roles import DUPLICATE_REVIEWERS
from peduli.registry import merging, service, work_queue
from peduli.registry.models import DuplicateStatus
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


@router.get("/officer/duplicates/{candidate_id}", response_class=HTMLResponse)
def compare(request: Request, candidate_id: uuid.UUID, db: DbSession, staff: SignedIn) -> Response:
    """The two records in two columns, their differences marked."""
    pair = work_queue.duplicate_pair(db, candidate_id=candidate_id, actor=staff)
    first = service.read_person(db, person_id=pair.person_id, actor=staff)
    second = service.read_person(db, person_id=pair.other_person_id, actor=staff)
    return desk.page(
        request,
        "officer/merge.html",
        staff,
        {
            "pair": pair,
            "is_open": pair.status == DuplicateStatus.OPEN,
            "views": (first, second),
            "keep": suggested_keep(first, second),
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
    merging.merge(db, candidate_id=candidate_id, keep_person_id=keep_person_id, actor=staff)
    return RedirectResponse("/officer/duplicates?done=merged", status_code=303)


@router.post("/officer/duplicates/{candidate_id}/dismiss")
def dismiss(request: Request, candidate_id: uuid.UUID, db: DbSession, staff: SignedIn) -> Response:
    """Two different people: close the pair; back to the duplicates queue."""
    merging.dismiss(db, candidate_id=candidate_id, actor=staff)
    return RedirectResponse("/officer/duplicates?done=dismissed", status_code=303)
