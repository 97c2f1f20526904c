"""The citizen's service pages (mobile, no JavaScript needed): the catalogue, one service
with its application form (details from their record, confirmed once; documents uploaded;
the fee in both currencies), and their applications with the state of each."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from peduli.api.deps import OWN, PUBLIC, CurrentActor, DbSession, OptionalActor
from peduli.auth.actor import Actor
from peduli.auth.pages.citizen import sign_in_url
from peduli.core.config import get_settings
from peduli.core.errors import FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.registry import service as registry_service
from peduli.registry.models import StayStatus
from peduli.services import application_file, catalogue, fees, service, views
from peduli.services.pages.common import helpers, is_citizen, issued_document
from peduli.services.schemas import ApplicationCreate
from peduli.services.uploads import Upload
from peduli.web import i18n
from peduli.web.forms import only, run_form
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False)
SERVICES = "/layanan"
MINE = "/saya/permohonan"
TEXT_FIELDS = ("applying_for", "beneficiary_name", "payment", "details_confirmed")


def _post_of(db: Session, actor: Actor | None) -> str | None:
    """The post of the citizen's active stay, if any."""
    if not is_citizen(actor) or actor.person_id is None:
        return None
    view = registry_service.own_person_view(db, actor=actor)
    return next((s.representation_code for s in view.stays if s.status == StayStatus.ACTIVE), None)


@router.get(SERVICES, response_class=HTMLResponse, dependencies=[PUBLIC])
def services(request: Request, db: DbSession, actor: OptionalActor) -> Response:
    """The catalogue: every service, what it costs and how long it takes."""
    language = i18n.negotiate(request)
    entries = views.catalogue_entries(
        db, language=language, representation_code=_post_of(db, actor), day=date.today()
    )
    return render(
        request,
        "services/catalogue.html",
        {
            "signed_in": is_citizen(actor),
            "entries": entries,
            **helpers(language),
        },
    )


def _service_page(
    request: Request,
    db: Session,
    actor: Actor | None,
    code: str,
    *,
    values: dict[str, str] | None = None,
    problems: dict[str, FieldProblem] | None = None,
) -> HTMLResponse:
    language = i18n.negotiate(request)
    version, entry = catalogue.current_of(db, code)
    post = _post_of(db, actor)
    fee = (
        fees.fee_at(db, usd_cents=entry.fee_usd_cents, representation_code=post, day=date.today())
        if post
        else None
    )
    person = (
        registry_service.own_person_view(db, actor=actor)
        if is_citizen(actor) and actor.person_id
        else None
    )
    return render(
        request,
        "services/service.html",
        {
            "signed_in": is_citizen(actor),
            "entry": views.service_read(
                version,
                entry,
                language=language,
                note=catalogue.local_notes(db, post).get(code) if post else None,
                fee=fee,
            ),
            "definition": entry,
            "person": person,
            "post": post,
            "values": values or {"applying_for": "self", "payment": "online"},
            "problems": problems or {},
            **helpers(language),
        },
        status_code=422 if problems else 200,
    )


@router.get(SERVICES + "/{code}", response_class=HTMLResponse, dependencies=[PUBLIC])
def service_detail(request: Request, code: str, db: DbSession, actor: OptionalActor) -> Response:
    """One service: requirements, eligibility, fee, time; the form to apply when signed in."""
    return _service_page(request, db, actor, code[:40])


async def _read_form(request: Request) -> tuple[dict[str, str], list[Upload]]:
    form = await request.form()
    limit = get_settings().service_document_max_bytes + 1
    values: dict[str, str] = {}
    files: list[Upload] = []
    for key, value in form.multi_items():
        if isinstance(value, str) and key in TEXT_FIELDS:
            values[key] = value[:200]
        elif isinstance(value, UploadFile) and key.startswith("document_") and value.filename:
            data = await value.read(limit)
            files.append(
                Upload(
                    key.removeprefix("document_")[:40],
                    value.filename,
                    value.content_type or "",
                    data,
                )
            )
    return values, files


