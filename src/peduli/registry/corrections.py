"""Correction requests (UU PDP art. 6): the post's queue, the decision, the citizen told.

A citizen's request reaches the officers of the post whose jurisdiction holds the
person's active stay (HQ admins see every post's); it is found in SQL through that stay,
so a move to another country hands the open requests to the new post. An officer accepts
or refuses it with a reason; the citizen gets an in-app notice in their own language.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.roles import CORRECTION_HANDLERS
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _, in_language
from peduli.notify import service as notify
from peduli.notify.models import ChannelName
from peduli.registry import access
from peduli.registry.models import (
    DataRequest,
    DataRequestStatus,
    Person,
    PersonStatus,
    Stay,
    StayStatus,
)

MIN_REASON_LENGTH = policy.MIN_REASON_LENGTH
MAX_REASON_LENGTH = 2000


@dataclass(frozen=True)
class CorrectionRow:
    """One request as the queue lists it."""

    id: uuid.UUID
    person_id: uuid.UUID
    full_name: str
    message: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    decision_reason: str | None
    representation_code: str | None


def _post_of_active_stay() -> Any:
    """The post of the person's newest active stay (a correlated subquery)."""
    return (
        select(Stay.representation_code)
        .where(Stay.person_id == DataRequest.person_id, Stay.status == StayStatus.ACTIVE)
        .order_by(Stay.created_at.desc(), Stay.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _in_scope(actor: Actor) -> ColumnElement[bool]:
    """Requests of people living in (active stay) the caller's posts: the post working on them."""
    scope = policy.person_scope(actor)
    if scope.everyone:
        return DataRequest.id.is_not(None)
    return access.living_in(DataRequest.person_id, scope.representation_codes)


def _base(actor: Actor, status: DataRequestStatus | None) -> Select[Any]:
    conditions = [
        DataRequest.kind == "correction",
        Person.status == PersonStatus.ACTIVE,
        _in_scope(actor),
    ]
    if status is not None:
        conditions.append(DataRequest.status == status)
    return (
        select(DataRequest.id).join(Person, Person.id == DataRequest.person_id).where(*conditions)
    )


def _row_columns() -> tuple[Any, ...]:
    """What a queue row and one request show (a ``CorrectionRow``, in its field order)."""
    return (
        DataRequest.id,
        DataRequest.person_id,
        Person.full_name,
        DataRequest.message,
        DataRequest.status,
        DataRequest.created_at,
        DataRequest.decided_at,
        DataRequest.decision_reason,
        _post_of_active_stay(),
    )


def correction_queue(
    session: Session,
    *,
    actor: Actor,
    status: DataRequestStatus | None = DataRequestStatus.OPEN,
    limit: int,
    offset: int,
) -> tuple[int, list[CorrectionRow]]:
    """The caller's post's correction requests (open by default), oldest first, one page."""
    policy.require_role(session, actor, roles=CORRECTION_HANDLERS, action="queue.corrections")
    base = _base(actor, status)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(
        base.with_only_columns(*_row_columns())
        .order_by(DataRequest.created_at, DataRequest.id)
        .limit(limit)
        .offset(offset)
    )
    page = [CorrectionRow(*tuple(row)) for row in rows]
    if page:
        audit.record(
            session,
            actor=actor,
            action="queue.corrections",
            entity_type="queue",
            fields=["full_name", "data_request"],
            reason=f"{len(page)} requests listed",
        )
    return int(total), page


def read_correction(session: Session, *, request_id: uuid.UUID, actor: Actor) -> CorrectionRow:
    """One request of the caller's jurisdiction (another post's answers 404, audited)."""
    policy.require_role(session, actor, roles=CORRECTION_HANDLERS, action="data_request.read")
    row = session.execute(
        _base(actor, None).with_only_columns(*_row_columns()).where(DataRequest.id == request_id)
    ).one_or_none()
    if row is None:
        audit.record_denial(
            session,
            actor=actor,
            action="data_request.read",
            entity_type="data_request",
            entity_id=str(request_id),
        )
        raise NotFound(_("No correction request of your jurisdiction has this id."))
    audit.record(
        session,
        actor=actor,
        action="data_request.read",
        entity_type="data_request",
        entity_id=str(request_id),
        subject_person_id=row.person_id,
        fields=["full_name", "message"],
    )
    return CorrectionRow(*tuple(row))


def decide_correction(
    session: Session,
    *,
    request_id: uuid.UUID,
    actor: Actor,
    accepted: bool,
    reason: str,
) -> DataRequest:
    """Accept or refuse an open request with a reason; the citizen is told in their language.

    Accepting records the decision; the officer makes the change itself on the person's
    record, where it is audited field by field.
    """
    found = read_correction(session, request_id=request_id, actor=actor)
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationFailed(
            [
                FieldProblem(
                    field="reason",
                    code="reason_required",
                    message=_(
                        "Give the reason for the decision (at least {min} characters)."
                    ).format(min=MIN_REASON_LENGTH),
                    hint=_("The citizen reads it: say what was changed, or why nothing was."),
                )
            ]
        )
    request = session.scalars(
        select(DataRequest).where(DataRequest.id == found.id).with_for_update()
    ).one()
    if request.status != DataRequestStatus.OPEN:
        raise Conflict(_("This request was already decided."), code="already_decided")
    request.status = DataRequestStatus.ACCEPTED if accepted else DataRequestStatus.REFUSED
    request.decided_by = actor.account_id
    request.decided_at = utcnow()
    request.decision_reason = reason[:MAX_REASON_LENGTH]
    person = session.get_one(Person, request.person_id)
    _tell_citizen(session, request=request, language=person.preferred_language)
    audit.record(
        session,
        actor=actor,
        action=f"data_request.{request.status}",
        entity_type="data_request",
        entity_id=str(request.id),
        subject_person_id=request.person_id,
        fields=["status", "decision_reason"],
    )
    return request


def _tell_citizen(session: Session, *, request: DataRequest, language: str) -> None:
    if request.status == DataRequestStatus.ACCEPTED:
        subject = _("Your correction request was accepted")
        body = _("Your request to correct your data was accepted. The officer wrote: {reason}")
    else:
        subject = _("Your correction request was refused")
        body = _("Your request to correct your data was refused. The officer wrote: {reason}")
    notify.enqueue(
        session,
        channel=ChannelName.IN_APP.value,
        recipient=str(request.person_id),
        subject=in_language(subject, language),
        body=in_language(body.format(reason=request.decision_reason or ""), language),
        idempotency_key=f"data-request-decided:{request.id}",
    )


def own_requests(session: Session, *, person_id: uuid.UUID) -> list[DataRequest]:
    """A citizen's requests, newest first, with the decision and its reason."""
    return list(
        session.scalars(
            select(DataRequest)
            .where(DataRequest.person_id == person_id)
            .order_by(DataRequest.created_at.desc(), DataRequest.id.desc())
        )
    )
