"""Agencies HTTP API: partner systems' webhook subscriptions (HQ admins, ``webhooks:manage``),
a case's bilateral exchange with a partner state (the case's workers, ``cases:read`` /
``cases:write``), and the partner states' signed messages to us (no caller credential: the
partner's Ed25519 signature is the credential; missing 401, wrong or stale 403, a replay 409).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response, status
from pydantic import ValidationError
from sqlalchemy import select

from peduli.agencies import exchange, webhooks
from peduli.agencies.exchange_signing import ExchangeSignatureRejected, verify
from peduli.agencies.models import ExchangePartner
from peduli.agencies.schemas import (
    ExchangeMessageRead,
    ExchangeRequestCreate,
    InboundAccepted,
    InboundMessage,
    SubscriptionCreate,
    SubscriptionRead,
    SubscriptionSecret,
    SubscriptionUpdate,
)
from peduli.api.deps import PUBLIC, DbSession, require_scope
from peduli.api.problems import problems_from_pydantic
from peduli.auth.actor import Actor
from peduli.auth.scopes import CASES_READ, CASES_WRITE, WEBHOOKS_MANAGE
from peduli.core.config import get_settings
from peduli.core.errors import FieldProblem, Forbidden, NotAuthenticated, ValidationFailed
from peduli.core.i18n import _
from peduli.core.schemas import strict_json

router = APIRouter(tags=["agencies"])
Manager = Annotated[Actor, Depends(require_scope(WEBHOOKS_MANAGE))]
CaseReader = Annotated[Actor, Depends(require_scope(CASES_READ))]
CaseWriter = Annotated[Actor, Depends(require_scope(CASES_WRITE))]
SubscriptionId = Annotated[uuid.UUID, Path(description="The subscription's id.")]
CaseId = Annotated[uuid.UUID, Path(description="The case's id.")]
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/webhooks/subscriptions", response_model=list[SubscriptionRead])
def list_subscriptions(actor: Manager, db: DbSession) -> list[SubscriptionRead]:
    """Every partner system's subscription (HQ admins); secrets are never shown again."""
    return webhooks.list_subscriptions(db, actor=actor)


@router.post(
    "/webhooks/subscriptions",
    status_code=status.HTTP_201_CREATED,
    response_model=SubscriptionSecret,
)
def create_subscription(
    body: SubscriptionCreate, actor: Manager, db: DbSession, response: Response
) -> SubscriptionSecret:
    """Subscribe a partner system to event types; the answer holds its secret, once."""
    response.headers.update(NO_STORE)
    read, secret = webhooks.create_subscription(db, data=body, actor=actor)
    return SubscriptionSecret(subscription=read, secret=secret)


@router.patch("/webhooks/subscriptions/{subscription_id}", response_model=SubscriptionRead)
def update_subscription(
    subscription_id: SubscriptionId, body: SubscriptionUpdate, actor: Manager, db: DbSession
) -> SubscriptionRead:
    """Change a subscription's address, purpose, event types, or pause it."""
    return webhooks.update_subscription(db, subscription_id=subscription_id, data=body, actor=actor)


@router.post("/webhooks/subscriptions/{subscription_id}/secret", response_model=SubscriptionSecret)
def rotate_secret(
    subscription_id: SubscriptionId, actor: Manager, db: DbSession, response: Response
) -> SubscriptionSecret:
    """Give the subscription a new signing secret (shown once); the old one stops at once."""
    response.headers.update(NO_STORE)
    read, secret = webhooks.rotate_secret(db, subscription_id=subscription_id, actor=actor)
    return SubscriptionSecret(subscription=read, secret=secret)


@router.get("/cases/{case_id}/exchange", response_model=list[ExchangeMessageRead])
def case_exchange(
    case_id: CaseId, actor: CaseReader, db: DbSession, response: Response
) -> list[ExchangeMessageRead]:
    """The case's messages to and from partner states, oldest first."""
    response.headers.update(NO_STORE)
    return exchange.case_messages(db, case_id=case_id, actor=actor)


@router.post(
    "/cases/{case_id}/exchange",
    status_code=status.HTTP_201_CREATED,
    response_model=ExchangeMessageRead,
)
def send_exchange_request(
    case_id: CaseId,
    body: ExchangeRequestCreate,
    actor: CaseWriter,
    db: DbSession,
    response: Response,
) -> ExchangeMessageRead:
    """Ask a partner state about one of the case's people; the worker signs and sends it."""
    response.headers.update(NO_STORE)
    row = exchange.send_request(db, case_id=case_id, data=body, actor=actor)
    return exchange.message_read(row)


async def signed_body(request: Request) -> tuple[dict[str, str], bytes]:
    """The headers and the raw body, as signed (read before anything parses it)."""
    return dict(request.headers), await request.body()


Signed = Annotated[tuple[dict[str, str], bytes], Depends(signed_body)]
INBOUND_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": InboundMessage.model_json_schema()}},
    }
}


@router.post(
    "/exchange/messages",
    dependencies=[PUBLIC],
    status_code=status.HTTP_202_ACCEPTED,
    response_model=InboundAccepted,
    openapi_extra=INBOUND_BODY,
)
def receive_exchange_message(signed: Signed, db: DbSession) -> InboundAccepted:
    """A partner state's signed answer to one of our requests (Ed25519, see docs/webhooks.md)."""
    headers, raw = signed
    partners = {
        p.key_id: p
        for p in db.scalars(select(ExchangePartner).where(ExchangePartner.active.is_(True)))
    }
    try:
        key_id = verify(
            headers,
            raw,
            public_keys={k: p.public_key for k, p in partners.items()},
            now=time.time(),
            window=get_settings().exchange_replay_window_seconds,
        )
    except ExchangeSignatureRejected as rejected:
        if rejected.reason == "missing":
            raise NotAuthenticated(
                _("Sign the message: send the key id, timestamp and signature headers.")
            ) from rejected
        raise Forbidden(
            _("The message's signature is not valid ({reason}).").format(reason=rejected.reason),
            code=f"signature_{rejected.reason}",
        ) from rejected
    try:
        with strict_json():
            document = InboundMessage.model_validate(json.loads(raw))
    except ValueError as error:
        problems = (
            problems_from_pydantic(error.errors())
            if isinstance(error, ValidationError)
            else [FieldProblem("body", "not_json", _("The body is not JSON."))]
        )
        raise ValidationFailed(problems) from error
    received = exchange.receive(db, partner=partners[key_id], document=document, raw=raw)
    return InboundAccepted(message_id=received.message.message_id)
