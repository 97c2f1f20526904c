"""The outbox channel ``partner_state``: post a request to a partner state, signed.

An outbox row of this channel names the partner (recipient, its code) and our stored
message (body, its id). At each attempt the adapter reads the sealed document, signs it with
our Ed25519 key over the attempt's timestamp (``exchange_signing``) and POSTs it to the
partner's ``<url>/messages``. 2xx (the partner's acknowledgement of receipt) is delivered;
a time-out, 429 or 5xx is retried by the outbox with backoff; other answers are final and
the request becomes a dead letter (the case screen shows it failed).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import httpx
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from peduli.agencies import message_log
from peduli.agencies.envelope import Envelope, Purpose
from peduli.agencies.exchange import LOG_AGENCY, request_envelope_id
from peduli.agencies.exchange_signing import exchange_settings, sign
from peduli.agencies.models import AgencyMessage, Direction, ExchangeMessage, ExchangePartner
from peduli.agencies.signed_delivery import SignedDelivery
from peduli.core.logging import get_logger
from peduli.notify.ports import DeliveryResult, DeliveryStatus, OutboundMessage

log = get_logger(__name__)


class PartnerStateChannel(SignedDelivery):
    """Delivers our requests to partner states over one pooled HTTP client."""

    receiver = "the partner state"

    def send(self, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        """Sign and post each request; one result per message."""
        ids = {uuid.UUID(m.body) for m in messages if _is_uuid(m.body)}
        with self._sessions() as session:
            rows = {
                r.id: r
                for r in session.scalars(select(ExchangeMessage).where(ExchangeMessage.id.in_(ids)))
            }
            partners = {p.code: p for p in session.scalars(select(ExchangePartner))}
            session.expunge_all()
        settings = exchange_settings()
        results = []
        for message in messages:
            row = rows.get(uuid.UUID(message.body)) if _is_uuid(message.body) else None
            partner = partners.get(message.recipient)
            if row is None or partner is None or not partner.active:
                results.append(
                    DeliveryResult(
                        message.id,
                        DeliveryStatus.REJECTED,
                        error="the message or the partner state is gone",
                    )
                )
                continue
            body = row.body.encode()
            headers = sign(
                settings.signing_seed(),
                key_id=settings.key_id,
                body=body,
                timestamp=int(self._clock()),
            )
            url = partner.url.rstrip("/") + "/messages"
            results.append(self._post(message, row, url, body, headers))
        return results

    def _post(
        self,
        message: OutboundMessage,
        row: ExchangeMessage,
        url: str,
        body: bytes,
        headers: dict[str, str],
    ) -> DeliveryResult:
        answer = self.post_signed(message.id, url, body, headers)
        if isinstance(answer, DeliveryResult):
            return answer
        self._log_receipt(row, answer)
        return DeliveryResult(message.id, DeliveryStatus.SENT)

    def _log_receipt(self, row: ExchangeMessage, response: httpx.Response) -> None:
        """The partner's receipt of our request, in the message log next to the request."""
        envelope_id = request_envelope_id(row.message_id)
        if envelope_id is None:
            return
        try:
            with self._sessions() as session, session.begin():
                request = session.scalar(
                    select(AgencyMessage).where(
                        AgencyMessage.message_id == envelope_id,
                        AgencyMessage.direction == Direction.REQUEST,
                    )
                )
                if request is None:
                    return
                envelope = Envelope(
                    envelope_id,
                    request.client,
                    request.actor,
                    Purpose(request.purpose),
                    request.cause,
                    request.request_hash,
                )
                message_log.append(
                    session,
                    envelope=envelope,
                    direction=Direction.ANSWER,
                    agency=LOG_AGENCY,
                    operation=request.operation,
                    person_id=request.person_id,
                    outcome="delivered",
                    status=response.status_code,
                    body=response.text[:2000],
                )
        except IntegrityError:  # delivered again after a lost lease: the first receipt stays
            log.info("partner receipt already logged", message_id=row.message_id)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
