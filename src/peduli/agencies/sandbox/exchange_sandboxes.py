"""Starting the bilateral exchange's sandbox partner state and the sandbox webhook receiver
together (``peduli sandbox``, ``peduli demo``), on the settings' ports or free ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from peduli.agencies.exchange_signing import exchange_settings, our_public_keys
from peduli.agencies.sandbox.partner_state import PartnerStateSandbox
from peduli.agencies.sandbox.webhook_receiver import WebhookReceiver
from peduli.core.config import get_settings


@dataclass
class ExchangeSandboxes:
    """The running sandbox partner state and webhook receiver."""

    partner_state: PartnerStateSandbox
    receiver: WebhookReceiver

    def stop(self) -> None:
        self.partner_state.stop()
        self.receiver.stop()


def start_exchange_sandboxes(
    session_factory: Callable[[], Session], *, any_port: bool = False
) -> ExchangeSandboxes:
    """Start both, on ``PEDULI_AGENCY_PARTNER_STATE_URL`` and
    ``PEDULI_AGENCY_WEBHOOK_RECEIVER_URL``'s ports (``any_port``: free ones). The partner
    state trusts our signing key (``PEDULI_EXCHANGE_SIGNING_KEY``)."""
    settings = get_settings()
    partner_port = 0 if any_port else urlsplit(settings.agency_url("partner_state")).port or 80
    receiver_port = 0 if any_port else urlsplit(settings.agency_url("webhook_receiver")).port or 80
    partner = PartnerStateSandbox(session_factory, our_keys=our_public_keys(), port=partner_port,
                                  window=exchange_settings().replay_window_seconds)  # fmt: skip
    try:
        receiver = WebhookReceiver(session_factory, port=receiver_port)
    except BaseException:
        partner.stop()
        raise
    partner.start()
    receiver.start()
    return ExchangeSandboxes(partner, receiver)
