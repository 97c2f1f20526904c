"""Broadcasts: draft → approval by a second person → send, and one reminder to the silent.

Sending is two set-based statements per call, never a loop over people: one
``INSERT … SELECT`` materialises the recipients (the crisis audience, one row per person,
with their language and distance to the centre), then one ``INSERT … SELECT`` per channel
writes the outbox, each message in the recipient's language (a CASE in SQL), carrying a
personal signed link, nearest people first by priority. Idempotency keys
``crisis:<recipient>:<channel>`` make a repeated send write nothing twice.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core.db import insert_on_conflict, is_postgres, utcnow
from peduli.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import LANGUAGES, _, in_language, localized
from peduli.crisis import access, links, targeting
from peduli.crisis import service as crisis_service
from peduli.crisis.models import Broadcast, BroadcastStatus, Crisis, CrisisStatus, Recipient
from peduli.crisis.schemas import BroadcastCreate, BroadcastRead
from peduli.notify import service as notify_service
from peduli.notify.models import ChannelName, MessagePriority
from peduli.registry.models import ContactKind, ContactPoint, Person, Stay

# Which contact point each channel uses.
CHANNEL_CONTACT = {
    ChannelName.SMS.value: ContactKind.PHONE.value,
    ChannelName.WHATSAPP.value: ContactKind.PHONE.value,
    ChannelName.EMAIL.value: ContactKind.EMAIL.value,
}
# Broadcasts spread over the crisis band of the outbox's ladder: one step down per 5 km
# from the centre; without a centre everyone sits in the middle of the band.
NEAREST_PRIORITY = int(MessagePriority.CRISIS_NEAREST)
FARTHEST_PRIORITY = int(MessagePriority.CRISIS_FARTHEST)
NO_CENTRE_PRIORITY = (NEAREST_PRIORITY + FARTHEST_PRIORITY) // 2
KM_PER_PRIORITY_STEP = 5.0
STALE_STATISTICS_ROWS = 10_000


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
    broadcast = Broadcast(
        id=uuid.uuid4(),
        crisis_id=crisis.id,
        messages=json.dumps({k: v for k, v in body.messages.items() if v}, ensure_ascii=False),
        channels=",".join(dict.fromkeys(body.channels)),
        representation_code=access.broadcast_post(actor),
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
    access.require_broadcast_post(session, actor, broadcast, action="crisis.broadcast.approve")
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
) -> tuple[Broadcast, dict[str, int]]:
    """Target and write the outbox; sending again only adds people who newly arrived."""
    access.require_broadcaster(session, actor, action="crisis.broadcast.send")
    broadcast = get(session, crisis_id=crisis_id, broadcast_id=broadcast_id, actor=actor)
    access.require_broadcast_post(session, actor, broadcast, action="crisis.broadcast.send")
    if broadcast.status == BroadcastStatus.DRAFT:
        raise Conflict(
            _("This broadcast must be approved by a second person before it is sent."),
            code="broadcast_not_approved",
        )
    crisis = session.get_one(Crisis, broadcast.crisis_id)
    moment = now or utcnow()
    add_recipients(session, crisis, broadcast, now=moment)
    queued = {
        channel: write_outbox(session, crisis, broadcast, channel=channel)
        for channel in broadcast.channels.split(",")
    }
    broadcast.status = BroadcastStatus.SENT
    broadcast.sent_by = actor.account_id
    broadcast.sent_at = broadcast.sent_at or moment
    broadcast.recipients = (
        session.scalar(
            select(func.count())
            .select_from(Recipient)
            .where(Recipient.broadcast_id == broadcast.id)
        )
        or 0
    )
    _audit(session, actor, "crisis.broadcast.send", broadcast)
    return broadcast, queued


def add_recipients(session: Session, crisis: Crisis, broadcast: Broadcast, *, now: datetime) -> int:
    """One INSERT … SELECT of the audience into ``crisis_recipient`` (one row per person)."""
    scope = [broadcast.representation_code] if broadcast.representation_code else None
    remind_at = now + timedelta(minutes=broadcast.remind_after_minutes)
    language = case(
        (Person.preferred_language.in_(LANGUAGES), Person.preferred_language), else_="id"
    )
    columns = (
        literal(broadcast.id).label("broadcast_id"),
        literal(crisis.id).label("crisis_id"),
        Stay.person_id,
        Stay.id.label("stay_id"),
        Stay.representation_code,
        language.label("language"),
        targeting.distance_column(crisis),
        literal(now, Recipient.created_at.type).label("created_at"),
        literal(remind_at, Recipient.remind_at.type).label("remind_at"),
    )
    query = targeting.audience(session, crisis, representation_codes=scope, columns=columns)
    names = [
        "broadcast_id", "crisis_id", "person_id", "stay_id", "representation_code", "language",
        "distance_km", "created_at", "remind_at",
    ]  # fmt: skip
    statement = (
        insert_on_conflict(session, Recipient)
        .from_select(names, query)
        .on_conflict_do_nothing(index_elements=["broadcast_id", "person_id"])
    )
    added = int(
        getattr(
            session.execute(statement, execution_options={"preserve_rowcount": True}),
            "rowcount",
            0,
        )
        or 0
    )
    if added > STALE_STATISTICS_ROWS and is_postgres(session):
        # A million new rows the planner does not know of yet would make it join the
        # contact points by index look-ups, one per person, instead of one hash join.
        session.execute(text("ANALYZE crisis_recipient"))
    return added


def _texts(broadcast: Broadcast) -> dict[str, str]:
    """Each language's text with the answer line that precedes the link."""
    messages: dict[str, str] = json.loads(broadcast.messages)
    result = {}
    for lang in LANGUAGES:
        text = messages.get(lang) or messages["id"]
        hint = in_language(_("Reply SAFE or HELP, or answer here:"), lang)
        result[lang] = f"{text}\n{hint} "
    return result


