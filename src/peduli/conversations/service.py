"""Officers' use cases: the inbox, reading a conversation, replying, linking it.

Every read of a conversation is audited (its messages name and describe a person); a
conversation out of the caller's scope answers 404 and the denial is audited. Replies go
through the outbox on the conversation's own channel, their bodies sealed. Never commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.auth.policy import Access
from peduli.cases import repository as cases_repository
from peduli.cases.access import case_scope
from peduli.cases.models import Case
from peduli.cases.storage import get_storage
from peduli.conversations import access, repository, retention, templates, workflow
from peduli.conversations.models import (
    ChatChannel,
    Conversation,
    ConversationMessage,
    Direction,
    MessageKind,
    PersonLink,
)
from peduli.conversations.templates import APPROVED_OUTSIDE_WINDOW
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.notify import service as notify_service
from peduli.notify.models import MessagePriority
from peduli.registry import service as registry_service
from peduli.registry.models import Person
from peduli.registry.rights import ErasureStep

MAX_REPLY = 4096


@dataclass(frozen=True)
class ConversationView:
    """One conversation as its screen shows it: the thread and what may be sent now."""

    conversation: Conversation
    messages: Sequence[ConversationMessage]
    in_window: bool
    # The person's name and cases, for those who work on records (never for partners).
    person_name: str | None = None
    cases: Sequence[Case] = ()


def list_inbox(
    session: Session, *, actor: Actor, limit: int, offset: int
) -> tuple[int, list[repository.InboxRow]]:
    """The caller's inbox (the list is audited once: it names people)."""
    access.require_reader(session, actor, action="conversation.list")
    total, rows = repository.inbox(session, actor=actor, limit=limit, offset=offset)
    audit.record(
        session,
        actor=actor,
        action="conversation.list",
        entity_type="conversation",
        fields=["person", "channel"],
    )
    return total, rows


def _load(
    session: Session, conversation_id: uuid.UUID, actor: Actor, *, action: str
) -> Conversation:
    found = repository.conversation_in_scope(session, conversation_id, actor)
    if found is None:
        if session.get(Conversation, conversation_id) is not None:
            audit.record_denial(
                session,
                actor=actor,
                action=action,
                entity_type="conversation",
                entity_id=str(conversation_id),
            )
        raise NotFound(_("There is no conversation with this id among yours."))
    return found


def read_conversation(
    session: Session, *, conversation_id: uuid.UUID, actor: Actor
) -> ConversationView:
    """A conversation and its thread; the read is audited."""
    access.require_reader(session, actor, action="conversation.read")
    conversation = _load(session, conversation_id, actor, action="conversation.read")
    audit.record(
        session,
        actor=actor,
        action="conversation.read",
        entity_type="conversation",
        entity_id=str(conversation.id),
        subject_person_id=conversation.person_id,
    )
    in_window = workflow.in_service_window(
        conversation.channel, conversation.last_inbound_at, utcnow()
    )
    view = ConversationView(conversation, repository.thread(session, conversation.id), in_window)
    if conversation.person_id is None or not access.sees_records(actor):
        return view
    return replace(
        view,
        person_name=session.scalar(
            select(Person.full_name).where(Person.id == conversation.person_id)
        ),
        cases=cases_repository.cases_of_person(
            session, actor=actor, person_id=conversation.person_id, limit=20
        ),
    )


def _reply_text(conversation: Conversation, text: str | None, template: str | None) -> str:
    """What to send: a template in the citizen's language, or the officer's own words (only
    inside WhatsApp's 24-hour window)."""
    if template is not None:
        if template not in templates.TEMPLATES:
            raise ValidationFailed(
                [FieldProblem("template", "unknown_template", _("There is no such template."))]
            )
        in_window = workflow.in_service_window(
            conversation.channel, conversation.last_inbound_at, utcnow()
        )
        if not in_window and template not in templates.APPROVED_OUTSIDE_WINDOW:
            raise _outside_window()
        return templates.template_text(template, conversation.language)
    text = (text or "").strip()
    if not text or len(text) > MAX_REPLY:
        raise ValidationFailed(
            [
                FieldProblem(
                    "text",
                    "reply_length",
                    _("Write a reply of 1 to {limit} characters.").format(limit=MAX_REPLY),
                )
            ]
        )
    if not workflow.in_service_window(conversation.channel, conversation.last_inbound_at, utcnow()):
        raise _outside_window()
    return text


def _outside_window() -> Conflict:
    return Conflict(
        _(
            "More than 24 hours have passed since the citizen last wrote on WhatsApp: only the "
            "approved template may be sent until they answer."
        ),
        code="outside_service_window",
    )


