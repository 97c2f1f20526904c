"""A person's documents for the officers' person screen (loaded with htmx; a page of its own
without JavaScript), with a button to revoke a lost or replaced one."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from peduli.api.deps import DbSession, staff_page
from peduli.auth import audit
from peduli.auth.roles import DOCUMENT_REVOKERS
from peduli.core.errors import FieldProblem
from peduli.core.i18n import in_language
from peduli.documents import service
from peduli.documents.models import RevocationReason
from peduli.documents.pages.public import KINDS, REASONS
from peduli.web import desk, i18n
from peduli.web.desk import SignedIn
from peduli.web.forms import Refusal, run_form

router = APIRouter(include_in_schema=False, dependencies=[staff_page(DOCUMENT_REVOKERS)])


def _list_url(person_id: uuid.UUID) -> str:
    return f"/officer/persons/{person_id}/documents"


def _page(
    request: Request,
    db: Any,
    staff: Any,
    person_id: uuid.UUID,
    *,
    problems: dict[str, FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    documents = service.documents_of(db, staff, person_id)
    audit.record(db, actor=staff, action="document.list", entity_type="person",
                 entity_id=str(person_id), subject_person_id=person_id)  # fmt: skip
    language = i18n.negotiate(request)
    context = {
        "person_id": person_id,
        "documents": documents,
        "kinds": {k: in_language(v, language) for k, v in KINDS.items()},
        "reasons": {k: in_language(v, language) for k, v in REASONS.items()},
        "choices": [r.value for r in RevocationReason if r != RevocationReason.ERASED],
        "problems": problems or {},
        "done": request.query_params.get("done"),
    }
    partial = request.headers.get("HX-Request") == "true"
    name = "documents/_person_documents.html" if partial else "documents/person_documents.html"
    return desk.page(request, name, staff, context, status_code=status_code)


@router.get("/officer/persons/{person_id}/documents", response_class=HTMLResponse)
def person_documents(
    request: Request, person_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """The documents my post(s) issued to this person, newest first."""
    return _page(request, db, staff, person_id)


@router.post("/officer/documents/{document_id}/revoke")
async def revoke_document(
    request: Request, document_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """Revoke with a reason (audited); back to the person's documents."""
    form = await request.form()
    reason = str(form.get("reason") or "")[:16]
    note = str(form.get("note") or "")[:500]
    person = str(form.get("person_id") or "")

    def refused(refusal: Refusal) -> Response:
        try:
            person_id = uuid.UUID(person)
        except ValueError:
            raise refusal.error from None
        return _page(request, db, staff, person_id, problems=refusal.problems or {
            "reason": FieldProblem("reason", refusal.error.code, refusal.error.detail)
        }, status_code=refusal.error.status)  # fmt: skip

    return run_form(
        db,
        lambda: service.revoke(db, actor=staff, document_id=document_id, reason=reason, note=note),
        done=lambda document: RedirectResponse(
            _list_url(document.holder_person_id) + "?done=1", status_code=303
        ),
        refused=refused,
    )
