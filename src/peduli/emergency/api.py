"""Emergency API: the public SOS, officers' hotline calls, acknowledging, duty rosters."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from peduli.api.deps import PUBLIC, ClientIp, DbSession, OptionalActor, require_scope
from peduli.auth.actor import Actor
from peduli.auth.scopes import EMERGENCIES_READ, EMERGENCIES_WRITE
from peduli.core.db import utcnow
from peduli.core.i18n import LANGUAGES, _
from peduli.emergency import roster, service, workflow
from peduli.emergency.models import DutyShift, Emergency
from peduli.emergency.schemas import (
    CallerRead,
    EmergencyCreate,
    EmergencyCreated,
    EmergencyPage,
    EmergencyRead,
    HotlineCallCreate,
    RepresentationContact,
    RosterRead,
    ShiftCreate,
    ShiftRead,
)
from peduli.emergency.texts import Caller

router = APIRouter(tags=["emergencies"])
CODE_PATH = Path(max_length=64, pattern=r"^[a-z0-9-]+$")
Reader = Annotated[Actor, Depends(require_scope(EMERGENCIES_READ))]
Writer = Annotated[Actor, Depends(require_scope(EMERGENCIES_WRITE))]


def _no_store(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"


def next_steps() -> str:
    """What happens after an SOS, in the reader's language."""
    return _(
        "The officer on duty has been alerted and will call you back as soon as possible. "
        "Keep your phone on. If you can, call the representation's hotline now; if your "
        "life is in immediate danger, also call the local emergency number."
    )


def _asked_in(header: str) -> str | None:
    """The first of the platform's languages an ``Accept-Language`` header names, if any."""
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return None


def _created(outcome: service.Reported) -> EmergencyCreated:
    post = outcome.representation
    return EmergencyCreated(
        id=outcome.emergency.id,
        case_id=outcome.emergency.case_id,
        reference=outcome.emergency.case_reference,
        repeat=outcome.repeat,
        representation=RepresentationContact(code=post.code, name=post.name, hotline=post.hotline),
        next_steps=next_steps(),
    )


def read(emergency: Emergency, caller: Caller | None = None) -> EmergencyRead:
    """The API shape of an emergency (with the person behind it, for those who see them)."""
    return EmergencyRead(
        caller=CallerRead(**vars(caller)) if caller is not None else None,
        id=emergency.id,
        case_id=emergency.case_id,
        reference=emergency.case_reference,
        representation_code=emergency.representation_code,
        source=emergency.source,
        kind=emergency.kind,
        state=workflow.state_of(emergency),
        escalation_level=emergency.escalation_level,
        created_at=emergency.created_at,
        ack_due_at=emergency.ack_due_at,
        acknowledged_at=emergency.acknowledged_at,
        repeats=emergency.repeats,
    )


@router.post(
    "/emergencies",
    status_code=status.HTTP_201_CREATED,
    response_model=EmergencyCreated,
    dependencies=[PUBLIC],  # the SOS: no account needed
)
def create_emergency(
    body: EmergencyCreate,
    db: DbSession,
    actor: OptionalActor,
    ip: ClientIp,
    request: Request,
    response: Response,
) -> EmergencyCreated:
    """SOS: reach the officer on duty now. No account needed; a repeat joins the first one.
    The language asked in (``Accept-Language``) tells the duty officer how to call back."""
    _no_store(response)
    language = _asked_in(request.headers.get("accept-language", ""))
    outcome = service.report_emergency(db, data=body, actor=actor, ip=ip, language=language)
    if outcome.repeat:
        response.status_code = status.HTTP_200_OK
    return _created(outcome)


@router.post(
    "/emergencies/calls", status_code=status.HTTP_201_CREATED, response_model=EmergencyCreated
)
def create_hotline_call(
    body: HotlineCallCreate, db: DbSession, actor: Writer, response: Response
) -> EmergencyCreated:
    """Record an emergency taken on the hotline (officers, supervisors, HQ admins)."""
    _no_store(response)
    return _created(service.record_hotline_call(db, data=body, actor=actor))