def _subject(conversation: Conversation, template: str | None) -> str:
    """An approved template goes out as a WhatsApp template message (it may cross the
    24-hour window); everything else as text."""
    if conversation.channel != ChatChannel.WHATSAPP or template not in APPROVED_OUTSIDE_WINDOW:
        return ""
    return notify_service.template_subject(template, conversation.language or "id")


def reply(
    session: Session,
    *,
    conversation_id: uuid.UUID,
    actor: Actor,
    text: str | None = None,
    template: str | None = None,
) -> ConversationMessage:
    """Answer the citizen on the conversation's channel, through the outbox."""
    access.require_reader(session, actor, action="conversation.reply")
    conversation = _load(session, conversation_id, actor, action="conversation.reply")
    body = _reply_text(conversation, text, template)
    now = utcnow()
    message = ConversationMessage(
        id=uuid.uuid4(),
        conversation_id=conversation.id,
        channel=conversation.channel,
        direction=Direction.OUTBOUND.value,
        kind=(MessageKind.TEMPLATE if template else MessageKind.TEXT).value,
        body=body,
        sent_by_account_id=actor.account_id,
        created_at=now,
    )
    message.outbox_key = f"chat:{message.id}"
    session.add(message)
    notify_service.enqueue(
        session,
        channel=conversation.channel,
        recipient=conversation.address,
        subject=_subject(conversation, template),
        body=notify_service.sealed_body(body),
        idempotency_key=message.outbox_key,
        priority=MessagePriority.CHAT_REPLY,
    )
    session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id)
        .values(last_outbound_at=now, last_activity_at=now)
        .execution_options(synchronize_session=False)
    )
    audit.record(
        session,
        actor=actor,
        action="conversation.reply",
        entity_type="conversation",
        entity_id=str(conversation.id),
        subject_person_id=conversation.person_id,
    )
    session.flush()
    return message


def link_person(
    session: Session, *, conversation_id: uuid.UUID, person_id: uuid.UUID, actor: Actor
) -> Conversation:
    """An officer says who is writing: a person they may change, the link audited."""
    access.require_linker(session, actor, action="conversation.link_person")
    conversation = _load(session, conversation_id, actor, action="conversation.link_person")
    registry_service.authorize_person(
        session, actor, person_id=person_id, access=Access.WRITE, action="conversation.link_person"
    )
    conversation.person_id = person_id
    conversation.person_link = PersonLink.OFFICER.value
    audit.record(
        session,
        actor=actor,
        action="conversation.link_person",
        entity_type="conversation",
        entity_id=str(conversation.id),
        subject_person_id=person_id,
    )
    session.flush()
    return conversation


def link_case(
    session: Session, *, conversation_id: uuid.UUID, case_id: uuid.UUID, actor: Actor
) -> Conversation:
    """Attach the conversation to a case the officer works on (a partner then sees it when
    the case is delegated to them)."""
    access.require_linker(session, actor, action="conversation.link_case")
    conversation = _load(session, conversation_id, actor, action="conversation.link_case")
    found = session.scalar(select(Case.id).where(Case.id == case_id, case_scope(actor)))
    if found is None:
        raise NotFound(_("There is no case with this id in your representation."))
    conversation.case_id = case_id
    audit.record(
        session,
        actor=actor,
        action="conversation.link_case",
        entity_type="conversation",
        entity_id=str(conversation.id),
        subject_person_id=conversation.person_id,
    )
    session.flush()
    return conversation


def erase_people(
    session: Session, person_ids: Sequence[uuid.UUID], _account_id: uuid.UUID | None
) -> int:
    """A citizen's erasure: their conversations go, with every message, address and stored
    file (what a case needs of a chat is on the case's own timeline)."""
    which = Conversation.person_id.in_(person_ids)
    return retention.delete_conversations(session, which)


ERASURE_STEP = ErasureStep("conversations", erase_people)


@dataclass(frozen=True)
class ChatFile:
    message: ConversationMessage
    data: bytes


def read_file(
    session: Session, *, conversation_id: uuid.UUID, message_id: uuid.UUID, actor: Actor
) -> ChatFile:
    """A photo or document of a conversation the caller may read; the read is audited."""
    access.require_reader(session, actor, action="conversation.file_read")
    conversation = _load(session, conversation_id, actor, action="conversation.file_read")
    message = session.scalar(
        select(ConversationMessage).where(
            ConversationMessage.id == message_id,
            ConversationMessage.conversation_id == conversation.id,
            ConversationMessage.attachment_key.is_not(None),
        )
    )
    if message is None or message.attachment_key is None:
        raise NotFound(_("This conversation has no such file (yet)."))
    audit.record(session, actor=actor, action="conversation.file_read",
                 entity_type="conversation_message", entity_id=str(message.id),
                 subject_person_id=conversation.person_id)  # fmt: skip
    return ChatFile(message, get_storage().get(message.attachment_key))
