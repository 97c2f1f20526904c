"""Request and response shapes of the conversations API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from peduli.core.schemas import RequestBody


class ConversationRead(BaseModel):
    id: uuid.UUID
    channel: str = Field(examples=["whatsapp"])
    representation_code: str
    person_id: uuid.UUID | None = Field(
        description="Set only by a verified phone or an officer's link (person_link says which)."
    )
    person_link: str | None
    case_id: uuid.UUID | None
    emergency_id: uuid.UUID | None
    status: str
    language: str | None
    last_inbound_at: datetime | None
    last_outbound_at: datetime | None
    unanswered: bool


class ConversationPage(BaseModel):
    items: list[ConversationRead]
    total: int


class MessageRead(BaseModel):
    id: uuid.UUID
    direction: str = Field(examples=["in"])
    kind: str = Field(examples=["text"])
    body: str | None
    sent_by_account_id: uuid.UUID | None
    media_type: str | None
    latitude: float | None
    longitude: float | None
    created_at: datetime


class ConversationDetail(ConversationRead):
    in_service_window: bool = Field(
        description="False on WhatsApp 24 hours after the citizen last wrote: only the "
        "approved template may be sent then."
    )
    messages: list[MessageRead]


class ReplyCreate(RequestBody):
    """An answer: the officer's own words, or a template sent in the citizen's language."""

    text: str | None = Field(default=None, max_length=4096)
    template: str | None = Field(default=None, max_length=40, examples=["received"])


class PersonLinkCreate(RequestBody):
    person_id: uuid.UUID


class CaseLinkCreate(RequestBody):
    case_id: uuid.UUID


class SmsInbound(RequestBody):
    """A text the SMS gateway received: the sender's number, the text, and the gateway's id
    of it (a text delivered twice with its id is kept once)."""

    sender: str = Field(min_length=4, max_length=20, examples=["+60123456789"])
    text: str = Field(min_length=1, max_length=1600, examples=["AMAN"])
    id: str | None = Field(default=None, max_length=100, examples=["sms-in-8f2c"])


class SmsReceived(BaseModel):
    """What became of a text: the answer to a crisis check-in, or a message of the sender's
    conversation (an SOS word in it opens an emergency)."""

    outcome: Literal["check_in", "conversation"]
    answer: str | None = None
