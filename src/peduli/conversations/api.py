"""Conversations API: the platforms' webhooks and the officers' inbox.

The webhooks are public routes guarded by the platforms' own proofs (a signature of the raw
body for WhatsApp, the secret token for Telegram), checked before anything is read.
"""

from __future__ import annotations

import hmac
import json
import uuid
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.responses import PlainTextResponse
from sqlalchemy.orm import Session

from peduli.api.deps import PUBLIC, SMS_GATEWAY, DbSession, require_scope
from peduli.api.hot_paths import hot_path_write
from peduli.auth.actor import Actor
from peduli.auth.scopes import CONVERSATIONS_READ, CONVERSATIONS_WRITE
from peduli.conversations import inbound, platforms, service, workflow
from peduli.conversations.models import Conversation, ConversationMessage
from peduli.conversations.repository import InboxRow
from peduli.conversations.schemas import (
    CaseLinkCreate,
    ConversationDetail,
    ConversationPage,
    ConversationRead,
    MessageRead,
    PersonLinkCreate,
    ReplyCreate,
    SmsInbound,
    SmsReceived,
)
from peduli.core.config import get_settings
from peduli.core.errors import FieldProblem, Forbidden, ValidationFailed
from peduli.core.i18n import _
from peduli.notify import receipts

router = APIRouter(tags=["conversations"])
Reader = Annotated[Actor, Depends(require_scope(CONVERSATIONS_READ))]
Writer = Annotated[Actor, Depends(require_scope(CONVERSATIONS_WRITE))]


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as error:
        raise ValidationFailed(
            [FieldProblem("body", "not_json", _("The body is not JSON."))]
        ) from error


def _receive_all(
    db: Session, messages: list[platforms.Inbound], statuses: list[dict[str, Any]] | None = None
) -> None:
    for message in messages:
        inbound.receive(db, inbound=message)
    if statuses:
        receipts.record_whatsapp_statuses(db, statuses)


@router.get("/channels/whatsapp/webhook", response_class=PlainTextResponse, dependencies=[PUBLIC])
def verify_whatsapp_webhook(
    mode: Annotated[str, Query(alias="hub.mode", max_length=20)],
    token: Annotated[str, Query(alias="hub.verify_token", max_length=200)],
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=200)],
) -> str:
    """Meta's webhook set-up: echo the challenge when the verify token is ours."""
    expected = get_settings().whatsapp_verify_token
    if mode != "subscribe" or not hmac.compare_digest(token, expected):
        raise Forbidden(_("The verify token is not the one configured."), code="bad_verify_token")
    return challenge


@router.post("/channels/whatsapp/webhook", dependencies=[PUBLIC])
async def whatsapp_webhook(
    request: Request,
    db: DbSession,
    signature: Annotated[str | None, Header(alias="X-Hub-Signature-256")] = None,
) -> dict[str, str]:
    """Messages from WhatsApp (Cloud API), stored once however often they come, and the
    delivery receipts of ours (``notify.receipts``)."""
    body = await request.body()
    platforms.check_whatsapp_signature(body, signature, get_settings().whatsapp_app_secret)
    payload = _json(body)
    messages, statuses = platforms.whatsapp_messages(payload), platforms.whatsapp_statuses(payload)
    await hot_path_write(db, partial(_receive_all, db, messages, statuses))
    return {"status": "received"}


