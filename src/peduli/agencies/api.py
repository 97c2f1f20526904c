"""The agencies' JSON routes: queue and read a person's checks, HQ's message log, the
citizen's own agency trail, imports of agencies' exports (uploaded and queued here, worked by
the worker); partner systems' webhook subscriptions (HQ admins, ``webhooks:manage``), a case's
bilateral exchange with a partner state (the case's workers, ``cases:read`` /
``cases:write``), and the partner states' signed messages to us (no caller credential: the
partner's Ed25519 signature is the credential; missing 401, wrong or stale 403, a replay
409)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    Path,
    Query,
    Request,
    Response,
    UploadFile,
    status,
)
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from sqlalchemy import select

from peduli.agencies import exchange, imports, imports_problems, service, webhooks
from peduli.agencies.exchange_signing import (
    ExchangeSignatureRejected,
    exchange_settings,
    verify,
)
from peduli.agencies.gateway import AGENCIES
from peduli.agencies.models import ExchangePartner
from peduli.agencies.schemas import (
    AgencyTrailEntry,
    AgencyTrailPage,
    ExchangeMessageRead,
    ExchangeRequestCreate,
    ImportQueued,
    ImportRead,
    InboundAccepted,
    InboundMessage,
    MessageLogEntry,
    MessageLogPage,
    SubscriptionCreate,
    SubscriptionRead,
    SubscriptionSecret,
    SubscriptionUpdate,
    VerificationList,
    VerificationRead,
    VerificationRequest,
)
from peduli.api.deps import OWN, PUBLIC, CurrentActor, DbSession, require_scope
from peduli.api.language import RequestLanguage
from peduli.api.problems import problems_from_pydantic
from peduli.auth.actor import Actor
from peduli.auth.scopes import (
    AGENCY_LOG_READ,
    CASES_READ,
    CASES_WRITE,
    IMPORTS_READ,
    IMPORTS_WRITE,
    VERIFICATIONS_READ,
    VERIFICATIONS_WRITE,
    WEBHOOKS_MANAGE,
)
from peduli.core.config import get_settings
from peduli.core.errors import FieldProblem, Forbidden, NotAuthenticated, ValidationFailed
from peduli.core.i18n import _, translate, translations
from peduli.core.schemas import strict_json

router = APIRouter(tags=["agencies"])
Reader = Annotated[Actor, Depends(require_scope(VERIFICATIONS_READ))]
Writer = Annotated[Actor, Depends(require_scope(VERIFICATIONS_WRITE))]
LogReader = Annotated[Actor, Depends(require_scope(AGENCY_LOG_READ))]
ImportReader = Annotated[Actor, Depends(require_scope(IMPORTS_READ))]
ImportWriter = Annotated[Actor, Depends(require_scope(IMPORTS_WRITE))]
NO_STORE = {"Cache-Control": "no-store"}


@router.post(
    "/persons/{person_id}/verifications",
    response_model=VerificationRead,
    status_code=status.HTTP_202_ACCEPTED,
)
def request_verification(
    person_id: uuid.UUID,
    body: VerificationRequest,
    actor: Writer,
    db: DbSession,
    response: Response,
) -> VerificationRead:
    """Queue a check of the person at an agency, with its purpose and cause (sent in the
    envelope); the worker runs it within seconds. 202: read the outcome with GET."""
    response.headers.update(NO_STORE)
    check = service.request_check(
        db,
        person_id=person_id,
        source=body.source,
        purpose=body.purpose,
        cause=body.cause,
        actor=actor,
    )
    return VerificationRead.of(check)


@router.get("/persons/{person_id}/verifications", response_model=VerificationList)
def read_verifications(
    person_id: uuid.UUID, actor: Reader, db: DbSession, response: Response
) -> VerificationList:
    """The person's state per source: verified at T, mismatch on fields F, not found, or
    agency unavailable with the time of the next try."""
    response.headers.update(NO_STORE)
    checks = service.checks_of_person(db, person_id=person_id, actor=actor)
    return VerificationList(person_id=person_id, items=[VerificationRead.of(c) for c in checks])


@router.get("/agencies/message-log", response_model=MessageLogPage)
def read_message_log(
    actor: LogReader,
    db: DbSession,
    response: Response,
    before: Annotated[int | None, Query(ge=1, description="Messages older than this seq.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    agency: Annotated[str | None, Query(pattern="^(" + "|".join(AGENCIES) + ")$")] = None,
) -> MessageLogPage:
    """The signed message log of every exchange with the agencies, newest first (HQ)."""
    response.headers.update(NO_STORE)
    page = service.message_log_page(db, actor=actor, before=before, limit=limit, agency=agency)
    next_before = page[-1].seq if len(page) == limit else None
    return MessageLogPage(items=[MessageLogEntry.of(m) for m in page], next_before=next_before)


@router.get("/me/agency-trail", response_model=AgencyTrailPage, dependencies=[OWN])
def my_agency_trail(
    db: DbSession,
    actor: CurrentActor,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AgencyTrailPage:
    """Which agency was asked about me, when and why."""
    response.headers.update(NO_STORE)
    total, messages = service.own_agency_trail(db, actor=actor, limit=limit, offset=offset)
    return AgencyTrailPage(
        total=total,
        items=[
            AgencyTrailEntry(
                at=m.at, agency=m.agency, operation=m.operation, purpose=m.purpose,
                cause=m.cause, outcome=m.outcome,
            )
            for m in messages
        ],
    )  # fmt: skip


# --- imports of agencies' exports -----------------------------------------------------------
PROBLEMS_PER_PAGE = 100


@router.post(
    "/imports",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ImportQueued,
)
async def submit_import(
    actor: ImportWriter,
    db: DbSession,
    response: Response,
    file: Annotated[UploadFile, File(description="The export: CSV or XLSX, headers on row 1.")],
    dry_run: Annotated[bool, Form(description="Report only; write nothing.")] = True,
    source: Annotated[str, Form(max_length=20, description="Whose export it is.")] = "bp2mi",
) -> ImportQueued:
    """Queue an agency export's import (dry run by default); the worker reads it."""
    data = await file.read(get_settings().import_max_bytes + 1)
    job = imports.submit_import(
        db,
        actor=actor,
        filename=file.filename or "export.csv",
        data=data,
        dry_run=dry_run,
        source=source,
    )
    response.headers["Location"] = f"/api/v1/imports/{job.id}"
    return ImportQueued(id=job.id, status=job.status, report=f"/api/v1/imports/{job.id}")


