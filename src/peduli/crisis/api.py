"""Crisis HTTP API: declare (JSON or CAP), audience, broadcasts, check-ins, board, export."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from peduli.api.deps import PUBLIC, DbSession, LaggingReadDb, require_scope
from peduli.api.hot_paths import hot_path_write
from peduli.api.responses import model_response
from peduli.auth.actor import Actor
from peduli.auth.scopes import CRISES_REACH, CRISES_READ, CRISES_WRITE
from peduli.core.downloads import download_headers
from peduli.crisis import (
    broadcast_live,
    broadcasts,
    checkins,
    repository,
    service,
    unreached,
)
from peduli.crisis.evacuation_files import XLSX_MEDIA_TYPE, to_csv, to_xlsx
from peduli.crisis.models import CrisisStatus
from peduli.crisis.schemas import (
    Audience,
    Board,
    BroadcastCreate,
    BroadcastDelivery,
    BroadcastRead,
    CheckInCreate,
    CheckInRead,
    CrisisCreate,
    CrisisRead,
    ReachAttemptCreate,
    ReachAttemptRead,
    SendResult,
    UnreachedList,
)

router = APIRouter(tags=["crisis"])
# The answers to a broadcast, the busiest write in a crisis, on a router of their own that
# ``api.app`` includes before every other: FastAPI tries routes in order (about 10 µs each),
# and behind the other domains' hundred routes an answer spent half a millisecond being matched.
checkin_router = APIRouter(tags=["crisis"])
NO_STORE = {"Cache-Control": "no-store"}
CAP_MEDIA_TYPE = "application/cap+xml"
CrisisId = Annotated[uuid.UUID, "the crisis"]
Reader = Annotated[Actor, Depends(require_scope(CRISES_READ))]
Writer = Annotated[Actor, Depends(require_scope(CRISES_WRITE))]
Reacher = Annotated[Actor, Depends(require_scope(CRISES_REACH))]


@router.post("/crises", status_code=status.HTTP_201_CREATED, response_model=CrisisRead)
def declare_crisis(body: CrisisCreate, db: DbSession, actor: Writer) -> CrisisRead:
    """Declare a crisis (HQ admin or supervisor); its area is covered for targeting at once."""
    return service.read_model(service.declare(db, body=body, actor=actor))


@router.get("/crises", response_model=list[CrisisRead])
def list_crises(db: DbSession, actor: Reader) -> list[CrisisRead]:
    """The newest crises first."""
    return [service.read_model(c) for c in service.list_crises(db, actor=actor)]


@router.post(
    "/crises/cap",
    status_code=status.HTTP_201_CREATED,
    response_model=CrisisRead,
    responses={200: {"model": CrisisRead, "description": "The alert was imported before"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/xml": {"schema": {"type": "string"}},
                CAP_MEDIA_TYPE: {"schema": {"type": "string"}},
            },
        }
    },
)
async def import_cap(
    request: Request, db: DbSession, actor: Writer, response: Response
) -> CrisisRead:
    """Draft a crisis from a CAP 1.2 alert (XML body); DTDs and entities are refused.

    The same alert again (its sender and identifier) answers 200 with the crisis it made.
    """
    document = await request.body()
    crisis, created = await run_in_threadpool(
        service.import_cap, db, document=document, actor=actor
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return service.read_model(crisis)


@router.get("/crises/{crisis_id}", response_model=CrisisRead)
def read_crisis(crisis_id: uuid.UUID, db: DbSession, actor: Reader) -> CrisisRead:
    """One crisis."""
    return service.read_model(service.get(db, crisis_id=crisis_id, actor=actor))


@router.get(
    "/crises/{crisis_id}/cap",
    response_class=Response,
    responses={200: {"content": {CAP_MEDIA_TYPE: {"schema": {"type": "string"}}}}},
)
def export_cap(crisis_id: uuid.UUID, db: DbSession, actor: Reader) -> Response:
    """The crisis as a CAP 1.2 alert."""
    return Response(
        service.export_cap(db, crisis_id=crisis_id, actor=actor), media_type=CAP_MEDIA_TYPE
    )


@router.post("/crises/{crisis_id}/activate", response_model=CrisisRead)
def activate_crisis(crisis_id: uuid.UUID, db: DbSession, actor: Writer) -> CrisisRead:
    """Make a drafted crisis (from CAP) active, so broadcasts can go out."""
    crisis = service.set_status(db, crisis_id=crisis_id, status=CrisisStatus.ACTIVE, actor=actor)
    return service.read_model(crisis)


@router.post("/crises/{crisis_id}/close", response_model=CrisisRead)
def close_crisis(crisis_id: uuid.UUID, db: DbSession, actor: Writer) -> CrisisRead:
    """Close a crisis."""
    crisis = service.set_status(db, crisis_id=crisis_id, status=CrisisStatus.CLOSED, actor=actor)
    return service.read_model(crisis)


@router.get("/crises/{crisis_id}/audience", response_model=Audience)
def crisis_audience(crisis_id: uuid.UUID, db: DbSession, actor: Reader) -> Audience:
    """How many active stays the area holds, by post, purpose and language (nothing is sent)."""
    return service.audience(db, crisis_id=crisis_id, actor=actor)


@router.post(
    "/crises/{crisis_id}/broadcasts",
    status_code=status.HTTP_201_CREATED,
    response_model=BroadcastRead,
)
def draft_broadcast(
    crisis_id: uuid.UUID, body: BroadcastCreate, db: DbSession, actor: Writer
) -> BroadcastRead:
    """Draft a broadcast: a text per language and the channels; a second person approves."""
    return broadcasts.read_model(broadcasts.draft(db, crisis_id=crisis_id, body=body, actor=actor))


@router.post("/crises/{crisis_id}/broadcasts/{broadcast_id}/approve", response_model=BroadcastRead)
def approve_broadcast(
    crisis_id: uuid.UUID, broadcast_id: uuid.UUID, db: DbSession, actor: Writer
) -> BroadcastRead:
    """Approve a draft; the author cannot approve their own (409)."""
    broadcast = broadcasts.approve(db, crisis_id=crisis_id, broadcast_id=broadcast_id, actor=actor)
    return broadcasts.read_model(broadcast)


@router.post(
    "/crises/{crisis_id}/broadcasts/{broadcast_id}/send",
    response_model=SendResult,
    responses={202: {"model": SendResult, "description": "A large audience: being written."}},
)
def send_broadcast(
    crisis_id: uuid.UUID, broadcast_id: uuid.UUID, db: DbSession, actor: Writer, response: Response
) -> SendResult:
    """Write the outbox for everyone targeted; sending again never sends twice. A large
    audience is written by the worker: 202, status ``sending``, and the delivery figures
    (``…/delivery``) grow as it goes."""
    broadcast, queued = broadcasts.send(
        db, crisis_id=crisis_id, broadcast_id=broadcast_id, actor=actor
    )
    if queued is None:
        response.status_code = status.HTTP_202_ACCEPTED
    return SendResult(
        broadcast=broadcasts.read_model(broadcast),
        recipients=broadcast.recipients,
        queued=queued or {},
    )


@router.get(
    "/crises/{crisis_id}/broadcasts/{broadcast_id}/delivery", response_model=BroadcastDelivery
)
def broadcast_delivery(
    crisis_id: uuid.UUID, broadcast_id: uuid.UUID, db: DbSession, actor: Reader, response: Response
) -> BroadcastDelivery:
    """Messages waiting, sent, delivered and failed per channel, and the answers so far."""
    response.headers.update(NO_STORE)
    figures = broadcast_live.live(db, crisis_id=crisis_id, broadcast_id=broadcast_id, actor=actor)
    return BroadcastDelivery.model_validate(figures)


@router.get("/crises/{crisis_id}/board", response_model=Board)
def crisis_board(
    crisis_id: uuid.UUID, db: DbSession, actor: Reader, counts: LaggingReadDb, response: Response
) -> Board:
    """Targeted, delivered, failed, safe, need help and no answer, by post and place (the
    counts may be a few seconds behind: they are read from the replica when there is one)."""
    response.headers.update(NO_STORE)
    return repository.board(db, crisis_id=crisis_id, actor=actor, counts=counts)


@router.get("/crises/{crisis_id}/unreached", response_model=UnreachedList)
def unreached_list(
    crisis_id: uuid.UUID,
    db: DbSession,
    actor: Reader,
    response: Response,
    post: Annotated[str | None, Query(max_length=40)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 25,
) -> UnreachedList:
    """People still silent after the reminder, to call or visit (your post's; HQ all or
    ``post``), never tried first, with the counts of each outcome. Audited."""
    response.headers.update(NO_STORE)
    total, people = unreached.unreached(
        db, crisis_id=crisis_id, actor=actor, post=post, limit=per_page,
        offset=(page - 1) * per_page,
    )  # fmt: skip
    return UnreachedList(
        total=total,
        page=page,
        per_page=per_page,
        people=people,
        counts=unreached.counts(db, crisis_id=crisis_id, actor=actor),
    )


@router.post(
    "/crises/{crisis_id}/unreached/{person_id}/attempts",
    status_code=status.HTTP_201_CREATED,
    response_model=ReachAttemptRead,
)
def record_reach_attempt(
    crisis_id: uuid.UUID,
    person_id: uuid.UUID,
    body: ReachAttemptCreate,
    db: DbSession,
    actor: Reacher,
    response: Response,
) -> ReachAttemptRead:
    """Record a call or visit: reached safe, needs help (opens a case) or unreachable (with a
    note; the person stays on the list). Your post's people only; HQ all. Audited."""
    response.headers.update(NO_STORE)
    attempt = unreached.record_attempt(
        db, crisis_id=crisis_id, person_id=person_id, outcome=body.outcome.value,
        note=body.note, actor=actor,
    )  # fmt: skip
    return ReachAttemptRead.model_validate(attempt)


