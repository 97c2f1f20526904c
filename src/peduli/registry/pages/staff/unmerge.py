"""Undoing a merge (supervisors and HQ): what the merge did, what goes back, and a reason.

Reached from the person screen of either record, or from the handled pair's screen. The
unmerge is the registry's (``registry.unmerging``), which checks the role and the post and
records the reason in the audit log of both records.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from peduli import merging as merge_steps
from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Actor
from peduli.auth.roles import MERGE_UNDOERS
from peduli.core.errors import FieldProblem, PeduliError
from peduli.registry import unmerging
from peduli.web import desk
from peduli.web.desk import SignedIn
from peduli.web.forms import Refusal, all_but_not_found, run_form

router = APIRouter(include_in_schema=False, dependencies=[staff_page(MERGE_UNDOERS)])


def _page(
    request: Request,
    staff: Actor,
    found: unmerging.MergeOnRecord | None,
    *,
    form: dict[str, str],
    problems: dict[str, FieldProblem] | None = None,
    failure: PeduliError | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return desk.page(
        request,
        "officer/unmerge.html",
        staff,
        {
            "found": found,
            "form": form,
            "problems": problems or {},
            "failure": failure,
            "min_length": unmerging.MIN_REASON,
            "max_length": unmerging.MAX_REASON,
        },
        status_code=status_code,
    )


@router.get("/officer/merges/{merge_id}/unmerge", response_class=HTMLResponse)
def unmerge_form(request: Request, merge_id: uuid.UUID, db: DbSession, staff: SignedIn) -> Response:
    """The merge to undo: both records, what moved, and the reason to give."""
    return run_form(
        db,
        lambda: unmerging.review_merge(db, merge_id=merge_id, actor=staff),
        done=lambda found: _page(request, staff, found, form={"reason": "", "reopen": ""}),
        refused=lambda refusal: _page(
            request, staff, None, form={}, failure=refusal.error, status_code=refusal.status
        ),
        refuses=all_but_not_found,
    )


@router.post("/officer/merges/{merge_id}/unmerge", response_class=HTMLResponse)
def unmerge(
    request: Request,
    merge_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    reason: Annotated[str, Form(max_length=2000)] = "",
    reopen: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Undo the merge and open the record that came back; else the form again as typed."""
    form = {"reason": reason, "reopen": reopen}
    return run_form(
        db,
        lambda: unmerging.unmerge(
            db,
            merge_id=merge_id,
            reason=reason,
            reopen=reopen == "yes",
            actor=staff,
            steps=merge_steps.STEPS,
        ),
        done=lambda found: RedirectResponse(
            f"/officer/persons/{found.absorbed.id}?done=unmerged", status_code=303
        ),
        refused=lambda refusal: _refused(request, db, staff, merge_id, form, refusal),
        refuses=all_but_not_found,
    )


def _refused(
    request: Request,
    db: Session,
    staff: Actor,
    merge_id: uuid.UUID,
    form: dict[str, str],
    refusal: Refusal,
) -> HTMLResponse:
    """A bad reason: the form again with the problem; a refused undo: why, without the form."""
    if refusal.problems:
        found = unmerging.merge_to_undo(db, merge_id=merge_id, actor=staff)
        return _page(
            request, staff, found, form=form, problems=refusal.problems, status_code=refusal.status
        )
    return _page(request, staff, None, form={}, failure=refusal.error, status_code=refusal.status)
