"""Proof of self-report: the citizen's PDF, and the public page that checks one."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from peduli.api.deps import OWN, PUBLIC, CurrentActor, DbSession
from peduli.core.config import get_settings
from peduli.core.db import utcnow
from peduli.core.downloads import download_headers
from peduli.core.i18n import translate
from peduli.reference.places import (
    country_name,
    hotline_of,
    representation_by_code,
)
from peduli.registry import proof, service
from peduli.registry.pages.citizen.common import MINE, own_stay
from peduli.web import i18n
from peduli.web.rendering import render, templates_for

router = APIRouter(include_in_schema=False)


def proof_url(token: str) -> str:
    """The public address that checks a proof (printed and in the QR code).

    From PEDULI_PUBLIC_URL, never the request's ``Host`` header, which the caller writes."""
    return f"{get_settings().public_url.rstrip('/')}/verify/{token}"


@router.get(MINE + "/tinggal/{stay_id}/bukti.pdf", dependencies=[OWN])
def proof_of_report(
    request: Request, stay_id: uuid.UUID, db: DbSession, actor: CurrentActor
) -> Response:
    """A PDF in the citizen's language with a QR code anyone can scan to check it."""
    stay = own_stay(db, actor, stay_id)
    person = service.own_person_view(db, actor=actor).person
    today = utcnow().date()
    url = proof_url(proof.issue_token(stay_id=stay.id, issued_on=today))
    language = i18n.negotiate(request)
    representation = representation_by_code(stay.representation_code)
    text = _render_text(
        language,
        "citizen/_proof_lines.html",
        {
            "person": person,
            "stay": stay,
            "today": today,
            "country_label": country_name(stay.country, language),
            "representation": representation,
            "hotline": hotline_of(representation),
            "url": url,
        },
    )
    title, *lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    document = proof.proof_pdf(title=title, lines=lines, url=url, language=language)
    return Response(
        document,
        media_type="application/pdf",
        headers=download_headers(f"lapor-diri-{str(stay.id)[:8]}.pdf", inline=True),
    )


def _render_text(language: str, name: str, context: dict[str, Any]) -> str:
    """Render a plain-text template in ``language`` (for the PDF's lines)."""
    catalogue = i18n.translations(language)
    template = templates_for(language).env.get_template(name)
    return template.render(
        t=partial(translate, gettext=catalogue.gettext, language=language),
        format_date=partial(i18n.format_date, language=language),
        **context,
    )


@router.get("/verify/{token}", response_class=HTMLResponse, dependencies=[PUBLIC])
def verify_proof(request: Request, token: str, db: DbSession) -> HTMLResponse:
    """Check a proof of self-report: the post and dates, never the person's data."""
    check = proof.check_token(db, token=token[:100])
    representation = representation_by_code(check.representation_code) if check else None
    return render(
        request,
        "citizen/verify.html",
        {
            "signed_in": False,
            "check": check,
            "representation": representation,
            "country_label": country_name(check.country, i18n.negotiate(request)) if check else "",
        },
        status_code=200 if check else 404,
        personal=False,
    )
