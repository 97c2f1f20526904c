"""A broadcast's delivery: its recipients, and their messages in the outbox.

Sending is two set-based statements per call, never a loop over people: one
``INSERT … SELECT`` materialises the recipients (the crisis audience, one row per person,
with their language and distance to the centre), then one ``INSERT … SELECT`` per channel
writes the outbox, each message in the recipient's language (a CASE in SQL), carrying a
personal signed link, nearest people first by priority. Idempotency keys
``crisis:<recipient>:<channel>`` make a repeated send write nothing twice.

A person who prefers a chat channel (WhatsApp, Telegram) and has its trusted contact gets
the broadcast there instead of on the broadcast's other phone channels (SMS, the other
chat); everyone else as the broadcast chose. Email is no phone channel: it goes as chosen.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ColumnExpressionArgument,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session, aliased

from peduli.core.db import insert_on_conflict, is_postgres
from peduli.core.i18n import LANGUAGES, _, in_language, localized
from peduli.crisis import links, targeting
from peduli.crisis.models import Broadcast, BroadcastPost, Crisis, Recipient
from peduli.notify import service as notify_service
from peduli.notify import tallies
from peduli.notify.models import ChannelName, MessagePriority, OutboxTally
from peduli.registry.models import ContactKind, ContactPoint, Person, Stay

# Which contact point each channel uses.
CHANNEL_CONTACT = {
    ChannelName.SMS.value: ContactKind.PHONE.value,
    ChannelName.WHATSAPP.value: ContactKind.PHONE.value,
    ChannelName.TELEGRAM.value: ContactKind.TELEGRAM.value,
    ChannelName.EMAIL.value: ContactKind.EMAIL.value,
}
# Channels that reach a person's phone, of which a person gets one: their preferred chat
# channel, if they have one, replaces the others.
PHONE_CHANNELS = (ChannelName.SMS.value, ChannelName.WHATSAPP.value, ChannelName.TELEGRAM.value)
CHAT_CHANNELS = (ChannelName.WHATSAPP.value, ChannelName.TELEGRAM.value)
# Broadcasts spread over the crisis band of the outbox's ladder: one step down per 5 km
# from the centre; without a centre everyone sits in the middle of the band.
NEAREST_PRIORITY = int(MessagePriority.CRISIS_NEAREST)
FARTHEST_PRIORITY = int(MessagePriority.CRISIS_FARTHEST)
NO_CENTRE_PRIORITY = (NEAREST_PRIORITY + FARTHEST_PRIORITY) // 2
KM_PER_PRIORITY_STEP = 5.0
STALE_STATISTICS_ROWS = 10_000


def add_recipients(
    session: Session,
    crisis: Crisis,
    broadcast: Broadcast,
    *,
    now: datetime,
    cells: targeting.CellRange = targeting.EVERY_CELL,
) -> int:
    """One INSERT … SELECT of the audience (in ``cells``) into ``crisis_recipient`` (one row
    per person)."""
    scope = [broadcast.representation_code] if broadcast.representation_code else None
    remind_at = now + timedelta(minutes=broadcast.remind_after_minutes)
    language = case((Stay.language.in_(LANGUAGES), Stay.language), else_="id")
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
        place_of_stay().label("place"),
        first_in_crisis(crisis).label("counted"),
    )
    query = targeting.audience(
        session, crisis, representation_codes=scope, columns=columns, cells=cells
    )
    names = [
        "broadcast_id", "crisis_id", "person_id", "stay_id", "representation_code", "language",
        "distance_km", "created_at", "remind_at", "place", "counted",
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


def place_of_stay() -> ColumnElement[str]:
    """Where a stay is, as the board groups people: "country · city"."""
    return Stay.country + " · " + Stay.city


def first_in_crisis(crisis: Crisis) -> ColumnElement[bool]:
    """The stay's person has no recipient row in the crisis yet: this one is counted."""
    earlier = aliased(Recipient)
    return not_(exists().where(earlier.crisis_id == crisis.id, earlier.person_id == Stay.person_id))


def with_answer_line(text: str, lang: str) -> str:
    """A message as sent: the text, then the answer line that precedes the personal link."""
    hint = in_language(_("Reply SAFE or HELP, or answer here:"), lang)
    return f"{text}\n{hint} "


def _texts(broadcast: Broadcast) -> dict[str, str]:
    """Each language's text with the answer line that precedes the link."""
    messages: dict[str, str] = json.loads(broadcast.messages)
    return {
        lang: with_answer_line(messages.get(lang) or messages["id"], lang) for lang in LANGUAGES
    }


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


KEY_PREFIX = "crisis:"


def outbox_key(suffix: str) -> ColumnElement[str]:
    """``crisis:<recipient>:<suffix>`` of each recipient row, in SQL.

    The recipient row is unique per broadcast and person, so its id is the whole identity;
    a short key keeps the outbox's unique index small for a million rows at a time.
    """
    return literal(KEY_PREFIX) + cast(Recipient.id, String) + literal(f":{suffix}")


def is_message_key(key: ColumnElement[str], channel: ColumnElement[str]) -> ColumnElement[bool]:
    """``key`` (of a message on ``channel``) is a broadcast message's: ``crisis:<id>:<channel>``,
    not a reminder's (``…:<channel>:reminder``)."""
    return key.like(literal(KEY_PREFIX) + "%:" + channel)