@router.get(
    "/crises/{crisis_id}/evacuation-list",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
def evacuation_list(
    crisis_id: uuid.UUID,
    db: DbSession,
    actor: Reader,
    file_format: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "csv",
) -> Response:
    """Who is where and how to reach them (your post's people; HQ all). Audited."""
    rows = repository.evacuation_list(db, crisis_id=crisis_id, actor=actor, file_format=file_format)
    if file_format == "xlsx":
        content, media = to_xlsx(rows), XLSX_MEDIA_TYPE
    else:
        content, media = to_csv(rows), "text/csv; charset=utf-8"
    filename = f"evacuation-{crisis_id}.{file_format}"
    return Response(
        content,
        media_type=media,
        headers=download_headers(filename),
    )


@checkin_router.post(
    "/crises/check-ins",
    status_code=status.HTTP_201_CREATED,
    response_model=CheckInRead,
    dependencies=[PUBLIC],  # the personal link's token is the credential
)
async def check_in(body: CheckInCreate, db: DbSession) -> Response:
    """Answer a broadcast with the token of a personal link: safe, or need help."""

    def answer() -> Response:
        stored = checkins.check_in(db, body=body, via="api")
        return model_response(
            CheckInRead.model_validate(stored), status_code=status.HTTP_201_CREATED
        )

    return await hot_path_write(db, answer)
