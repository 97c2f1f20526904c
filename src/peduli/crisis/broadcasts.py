"""Broadcasts: a draft, its approval by a second person, and its sending.

Sending materialises the audience and writes the outbox in a few set-based statements
(``crisis.delivery``), at once for a small audience and in the worker for a large one; the
silent get one reminder (``crisis.reminders``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core.config import get_settings
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import LANGUAGES, _
from peduli.core.logging import get_logger
from peduli.crisis import access, delivery, targeting
from peduli.crisis import service as crisis_service
from peduli.crisis.delivery import CHANNEL_CONTACT
from peduli.crisis.models import (
    Broadcast,
    BroadcastPost,
    BroadcastStatus,
    Crisis,
    CrisisStatus,
    Recipient,
)
from peduli.crisis.schemas import BroadcastCreate, BroadcastRead
from peduli.registry.models import Stay

log = get_logger(__name__)


def draft(
    session: Session, *, crisis_id: uuid.UUID, body: BroadcastCreate, actor: Actor
) -> Broadcast:
    """Write a broadcast draft; a supervisor's reaches only their own post's people."""
    access.require_broadcaster(session, actor, action="crisis.broadcast.draft")
    crisis = crisis_service.get(session, crisis_id=crisis_id, actor=actor)
    if crisis.status != CrisisStatus.ACTIVE:
        raise Conflict(
            _("Only an active crisis can have broadcasts; activate it first."),
            code="crisis_not_active",
        )
    _check(body)
    post = access.broadcast_post(actor, body.representation_code)
    chosen = post is not None and post == body.representation_code
    if chosen and post not in crisis.representation_codes.split(","):
        # HQ chose a post; a supervisor's broadcast is always their own post's (perhaps
        # nobody, but their post's supervisors never approve it: ``require_approver``).
        raise ValidationFailed(
            [
                FieldProblem(
                    field="representation_code",
                    code="unaffected_representation",
                    message=_("This crisis does not affect this representation's people."),
                )
            ]
        )
    broadcast = Broadcast(
        id=uuid.uuid4(),
        crisis_id=crisis.id,
        messages=json.dumps({k: v for k, v in body.messages.items() if v}, ensure_ascii=False),
        channels=",".join(dict.fromkeys(body.channels)),
        representation_code=post,
        remind_after_minutes=body.remind_after_minutes,
        created_by=actor.account_id,
        created_by_display=actor.display,
    )
    session.add(broadcast)
    session.flush()
    _audit(session, actor, "crisis.broadcast.draft", broadcast)
    return broadcast


def _check(body: BroadcastCreate) -> None:
    problems = [
        FieldProblem(
            field=f"messages.{lang}",
            code="unknown_language",
            message=_("Messages may be in id, en, zh or fr only."),
        )
        for lang in body.messages
        if lang not in LANGUAGES
    ]
    if not (body.messages.get("id") or "").strip():
        problems.append(
            FieldProblem(
                field="messages.id",
                code="required",
                message=_("The Indonesian text is required: it is sent to everyone else."),
            )
        )
    problems += [
        FieldProblem(
            field=f"messages.{lang}",
            code="too_long",
            message=_("A message may have at most 1000 characters."),
        )
        for lang, text in body.messages.items()
        if len(text) > 1000
    ]
    problems += [
        FieldProblem(
            field=f"channels[{i}]",
            code="unknown_channel",
            message=_("Use one of: {names}.").format(names=", ".join(CHANNEL_CONTACT)),
        )
        for i, channel in enumerate(body.channels)
        if channel not in CHANNEL_CONTACT
    ]
    if problems:
        raise ValidationFailed(problems)


def _audit(session: Session, actor: Actor, action: str, broadcast: Broadcast) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type="crisis_broadcast",
        entity_id=str(broadcast.id),
        fields=["status"],
    )


def get(
    session: Session, *, crisis_id: uuid.UUID, broadcast_id: uuid.UUID, actor: Actor
) -> Broadcast:
    """One broadcast of ``crisis_id``, for whoever may follow that crisis.

    A broadcast is addressed through its crisis: one of another crisis is not found here,
    so a URL cannot approve or send another crisis's message under this one's name.
    """
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.crisis_id != crisis_id:
        raise NotFound(_("There is no broadcast with this id."))
    crisis_service.get(session, crisis_id=broadcast.crisis_id, actor=actor)
    return broadcast


def approve(
    session: Session, *, crisis_id: uuid.UUID, broadcast_id: uuid.UUID, actor: Actor
) -> Broadcast:
    """The second person's approval: never the author's own."""
    access.require_broadcaster(session, actor, action="crisis.broadcast.approve")
    broadcast = get(session, crisis_id=crisis_id, broadcast_id=broadcast_id, actor=actor)
    crisis = session.get_one(Crisis, broadcast.crisis_id)
    affected = [code for code in crisis.representation_codes.split(",") if code]
    access.require_approver(session, actor, broadcast, affected=affected)
    if broadcast.created_by == actor.account_id:
        raise Conflict(
            _("A broadcast is approved by a second person, not by its author."),
            code="author_cannot_approve",
        )
    if broadcast.status != BroadcastStatus.DRAFT:
        raise Conflict(_("This broadcast is approved already."), code="broadcast_not_draft")
    broadcast.status = BroadcastStatus.APPROVED
    broadcast.approved_by = actor.account_id
    broadcast.approved_at = utcnow()
    _audit(session, actor, "crisis.broadcast.approve", broadcast)
    return broadcast


def send(
    session: Session,
    *,
    crisis_id: uuid.UUID,
    broadcast_id: uuid.UUID,
    actor: Actor,
    now: datetime | None = None,
) -> tuple[Broadcast, dict[str, int] | None]:
    """Target and write the outbox; sending again only adds people who newly arrived.

    An audience of up to ``PEDULI_CRISIS_INLINE_SEND_LIMIT`` people is written at once, in
    this transaction, with the messages queued per channel. A larger one is handed to the
    worker (status ``sending``, no counts yet; ``fan_out_waiting``): a million recipients
    take tens of seconds to write, longer than a request may live, and a request killed or
    timed out half-way would leave HQ not knowing whether anyone was told.
    """
    access.require_broadcaster(session, actor, action="crisis.broadcast.send")
    broadcast = get(session, crisis_id=crisis_id, broadcast_id=broadcast_id, actor=actor)
    access.require_broadcast_post(session, actor, broadcast, action="crisis.broadcast.send")
    if broadcast.status == BroadcastStatus.DRAFT:
        raise Conflict(
            _("This broadcast must be approved by a second person before it is sent."),
            code="broadcast_not_approved",
        )
    crisis = session.get_one(Crisis, broadcast.crisis_id)
    broadcast.sent_by = actor.account_id
    _audit(session, actor, "crisis.broadcast.send", broadcast)
    if _audience_exceeds(session, crisis, broadcast, get_settings().crisis_inline_send_limit):
        broadcast.status = BroadcastStatus.SENDING
        broadcast.fanned_out_through = None  # from the first cell: newcomers anywhere
        return broadcast, None
    return broadcast, fan_out(session, crisis, broadcast, now=now or utcnow())


def fan_out(
    session: Session,
    crisis: Crisis,
    broadcast: Broadcast,
    *,
    now: datetime,
    cells: targeting.CellRange = targeting.EVERY_CELL,
) -> dict[str, int]:
    """Write the recipients and the outbox of a broadcast being sent, in the whole area or
    in a run of its ``cells``; the messages queued per channel (the chosen channels, and a
    chat channel people prefer when it carried any). The run that ends the area marks the
    broadcast sent.

    The outbox is written for the recipients this call added (the newest ids: nobody else
    writes this broadcast's recipients while its row is locked), so a run costs its own
    people only. Sending again also writes, at the end, the messages of people targeted
    before who now have a contact for a channel."""
    newest_before = session.scalar(select(func.max(Recipient.id))) or 0
    delivery.add_recipients(session, crisis, broadcast, now=now, cells=cells)
    delivery.count_recipients(session, broadcast, added_after=newest_before)
    ends_area = cells.through is None
    only_added = None if ends_area and broadcast.recipients else Recipient.id > newest_before
    chosen = broadcast.channels.split(",")
    written = {
        channel: delivery.write_outbox(session, crisis, broadcast, channel=channel, only=only_added)
        for channel in delivery.delivery_channels(broadcast)
    }
    broadcast.sent_at = broadcast.sent_at or now
    broadcast.fanned_out_through = cells.through
    if not ends_area:
        return written
    broadcast.status = BroadcastStatus.SENT
    broadcast.recipients = (
        session.scalar(
            select(func.sum(BroadcastPost.recipients)).where(
                BroadcastPost.broadcast_id == broadcast.id
            )
        )
        or 0
    )
    return {c: count for c, count in written.items() if c in chosen or count}


# People written per transaction of a large send: about 1.5 s of work, so the first
# messages leave seconds after the approval instead of after the whole million, and a
# worker killed half-way loses one run, not the broadcast's half-minute.
FAN_OUT_STAYS_PER_RUN = 50_000


def fan_out_waiting(session_factory: Callable[[], Session], now: datetime) -> int:
    """The worker's part of a large send: each broadcast waiting in ``sending``, oldest
    approval first, fanned out run of cells by run of cells (``targeting.cells_holding``),
    each run in a transaction of its own; returns how many broadcasts it finished. A worker
    killed half-way leaves the broadcast waiting at its last run written, and the next turn
    goes on from there."""
    handled = 0
    while True:
        with session_factory() as session, session.begin():
            broadcast = session.scalars(
                select(Broadcast)
                .where(Broadcast.status == BroadcastStatus.SENDING)
                .order_by(Broadcast.approved_at)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if broadcast is None:
                return handled
            crisis = session.get_one(Crisis, broadcast.crisis_id)
            cells = targeting.cells_holding(
                session, crisis, after=broadcast.fanned_out_through, stays=FAN_OUT_STAYS_PER_RUN
            )
            queued = fan_out(session, crisis, broadcast, now=now, cells=cells)
            if broadcast.status == BroadcastStatus.SENT:
                log.info("broadcast sent", broadcast_id=str(broadcast.id), queued=queued)
                handled += 1


def _audience_exceeds(session: Session, crisis: Crisis, broadcast: Broadcast, limit: int) -> bool:
    """Whether more than ``limit`` stays are in the broadcast's audience: counted no further
    than ``limit + 1``, so a million-person audience costs no more to decide than a small one."""
    scope = [broadcast.representation_code] if broadcast.representation_code else None
    stays = targeting.audience(session, crisis, representation_codes=scope, columns=(Stay.id,))
    counted = select(func.count()).select_from(stays.limit(limit + 1).subquery())
    return (session.scalar(counted) or 0) > limit


def read_model(broadcast: Broadcast) -> BroadcastRead:
    """The API view of a broadcast."""
    values: dict[str, Any] = {
        c: getattr(broadcast, c)
        for c in (
            "id", "crisis_id", "status", "representation_code", "remind_after_minutes",
            "created_by_display", "approved_by", "approved_at", "sent_at", "recipients",
        )
    }  # fmt: skip
    return BroadcastRead(
        **values,
        messages=json.loads(broadcast.messages),
        channels=broadcast.channels.split(","),
    )


def list_for(session: Session, *, crisis_id: uuid.UUID, actor: Actor) -> list[Broadcast]:
    """The crisis's broadcasts the caller reaches (HQ's to every post, and their own post's),
    newest first."""
    crisis = crisis_service.get(session, crisis_id=crisis_id, actor=actor)
    query = select(Broadcast).where(Broadcast.crisis_id == crisis.id)
    posts = access.audience_posts(actor)
    if posts is not None:
        query = query.where(
            Broadcast.representation_code.is_(None)
            | Broadcast.representation_code.in_(sorted(posts))
        )
    return list(session.scalars(query.order_by(Broadcast.created_at.desc()).limit(100)))
