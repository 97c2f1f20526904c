"""The public verify page ``/verifikasi``: checks a document's QR payload in the browser,
offline once loaded (``static/documents/verify.js``), and on the server when the form is
posted (no JavaScript) or, online, for revocation (``POST /api/v1/documents/verify``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from peduli.api.deps import PUBLIC, DbSession
from peduli.core.errors import ValidationFailed
from peduli.core.i18n import Message, _, in_language
from peduli.documents import VERIFY_PAGE, keys, service
from peduli.documents.codec import MAX_TEXT
from peduli.reference.places import directory
from peduli.web import i18n
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])

KINDS: dict[str, Message] = {
    "self_report": _("Proof of self-report (lapor diri)"),
    "certificate": _("Certificate"),
    "splp": _("Emergency travel document (SPLP)"),
    "civil_status": _("Civil-status report"),
    "passport": _("Passport issued by the representation"),
}
REASONS: dict[str, Message] = {
    "lost": _("reported lost"),
    "replaced": _("replaced by a newer document"),
    "in_error": _("issued in error"),
    "stay_ended": _("the stay it proves has ended"),
    "erased": _("the holder's record was erased"),
}


def _page(
    request: Request,
    db: Session,
    *,
    payload: str = "",
    result: service.Verification | None = None,
    problem: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    language = i18n.negotiate(request)
    posts = {r.code: r.name for r in directory().all()}
    return render(
        request,
        "documents/verify.html",
        {
            "signed_in": False,
            "trust_list": keys.trust_list(db),
            "posts": posts,
            "kinds": {k: in_language(v, language) for k, v in KINDS.items()},
            "reasons": {k: in_language(v, language) for k, v in REASONS.items()},
            "payload": payload,
            "result": result,
            "problem": problem,
            "max_length": MAX_TEXT,
        },
        status_code=status_code,
        personal=result is not None,
    )


@router.get(VERIFY_PAGE, response_class=HTMLResponse)
def verify_page(request: Request, db: DbSession) -> HTMLResponse:
    """The verify page with the trust list in it, ready to work offline."""
    return _page(request, db)


@router.post(VERIFY_PAGE, response_class=HTMLResponse)
async def verify_posted(request: Request, db: DbSession) -> HTMLResponse:
    """Without JavaScript: the payload text posted, the verdict from the server."""
    form = await request.form()
    value = form.get("payload")
    payload = value.strip()[: MAX_TEXT + 1] if isinstance(value, str) else ""
    try:
        result = service.verify(db, payload)
    except ValidationFailed as error:
        message = error.problems[0].message if error.problems else error.detail
        language = i18n.negotiate(request)
        return _page(request, db, payload=payload, problem=in_language(message, language),
                     status_code=422)  # fmt: skip
    return _page(request, db, payload=payload, result=result)
