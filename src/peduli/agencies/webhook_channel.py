"""The outbox channel ``webhook``: POST each event to its subscriber, signed afresh.

An outbox row of this channel names a subscription (recipient) and a ``domain_event``
(body). At each attempt the adapter reads both, builds the payload ``{"id", "type",
"occurred_at", "data"}`` and signs it with the subscription's secret over the attempt's
timestamp (``webhook_signing``). 2xx is delivered; a time-out, 429 or 5xx is tried again by
the outbox with its backoff (``Retry-After`` honoured); any other answer, a deactivated or
deleted subscription, is final: the message becomes a dead letter HQ can put back in line.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from peduli.agencies.models import WebhookSubscription
from peduli.agencies.signed_delivery import SignedDelivery
from peduli.agencies.webhook_signing import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    signature_header,
)
from peduli.core.events import DomainEvent
from peduli.notify.ports import DeliveryResult, DeliveryStatus, OutboundMessage

USER_AGENT = "Peduli-Webhooks/1"


def payload_of(event: DomainEvent) -> bytes:
    """The JSON document subscribers receive for ``event`` (compact, keys sorted)."""
    document: dict[str, Any] = {
        "id": event.public_id,
        "type": event.event_type,
        "occurred_at": event.occurred_at.isoformat(),
        "data": json.loads(event.data or "{}"),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


class WebhookChannel(SignedDelivery):
    """Delivers webhook outbox rows over one pooled HTTP client."""

    receiver = "the subscriber"
    user_agent = USER_AGENT

    def _load(
        self, messages: Sequence[OutboundMessage]
    ) -> tuple[dict[uuid.UUID, WebhookSubscription], dict[int, DomainEvent]]:
        sub_ids = {_uuid(m.recipient) for m in messages} - {None}
        event_ids = {int(m.body) for m in messages if m.body.isdigit()}
        with self._sessions() as session:
            subs = session.scalars(
                select(WebhookSubscription).where(WebhookSubscription.id.in_(sub_ids))
            ).all()
            events = session.scalars(select(DomainEvent).where(DomainEvent.id.in_(event_ids))).all()
            session.expunge_all()
        return {s.id: s for s in subs}, {e.id: e for e in events}

    def send(self, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        """POST each message's event to its subscriber; one result per message."""
        subs, events = self._load(messages)
        results = []
        for message in messages:
            sub = subs.get(_uuid(message.recipient))  # type: ignore[arg-type]
            event = events.get(int(message.body)) if message.body.isdigit() else None
            if sub is None or not sub.active:
                results.append(_rejected(message, "the subscription is deactivated or gone"))
            elif event is None:
                results.append(_rejected(message, "the event is gone"))
            else:
                results.append(self._post(message, sub, event))
        return results

    def _post(
        self, message: OutboundMessage, sub: WebhookSubscription, event: DomainEvent
    ) -> DeliveryResult:
        body = payload_of(event)
        headers = {
            SIGNATURE_HEADER: signature_header([sub.secret], body, int(self._clock())),
            EVENT_ID_HEADER: event.public_id,
            EVENT_TYPE_HEADER: event.event_type,
        }
        answer = self.post_signed(message.id, sub.url, body, headers)
        if isinstance(answer, DeliveryResult):
            return answer
        return DeliveryResult(message.id, DeliveryStatus.SENT, provider_message_id=event.public_id)


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _rejected(message: OutboundMessage, error: str) -> DeliveryResult:
    return DeliveryResult(message.id, DeliveryStatus.REJECTED, error=error)
