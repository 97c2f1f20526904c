"""Proof of self-report: the citizen's PDF, a signed document (the documents domain's verify
page checks it)."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from peduli.api.deps import OWN, CurrentActor, DbSession
from peduli.core.config import get_settings
from peduli.core.db import utcnow
from peduli.core.downloads import download_headers
from peduli.core.i18n import translate
from peduli.documents import VERIFY_PAGE, printing
from peduli.reference.places import (
    country_name,
    hotline_of,
    representation_by_code,
)
from peduli.registry import proof, service
from peduli.registry.pages.citizen.common import MINE, own_stay
from peduli.web import i18n
from peduli.web.rendering import templates_for

router = APIRouter(include_in_schema=False)


def verify_url() -> str:
    """The public address of the verify page (printed beside the QR code).

    From PEDULI_PUBLIC_URL, never the request's ``Host`` header, which the caller writes."""
    return f"{get_settings().public_url.rstrip('/')}{VERIFY_PAGE}"


@router.get(MINE + "/tinggal/{stay_id}/bukti.pdf", dependencies=[OWN])
def proof_of_report(
    request: Request, stay_id: uuid.UUID, db: DbSession, actor: CurrentActor
) -> Response:
    """A PDF in the citizen's language with a signed QR code anyone can check offline."""
    stay = own_stay(db, actor, stay_id)
    person = service.own_person_view(db, actor=actor).person
    today = utcnow().date()
    issued = proof.issue_proof(db, person=person, stay=stay, today=today, actor=actor)
    url = verify_url()
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
            "number": issued.document.number,
            "expires_on": issued.document.expires_on,
        },
    )
    title, *lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    document = printing.document_pdf(
        title=title, lines=lines, payload=issued.payload, verify_url=url, language=language
    )
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