@router.post("/channels/telegram/webhook", dependencies=[PUBLIC])
async def telegram_webhook(
    request: Request,
    db: DbSession,
    secret: Annotated[str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = None,
) -> dict[str, str]:
    """An update from the Telegram bot (Bot API ``Update``); one message is stored once."""
    platforms.check_telegram_secret(secret, get_settings().telegram_webhook_secret)
    message = platforms.telegram_message(_json(await request.body()))
    await hot_path_write(db, partial(_receive_all, db, [message] if message else []))
    return {"status": "received"}


@router.post(
    "/channels/sms/inbound",
    status_code=status.HTTP_201_CREATED,
    dependencies=[PUBLIC, SMS_GATEWAY],
)
async def sms_inbound(body: SmsInbound, db: DbSession) -> SmsReceived:
    """A text the SMS gateway received: "AMAN", "tolong", anything. An answer to a crisis
    check-in is recorded as one (and confirmed to the sender); any other text joins the
    sender's conversation in the inbox, where an SOS word opens an emergency."""

    def receive() -> SmsReceived:
        answer = inbound.receive_sms(db, sender=body.sender, text=body.text, message_id=body.id)
        if answer is None:
            return SmsReceived(outcome="conversation")
        return SmsReceived(outcome="check_in", answer=answer)

    return await hot_path_write(db, receive)


def conversation_read(conversation: Conversation, *, unanswered: bool) -> ConversationRead:
    """The API shape of a conversation."""
    return ConversationRead(
        id=conversation.id,
        channel=conversation.channel,
        representation_code=conversation.representation_code,
        person_id=conversation.person_id,
        person_link=conversation.person_link,
        case_id=conversation.case_id,
        emergency_id=conversation.emergency_id,
        status=conversation.status,
        language=conversation.language,
        last_inbound_at=conversation.last_inbound_at,
        last_outbound_at=conversation.last_outbound_at,
        unanswered=unanswered,
    )


def _row(row: InboxRow) -> ConversationRead:
    return conversation_read(row.conversation, unanswered=row.unanswered)


def message_read(message: ConversationMessage) -> MessageRead:
    """The API shape of one message."""
    return MessageRead.model_validate(message, from_attributes=True)


def _detail(view: service.ConversationView) -> ConversationDetail:
    conversation = view.conversation
    return ConversationDetail(
        **conversation_read(
            conversation, unanswered=workflow.unanswered(conversation)
        ).model_dump(),
        in_service_window=view.in_window,
        messages=[message_read(m) for m in view.messages],
    )


def _no_store(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"


@router.get("/conversations", response_model=ConversationPage)
def list_conversations(
    db: DbSession,
    actor: Reader,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> ConversationPage:
    """Your post's conversations (HQ: all; partners: those of cases delegated to them),
    unanswered first, then the latest first."""
    _no_store(response)
    total, rows = service.list_inbox(db, actor=actor, limit=limit, offset=offset)
    return ConversationPage(items=[_row(r) for r in rows], total=total)


@router.get("/conversations/{conversation_id}", response_model=ConversationDetail)
def read_conversation(
    conversation_id: uuid.UUID, db: DbSession, actor: Reader, response: Response
) -> ConversationDetail:
    """A conversation and its latest messages (the read is audited)."""
    _no_store(response)
    return _detail(service.read_conversation(db, conversation_id=conversation_id, actor=actor))


@router.post(
    "/conversations/{conversation_id}/replies", status_code=201, response_model=MessageRead
)
def reply(
    conversation_id: uuid.UUID, body: ReplyCreate, db: DbSession, actor: Writer
) -> MessageRead:
    """Answer on the conversation's channel (WhatsApp after 24 hours: the template only)."""
    message = service.reply(
        db, conversation_id=conversation_id, actor=actor, text=body.text, template=body.template
    )
    return message_read(message)


@router.put("/conversations/{conversation_id}/person", response_model=ConversationRead)
def link_person(
    conversation_id: uuid.UUID, body: PersonLinkCreate, db: DbSession, actor: Writer
) -> ConversationRead:
    """Say who is writing (officers of the person's post; audited)."""
    conversation = service.link_person(
        db, conversation_id=conversation_id, person_id=body.person_id, actor=actor
    )
    return conversation_read(conversation, unanswered=workflow.unanswered(conversation))


@router.put("/conversations/{conversation_id}/case", response_model=ConversationRead)
def link_case(
    conversation_id: uuid.UUID, body: CaseLinkCreate, db: DbSession, actor: Writer
) -> ConversationRead:
    """Attach the conversation to a case of your post."""
    conversation = service.link_case(
        db, conversation_id=conversation_id, case_id=body.case_id, actor=actor
    )
    return conversation_read(conversation, unanswered=workflow.unanswered(conversation))
