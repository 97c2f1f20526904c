"""Identity claims in the work queue: a report naming a record that is not the reporter's.

The officer sees the claim's report next to a link to the record it names, and decides:
the claimant's document checked in person or by video (proven: account linked, report
applied), the report merged into the record without linking the account, or a refusal
with a reason the claimant reads. Forms keep what was typed when a field is wrong.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Actor
from peduli.auth.roles import IDENTITY_CLAIM_DECIDERS
from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.registry import claim_decisions, claims
from peduli.registry.models import CheckMethod, ClaimStatus, DocumentKind
from peduli.registry.pages.staff import common
from peduli.web import desk
from peduli.web.desk import SignedIn
from peduli.web.forms import only, run_form

router = APIRouter(include_in_schema=False, dependencies=[staff_page(IDENTITY_CLAIM_DECIDERS)])
CLAIMS = "/officer/claims"
FormText = Annotated[str, Form(max_length=1000)]


@router.get(CLAIMS, response_class=HTMLResponse)
def claim_queue(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    representation: Annotated[str, Query(max_length=40)] = "",
    page: Annotated[str, Query(max_length=9)] = "1",
    done: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """Pending identity claims of my post, oldest first."""
    return common.post_queue_tab(
        request,
        db,
        staff,
        template="officer/claims.html",
        path=CLAIMS,
        fetch=lambda post, limit, offset: claim_decisions.pending_claims(
            db, actor=staff, limit=limit, offset=offset, representation_code=post
        ),
        representation=representation,
        page_wanted=page,
        done=done,
        shown=lambda rows: [(claim, claims.report_of(claim)) for claim in rows],
    )


def _claim_page(
    request: Request,
    db: Session,
    staff: Actor,
    claim_id: uuid.UUID,
    *,
    values: dict[str, str] | None = None,
    problems: dict[str, FieldProblem] | None = None,
) -> HTMLResponse:
    view = claim_decisions.read_claim(db, claim_id=claim_id, actor=staff)
    return desk.page(
        request,
        "officer/claim.html",
        staff,
        {
            "claim": view.claim,
            "report": view.report,
            "is_pending": view.claim.status == ClaimStatus.PENDING,
            "document_kinds": [k.value for k in DocumentKind],
            "methods": [m.value for m in CheckMethod],
            "values": values or {},
            "problems": problems or {},
        },
        status_code=422 if problems else 200,
    )


@router.get(CLAIMS + "/{claim_id}", response_class=HTMLResponse)
def claim_screen(request: Request, claim_id: uuid.UUID, db: DbSession, staff: SignedIn) -> Response:
    """The claim's report, the record it names, and the three decisions."""
    return _claim_page(request, db, staff, claim_id)


def _decided(
    request: Request,
    db: Session,
    staff: Actor,
    claim_id: uuid.UUID,
    values: dict[str, Any],
    decide: Callable[[], object],
    done: str,
) -> Response:
    """Run a decision; on a wrong field, the page again with what was typed."""
    return run_form(
        db,
        decide,
        done=f"{CLAIMS}?done={done}",
        refused=lambda refusal: _claim_page(
            request, db, staff, claim_id, values=values, problems=refusal.problems
        ),
        refuses=only(ValidationFailed),
    )


@router.post(CLAIMS + "/{claim_id}/document-check")
def document_check(
    request: Request,
    claim_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    document_kind: FormText = "",
    document_digits: FormText = "",
    method: FormText = "",
) -> Response:
    """I saw the claimant's document: the claim is proven."""
    values = {"document_kind": document_kind, "document_digits": document_digits, "method": method}
    return _decided(
        request,
        db,
        staff,
        claim_id,
        values,
        lambda: claim_decisions.check_document(db, claim_id=claim_id, actor=staff, **values),
        "claim_proven",
    )


@router.post(CLAIMS + "/{claim_id}/merge")
def merge(
    request: Request,
    claim_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    confirm_contacts: FormText = "",
) -> Response:
    """Apply the claim's report to the record; the claimant's account stays unlinked."""
    return _decided(
        request,
        db,
        staff,
        claim_id,
        {"confirm_contacts": confirm_contacts},
        lambda: claim_decisions.merge(
            db, claim_id=claim_id, confirm_contacts=confirm_contacts == "yes", actor=staff
        ),
        "claim_merged",
    )


@router.post(CLAIMS + "/{claim_id}/refusal")
def refuse(
    request: Request, claim_id: uuid.UUID, db: DbSession, staff: SignedIn, reason: FormText = ""
) -> Response:
    """Refuse the claim with a reason the claimant reads."""
    return _decided(
        request,
        db,
        staff,
        claim_id,
        {"reason": reason},
        lambda: claim_decisions.refuse(db, claim_id=claim_id, reason=reason, actor=staff),
        "claim_refused",
    )