@router.get("/imports/{import_id}", response_model=ImportRead)
def read_import(
    import_id: uuid.UUID,
    actor: ImportReader,
    db: DbSession,
    response: Response,
    language: RequestLanguage,
    problems_page: Annotated[int, Query(ge=1, le=100_000, description="Page of problems.")] = 1,
) -> ImportRead:
    """An import's report: status, progress, counts and a page of row problems."""
    response.headers.update(NO_STORE)
    job = imports.read_import(db, actor=actor, import_id=import_id)
    total, problems = imports_problems.page_of_problems(
        db,
        job.id,
        gettext=translations(language).gettext,
        language=language,
        limit=PROBLEMS_PER_PAGE,
        offset=(problems_page - 1) * PROBLEMS_PER_PAGE,
    )
    restart = imports.restart_of(db, job)
    notice = None
    if restart is not None:
        said = imports.restart_notice(
            when=f"{restart.at:%Y-%m-%d %H:%M} UTC", rows=str(restart.rows_read)
        )
        notice = translate(said, translations(language).gettext, language)
    return ImportRead.of(job, total, problems, restart=restart, restart_notice=notice)


@router.get(
    "/imports/{import_id}/problems.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def problems_csv(
    import_id: uuid.UUID, actor: ImportReader, db: DbSession, language: RequestLanguage
) -> StreamingResponse:
    """Every row problem as CSV (row, column, code, problem, how to fix it)."""
    job = imports.read_import(db, actor=actor, import_id=import_id)
    lines = list(
        imports_problems.problems_csv(
            db, job.id, gettext=translations(language).gettext, language=language
        )
    )
    return StreamingResponse(
        iter(lines),
        media_type="text/csv; charset=utf-8",
        headers={
            **NO_STORE,
            "Content-Disposition": f'attachment; filename="import-{job.id}-problems.csv"',
        },
    )


Manager = Annotated[Actor, Depends(require_scope(WEBHOOKS_MANAGE))]
CaseReader = Annotated[Actor, Depends(require_scope(CASES_READ))]
CaseWriter = Annotated[Actor, Depends(require_scope(CASES_WRITE))]
SubscriptionId = Annotated[uuid.UUID, Path(description="The subscription's id.")]
CaseId = Annotated[uuid.UUID, Path(description="The case's id.")]
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/webhooks/subscriptions", response_model=list[SubscriptionRead])
def list_subscriptions(actor: Manager, db: DbSession) -> list[SubscriptionRead]:
    """Every partner system's subscription (HQ admins); secrets are never shown again."""
    return webhooks.list_subscriptions(db, actor=actor)


