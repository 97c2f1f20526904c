"""The payment gateway as the services see it: open a virtual account for a fee; the gateway
later posts a signed notification when it is paid (``payments.settle``).

One adapter today, an HTTP gateway (``payment_gateway``), and a sandbox that really listens
(``sandbox``); a bank's or a payment provider's API is another adapter of this protocol.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Protocol

SIGNATURE_HEADER = "X-Payment-Signature"


class PaymentError(Exception):
    """The gateway refused or could not be reached."""


class RetryablePaymentError(PaymentError):
    """Try again later (timeout, 429, 5xx)."""


class PermanentPaymentError(PaymentError):
    """The gateway will never accept this request as sent (4xx)."""


class PaymentGateway(Protocol):
    """Opens virtual accounts; safe to call twice with the same reference."""

    def open_virtual_account(
        self, *, reference: str, amount_cents: int, currency: str, description: str
    ) -> None:
        """Make ``reference`` payable for ``amount_cents`` of ``currency``."""
        ...


def sign(secret: str, body: bytes) -> str:
    """The signature of a notification body (hex HMAC-SHA256)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def is_signed(secret: str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is the gateway's over ``body``."""
    return hmac.compare_digest(sign(secret, body), signature)