@router.post(SERVICES + "/{code}", response_class=HTMLResponse, dependencies=[OWN])
async def apply(request: Request, code: str, db: DbSession, actor: CurrentActor) -> Response:
    """Apply: the confirmed details, the documents, the payment chosen."""
    values, files = await _read_form(request)
    if not is_citizen(actor):
        return RedirectResponse(sign_in_url(f"{SERVICES}/{code}"), status_code=303)

    def submit() -> Any:
        try:
            data = ApplicationCreate.model_validate(
                {
                    "service": code[:40],
                    "applying_for": values.get("applying_for") or "self",
                    "beneficiary_name": values.get("beneficiary_name") or None,
                    "payment": values.get("payment") or "online",
                    "details_confirmed": values.get("details_confirmed") == "yes",
                }
            )
        except ValidationError as error:
            field = str(error.errors()[0]["loc"][0]) if error.errors()[0]["loc"] else "service"
            raise ValidationFailed(
                [FieldProblem(field, "invalid", _("Choose one of the options."))]
            ) from error
        return service.apply(db, data=data, actor=actor, files=files, require_documents=True)

    return run_form(
        db,
        submit,
        done=lambda application: RedirectResponse(
            f"{MINE}/{application.id}?done=applied", status_code=303
        ),
        refused=lambda refusal: _service_page(
            request, db, actor, code[:40], values=values, problems=refusal.problems
        ),
        refuses=only(ValidationFailed, NotFound),
    )


@router.get(MINE, response_class=HTMLResponse, dependencies=[OWN])
def my_applications(request: Request, db: DbSession, actor: OptionalActor) -> Response:
    """The citizen's applications and the state of each."""
    if not is_citizen(actor):
        return RedirectResponse(sign_in_url(MINE), status_code=303)
    language = i18n.negotiate(request)
    names = catalogue.names_in(db, language)
    return render(
        request,
        "services/my_applications.html",
        {
            "signed_in": True,
            "applications": application_file.own_applications(db, actor=actor),
            "names": names,
            **helpers(language),
        },
    )


def _application_page(
    request: Request,
    db: Session,
    actor: Actor,
    application_id: uuid.UUID,
    problems: dict[str, FieldProblem] | None = None,
) -> HTMLResponse:
    language = i18n.negotiate(request)
    view = application_file.read(db, application_id=application_id, actor=actor)
    return render(
        request,
        "services/application.html",
        {
            "signed_in": True,
            "view": view,
            "a": view.application,
            "name": view.definition.name.get(language),
            "done": request.query_params.get("done"),
            "requirements": view.definition.requirements,
            "problems": problems or {},
            **helpers(language),
        },
        status_code=422 if problems else 200,
    )


@router.get(MINE + "/{application_id}", response_class=HTMLResponse, dependencies=[OWN])
def my_application(
    request: Request, application_id: uuid.UUID, db: DbSession, actor: CurrentActor
) -> Response:
    """One application: its state, deadline, fee and how to pay, the documents sent."""
    return _application_page(request, db, actor, application_id)


@router.get(MINE + "/{application_id}/dokumen.pdf", dependencies=[OWN])
def my_document(
    request: Request, application_id: uuid.UUID, db: DbSession, actor: CurrentActor
) -> Response:
    """The document the application was issued with, as a PDF with its QR code."""
    view = application_file.read(db, application_id=application_id, actor=actor)
    return issued_document(view, i18n.negotiate(request))


@router.post(MINE + "/{application_id}/dokumen", response_class=HTMLResponse, dependencies=[OWN])
async def send_document(
    request: Request, application_id: uuid.UUID, db: DbSession, actor: CurrentActor
) -> Response:
    """Send a document the representation asked for."""
    form = await request.form()
    file, requirement = form.get("file"), form.get("requirement")
    data = b""
    if isinstance(file, UploadFile):
        data = await file.read(get_settings().service_document_max_bytes + 1)
    upload = Upload(
        str(requirement or "")[:40],
        file.filename or "document" if isinstance(file, UploadFile) else "document",
        file.content_type or "" if isinstance(file, UploadFile) else "",
        data,
    )
    return run_form(
        db,
        lambda: service.add_document(db, application_id=application_id, upload=upload, actor=actor),
        done=f"{MINE}/{application_id}?done=document",
        refused=lambda refusal: _application_page(
            request, db, actor, application_id, refusal.problems
        ),
        refuses=only(ValidationFailed),
    )