def _priority(crisis: Crisis) -> ColumnElement[int]:
    if crisis.center_latitude is None:
        return literal(NO_CENTRE_PRIORITY)
    steps = func.coalesce(Recipient.distance_km, 0.0) / KM_PER_PRIORITY_STEP
    return cast(
        case(
            (steps + NEAREST_PRIORITY > FARTHEST_PRIORITY, FARTHEST_PRIORITY),
            else_=steps + NEAREST_PRIORITY,
        ),
        Integer,
    )


def message_keys() -> list[ColumnElement[str]]:
    """The idempotency keys of a recipient row's broadcast messages (one per channel; not
    the reminders), in SQL: what the board asks the outbox about."""
    return [outbox_key(channel) for channel in CHANNEL_CONTACT]


def outbox_key(suffix: str) -> ColumnElement[str]:
    """``crisis:<recipient>:<suffix>`` of each recipient row, in SQL.

    The recipient row is unique per broadcast and person, so its id is the whole identity;
    a short key keeps the outbox's unique index small for a million rows at a time.
    """
    return literal("crisis:") + cast(Recipient.id, String) + literal(f":{suffix}")


def write_outbox(
    session: Session,
    crisis: Crisis,
    broadcast: Broadcast,
    *,
    channel: str,
    body: ColumnElement[str] | None = None,
    key_suffix: str | None = None,
    only: ColumnElement[bool] | None = None,
) -> int:
    """One INSERT … SELECT of the channel's messages for the broadcast's recipients."""
    kind = CHANNEL_CONTACT[channel]
    text = body if body is not None else localized(_texts(broadcast), Recipient.language)
    link = literal(links.link_base()) + links.token_sql(session, Recipient.id)
    subject = literal(crisis.title[:200])
    query = (
        select(
            *notify_service.message_columns(
                channel=channel,
                sealed_recipient=ContactPoint.value,
                subject=subject,
                body=text + link,
                idempotency_key=outbox_key(key_suffix or channel),
                priority=_priority(crisis),
            )
        )
        .select_from(Recipient)
        .join(
            ContactPoint,
            and_(
                ContactPoint.person_id == Recipient.person_id,
                ContactPoint.kind == kind,
                ContactPoint.is_primary.is_(True),
                # Only a trusted contact receives the person's alerts (never one a claim
                # brought, nor one typed in a report that no code has reached).
                ContactPoint.trusted_at.is_not(None),
            ),
        )
        .where(Recipient.broadcast_id == broadcast.id)
    )
    if only is not None:
        query = query.where(only)
    return notify_service.enqueue_selected(session, query)


def remind_silent(session: Session, now: datetime) -> int:
    """One reminder to each recipient still silent when due; safe to run twice at once.

    The outbox rows carry ``…:<channel>:reminder`` keys, so a second run writes nothing; the
    conditional UPDATE then marks the recipients reminded.
    """
    due = and_(
        Recipient.remind_at <= now, Recipient.reminded_at.is_(None), Recipient.answer.is_(None)
    )
    pending = session.execute(select(Recipient.broadcast_id).where(due).distinct()).scalars().all()
    written = 0
    for broadcast_id in pending:  # one statement per broadcast and channel, never per person
        broadcast = session.get_one(Broadcast, broadcast_id)
        crisis = session.get_one(Crisis, broadcast.crisis_id)
        body = localized(_reminder_texts(crisis), Recipient.language)
        for channel in broadcast.channels.split(","):
            written += write_outbox(
                session, crisis, broadcast, channel=channel, body=body,
                key_suffix=f"{channel}:reminder", only=due,
            )  # fmt: skip
    session.execute(
        update(Recipient)
        .where(due)
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    return written


def _reminder_texts(crisis: Crisis) -> dict[str, str]:
    return {
        lang: in_language(
            _(
                "Reminder from the Indonesian representation ({title}): are you safe? "
                "Reply SAFE or HELP, or answer here:"
            ).format(title=crisis.title),
            lang,
        )
        + " "
        for lang in LANGUAGES
    }


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