def recipient_of_key(key: ColumnElement[str], channel: ColumnElement[str]) -> ColumnElement[int]:
    """The recipient row a broadcast message's key names (``is_message_key`` rows only), in
    SQL both databases speak: the key less its prefix and its ``:<channel>``."""
    start = len(KEY_PREFIX) + 1
    digits = func.substr(key, start, func.length(key) - start - func.length(channel))
    return cast(digits, Recipient.id.type)


def delivery_channels(broadcast: Broadcast) -> list[str]:
    """The channels a broadcast's messages go out on: those it chose, then the chat
    channels its people may prefer."""
    return list(dict.fromkeys([*broadcast.channels.split(","), *CHAT_CHANNELS]))


def usable_contact(
    contact: type[ContactPoint], person_id: ColumnExpressionArgument[uuid.UUID], kind: str
) -> ColumnElement[bool]:
    """``contact`` is the person's trusted primary contact of ``kind``: the one messages
    go to (never one a claim brought, nor one typed in a report that no code reached)."""
    return and_(
        contact.person_id == person_id,
        contact.kind == kind,
        contact.is_primary.is_(True),
        contact.trusted_at.is_not(None),
    )


def chats_preferred(person_id: ColumnExpressionArgument[uuid.UUID]) -> ColumnElement[bool]:
    """The person prefers a chat channel and has its contact: chat replaces SMS for them."""
    other = aliased(ContactPoint)
    return or_(
        *(
            and_(
                # Never NULL (no preference: ""), so NOT of it is true, not unknown.
                func.coalesce(Person.preferred_channel, "") == channel,
                exists().where(usable_contact(other, person_id, CHANNEL_CONTACT[channel])),
            )
            for channel in CHAT_CHANNELS
        )
    )


def _routed(broadcast: Broadcast, channel: str) -> ColumnElement[bool] | None:
    """Which of the recipients with the channel's contact get the broadcast on it (None:
    every one)."""
    if channel not in PHONE_CHANNELS:
        return None
    as_chosen = not_(chats_preferred(Recipient.person_id))
    if channel not in CHAT_CHANNELS:
        return as_chosen
    preferred = Person.preferred_channel == channel
    return or_(preferred, as_chosen) if channel in broadcast.channels.split(",") else preferred


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
    """One INSERT … SELECT of the channel's messages for the broadcast's recipients who
    get it on this channel (``delivery_channels`` lists the channels to call it for)."""
    if channel not in delivery_channels(broadcast):
        return 0
    kind = CHANNEL_CONTACT[channel]
    routed = _routed(broadcast, channel)
    text = body if body is not None else localized(_texts(broadcast), Recipient.language)
    link = literal(links.link_base()) + links.token_sql(session, Recipient.id)
    subject = literal(crisis.title[:200])
    tallied = key_suffix is None  # the broadcast's own messages, not its reminders
    if tallied:
        tallies.ensure(session, _posts_tallies(broadcast), channel=channel)
    query = (
        select(
            *notify_service.message_columns(
                channel=channel,
                sealed_recipient=ContactPoint.value,
                subject=subject,
                body=text + link,
                idempotency_key=outbox_key(key_suffix or channel),
                priority=_priority(crisis),
                tally_id=OutboxTally.id if tallied else None,
            )
        )
        .select_from(Recipient)
        .join(ContactPoint, usable_contact(ContactPoint, Recipient.person_id, kind))
        .join(Person, Person.id == Recipient.person_id)
        .where(Recipient.broadcast_id == broadcast.id)
    )
    if tallied:
        # Outer: a message whose tally is missing is still sent, only not counted.
        query = query.outerjoin(OutboxTally, tallies.joins(tally_name(broadcast), channel))
    for condition in (routed, only):
        if condition is not None:
            query = query.where(condition)
    return notify_service.enqueue_selected(session, query)


def tally_prefix(broadcast: Broadcast) -> str:
    """The start of the names of the broadcast's tallies (``notify.tallies``)."""
    return f"{KEY_PREFIX}{broadcast.id}:"


def tally_name(broadcast: Broadcast) -> ColumnElement[str]:
    """The tally that counts a recipient row's messages, in SQL: one per broadcast and post,
    so a post's officers read their own people's figures."""
    return literal(tally_prefix(broadcast)) + func.coalesce(Recipient.representation_code, "")


def _posts_tallies(broadcast: Broadcast) -> Select[Any]:
    """The names of the tallies of every post the broadcast has recipients of."""
    return select(literal(tally_prefix(broadcast)) + BroadcastPost.representation_code).where(
        BroadcastPost.broadcast_id == broadcast.id
    )


def count_recipients(session: Session, broadcast: Broadcast, *, added_after: int) -> None:
    """Add the recipients written after the id ``added_after`` (a run's, all the broadcast's
    newest) to the broadcast's counts per post (``BroadcastPost``)."""
    post = func.coalesce(Recipient.representation_code, "")
    added = (
        select(Recipient.broadcast_id, post.label("representation_code"), func.count())
        .where(Recipient.broadcast_id == broadcast.id, Recipient.id > added_after)
        .group_by(Recipient.broadcast_id, post)
    )
    statement = insert_on_conflict(session, BroadcastPost).from_select(
        ["broadcast_id", "representation_code", "recipients"], added
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["broadcast_id", "representation_code"],
            set_={"recipients": BroadcastPost.recipients + statement.excluded.recipients},
        )
    )