@router.get("/emergencies", response_model=EmergencyPage)
def list_emergencies(
    db: DbSession,
    actor: Reader,
    response: Response,
    state: Annotated[str, Query(pattern="^(open|escalated|all)$")] = "open",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> EmergencyPage:
    """Emergencies of your representation (HQ: all), open ones by default."""
    _no_store(response)
    total, rows = service.list_emergencies(
        db,
        actor=actor,
        open_only=state != "all",
        escalated_only=state == "escalated",
        limit=limit,
        offset=offset,
    )
    callers = service.callers_of(db, actor=actor, emergencies=rows)
    return EmergencyPage(items=[read(e, callers.get(e.id)) for e in rows], total=total)


@router.post("/emergencies/{emergency_id}/acknowledge", response_model=EmergencyRead)
def acknowledge_emergency(
    emergency_id: uuid.UUID, db: DbSession, actor: Writer, response: Response
) -> EmergencyRead:
    """Take the emergency on: its escalation stops and its case (``case_id``) is assigned to
    you when you are an officer or supervisor of its post; acknowledging twice changes
    nothing. Then open the case: GET /api/v1/cases/{case_id}."""
    _no_store(response)
    taken = service.acknowledge(db, emergency_id=emergency_id, actor=actor)
    return read(taken, service.callers_of(db, actor=actor, emergencies=[taken]).get(taken.id))


def shift_read(shift: DutyShift, officer: str) -> ShiftRead:
    """The API shape of a shift; local times carry the representation's offset."""
    zone = roster.zone_of(shift.representation_code)
    return ShiftRead(
        id=shift.id,
        account_id=shift.account_id,
        officer=officer,
        starts_local=roster.at_place(shift.starts_at, zone),
        ends_local=roster.at_place(shift.ends_at, zone),
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        rank=shift.rank,
        phone=shift.phone,
        note=shift.note,
    )


@router.get("/duty-rosters/{representation_code}", response_model=RosterRead)
def get_roster(
    representation_code: Annotated[str, CODE_PATH],
    db: DbSession,
    actor: Reader,
    response: Response,
    days: Annotated[int, Query(ge=1, le=31)] = 7,
) -> RosterRead:
    """The roster from now for ``days`` days, and who is on duty now (times local and UTC)."""
    _no_store(response)
    now = utcnow()
    shifts = roster.list_shifts(
        db,
        representation_code=representation_code,
        actor=actor,
        start=now - timedelta(days=1),
        end=now + timedelta(days=days),
    )
    zone = roster.zone_of(representation_code)
    return RosterRead(
        representation_code=representation_code,
        timezone=zone.key,
        now_local=roster.at_place(now, zone),
        on_duty=[shift_read(s, name) for s, name in shifts if s.starts_at <= now < s.ends_at],
        shifts=[shift_read(s, name) for s, name in shifts],
    )


@router.post(
    "/duty-rosters/{representation_code}/shifts",
    status_code=status.HTTP_201_CREATED,
    response_model=ShiftRead,
)
def add_shift(
    representation_code: Annotated[str, CODE_PATH],
    body: ShiftCreate,
    db: DbSession,
    actor: Writer,
) -> ShiftRead:
    """Put an officer on the roster (supervisors of the representation and HQ admins)."""
    shift = roster.add_shift(
        db,
        representation_code=representation_code,
        data=roster.ShiftInput(
            account_id=body.account_id,
            starts_local=body.starts_local,
            ends_local=body.ends_local,
            rank=body.rank,
            phone=body.phone,
            note=body.note,
        ),
        actor=actor,
    )
    return shift_read(shift, roster.officer_name(db, shift.account_id))


@router.delete("/duty-shifts/{shift_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_shift(shift_id: uuid.UUID, db: DbSession, actor: Writer) -> Response:
    """Take a shift off the roster."""
    roster.remove_shift(db, shift_id=shift_id, actor=actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