@router.post(
    "/webhooks/subscriptions",
    status_code=status.HTTP_201_CREATED,
    response_model=SubscriptionSecret,
)
def create_subscription(
    body: SubscriptionCreate, actor: Manager, db: DbSession, response: Response
) -> SubscriptionSecret:
    """Subscribe a partner system to event types; the answer holds its secret, once."""
    response.headers.update(NO_STORE)
    read, secret = webhooks.create_subscription(db, data=body, actor=actor)
    return SubscriptionSecret(subscription=read, secret=secret)


@router.patch("/webhooks/subscriptions/{subscription_id}", response_model=SubscriptionRead)
def update_subscription(
    subscription_id: SubscriptionId, body: SubscriptionUpdate, actor: Manager, db: DbSession
) -> SubscriptionRead:
    """Change a subscription's address, purpose, event types, or pause it."""
    return webhooks.update_subscription(db, subscription_id=subscription_id, data=body, actor=actor)


@router.post("/webhooks/subscriptions/{subscription_id}/secret", response_model=SubscriptionSecret)
def rotate_secret(
    subscription_id: SubscriptionId, actor: Manager, db: DbSession, response: Response
) -> SubscriptionSecret:
    """Give the subscription a new signing secret (shown once); the old one stops at once."""
    response.headers.update(NO_STORE)
    read, secret = webhooks.rotate_secret(db, subscription_id=subscription_id, actor=actor)
    return SubscriptionSecret(subscription=read, secret=secret)


@router.get("/cases/{case_id}/exchange", response_model=list[ExchangeMessageRead])
def case_exchange(
    case_id: CaseId, actor: CaseReader, db: DbSession, response: Response
) -> list[ExchangeMessageRead]:
    """The case's messages to and from partner states, oldest first."""
    response.headers.update(NO_STORE)
    return exchange.case_messages(db, case_id=case_id, actor=actor)


@router.post(
    "/cases/{case_id}/exchange",
    status_code=status.HTTP_201_CREATED,
    response_model=ExchangeMessageRead,
)
def send_exchange_request(
    case_id: CaseId,
    body: ExchangeRequestCreate,
    actor: CaseWriter,
    db: DbSession,
    response: Response,
) -> ExchangeMessageRead:
    """Ask a partner state about one of the case's people; the worker signs and sends it."""
    response.headers.update(NO_STORE)
    row = exchange.send_request(db, case_id=case_id, data=body, actor=actor)
    return exchange.message_read(row)


async def signed_body(request: Request) -> tuple[dict[str, str], bytes]:
    """The headers and the raw body, as signed (read before anything parses it)."""
    return dict(request.headers), await request.body()


Signed = Annotated[tuple[dict[str, str], bytes], Depends(signed_body)]
INBOUND_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": InboundMessage.model_json_schema()}},
    }
}


@router.post(
    "/exchange/messages",
    dependencies=[PUBLIC],
    status_code=status.HTTP_202_ACCEPTED,
    response_model=InboundAccepted,
    openapi_extra=INBOUND_BODY,
)
def receive_exchange_message(signed: Signed, db: DbSession) -> InboundAccepted:
    """A partner state's signed answer to one of our requests (Ed25519, see docs/webhooks.md)."""
    headers, raw = signed
    partners = {
        p.key_id: p
        for p in db.scalars(select(ExchangePartner).where(ExchangePartner.active.is_(True)))
    }
    try:
        key_id = verify(
            headers,
            raw,
            public_keys={k: p.public_key for k, p in partners.items()},
            now=time.time(),
            window=exchange_settings().replay_window_seconds,
        )
    except ExchangeSignatureRejected as rejected:
        if rejected.reason == "missing":
            raise NotAuthenticated(
                _("Sign the message: send the key id, timestamp and signature headers.")
            ) from rejected
        raise Forbidden(
            _("The message's signature is not valid ({reason}).").format(reason=rejected.reason),
            code=f"signature_{rejected.reason}",
        ) from rejected
    try:
        with strict_json():
            document = InboundMessage.model_validate(json.loads(raw))
    except ValueError as error:
        problems = (
            problems_from_pydantic(error.errors())
            if isinstance(error, ValidationError)
            else [FieldProblem("body", "not_json", _("The body is not JSON."))]
        )
        raise ValidationFailed(problems) from error
    received = exchange.receive(db, partner=partners[key_id], document=document, raw=raw)
    return InboundAccepted(message_id=received.message.message_id)
