"""The citizen's identity claims: their status, a fresh code, and the proof that settles them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from peduli.api.deps import OWN, CurrentActor, DbSession, OptionalActor
from peduli.auth.pages.citizen import sign_in_url
from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.reference.places import (
    hotline_of,
    representation_by_code,
)
from peduli.registry import claims
from peduli.registry.models import IdentityClaim
from peduli.registry.pages.citizen.common import CLAIMS, MINE, is_citizen
from peduli.web.forms import only, run_form
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False)


def _claim_page(
    request: Request,
    claim: IdentityClaim,
    *,
    code: str = "",
    problem: FieldProblem | None = None,
    sent: bool = False,
) -> HTMLResponse:
    representation = representation_by_code(claim.representation_code)
    return render(
        request,
        "citizen/claim.html",
        {
            "signed_in": True,
            "claim": claim,
            "code": code,
            "problem": problem,
            "sent": sent,
            "representation": representation,
            "hotline": hotline_of(representation),
        },
        status_code=422 if problem else 200,
    )


@router.get(CLAIMS + "/{claim_id}", response_class=HTMLResponse, dependencies=[OWN])
def claim_status(
    request: Request, claim_id: uuid.UUID, db: DbSession, actor: OptionalActor
) -> Response:
    """We will confirm your identity: how (a code to the record's contact, or an officer)."""
    if actor is None or not is_citizen(actor):
        return RedirectResponse(sign_in_url(MINE), status_code=303)
    return _claim_page(request, claims.own_claim(db, claim_id=claim_id, actor=actor))


@router.post(CLAIMS + "/{claim_id}/kode", response_class=HTMLResponse, dependencies=[OWN])
def claim_send_code(
    request: Request, claim_id: uuid.UUID, db: DbSession, actor: CurrentActor
) -> Response:
    """Send a code to the contact the record already holds (the citizen never sees it)."""
    claims.send_code(db, claim_id=claim_id, actor=actor)
    return _claim_page(request, claims.own_claim(db, claim_id=claim_id, actor=actor), sent=True)


@router.post(CLAIMS + "/{claim_id}", response_class=HTMLResponse, dependencies=[OWN])
def claim_prove(
    request: Request,
    claim_id: uuid.UUID,
    db: DbSession,
    actor: CurrentActor,
    code: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """The code came back: the record is the citizen's; their stays are shown."""
    return run_form(
        db,
        lambda: claims.prove_by_code(db, claim_id=claim_id, code=code, actor=actor),
        done=f"{MINE}?done=claim_proven",
        refused=lambda refusal: _claim_page(
            request,
            claims.own_claim(db, claim_id=claim_id, actor=actor),
            code=code,
            problem=refusal.error.problems[0],
        ),
        refuses=only(ValidationFailed),
    )
