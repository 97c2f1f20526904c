"""Request and response shapes of webhook subscriptions and the bilateral exchange."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from peduli.agencies.exchange_workflow import AnswerKind, RequestKind
from peduli.core.events import EventType
from peduli.core.schemas import RequestBody

Url = Annotated[str, StringConstraints(min_length=8, max_length=500)]


class SubscriptionCreate(RequestBody):
    """A partner system to deliver some event types to, signed with a secret made for it."""

    subscriber: str = Field(min_length=2, max_length=200, description="Who receives them.")
    url: Url = Field(description="Where each event is POSTed (https outside development).")
    purpose: str = Field(min_length=5, max_length=500, description="Why they receive them.")
    event_types: list[EventType] = Field(min_length=1, max_length=len(EventType))


class SubscriptionUpdate(RequestBody):
    """Fields to change; those left out stay as they are."""

    url: Url | None = None
    purpose: str | None = Field(default=None, min_length=5, max_length=500)
    event_types: list[EventType] | None = Field(default=None, min_length=1, max_length=20)
    active: bool | None = None


class SubscriptionRead(BaseModel):
    """A subscription as HQ sees it: never its secret (shown once, when made or rotated)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    subscriber: str
    url: str
    purpose: str
    event_types: list[str]
    active: bool
    created_at: datetime
    delivered: int = 0
    waiting: int = 0
    dead: int = 0


class SubscriptionSecret(BaseModel):
    """A subscription with its signing secret, shown this once."""

    subscription: SubscriptionRead
    secret: str = Field(description="Keep it: it is never shown again (rotate to get another).")


class ExchangeRequestCreate(RequestBody):
    """A request to a partner state about one of the case's people."""

    partner_code: str = Field(min_length=2, max_length=8, description="MY, SA…")
    kind: RequestKind
    case_person_id: uuid.UUID = Field(description="Which of the case's people it is about.")
    note: str = Field(default="", max_length=2000, description="What the officer asks.")


class ExchangeMessageRead(BaseModel):
    """One message of a case's exchange, as the case's workers see it."""

    id: uuid.UUID
    message_id: str
    partner_code: str
    direction: str
    kind: str
    in_reply_to: str | None
    created_at: datetime
    delivery: str = Field(description="Outbound: queued, sent or failed (the outbox's word).")
    answered_at: datetime | None
    note: str | None
    details: dict[str, Any]


class InboundMessage(RequestBody):
    """A partner state's signed message: an answer to one of our requests."""

    message_id: str = Field(min_length=8, max_length=100)
    kind: AnswerKind
    in_reply_to: str = Field(min_length=8, max_length=100)
    sent_at: datetime
    partner_reference: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=2000)
    details: dict[str, str] = Field(default_factory=dict, max_length=20)


class InboundAccepted(BaseModel):
    """Our receipt of a partner's message."""

    message_id: str
    status: str = "accepted"
