"""The HTTP payment gateway adapter (``PEDULI_PAYMENT_GATEWAY_URL``), used by the worker."""

from __future__ import annotations

import httpx

from peduli.core.config import get_settings
from peduli.services.ports import (
    PaymentGateway,
    PermanentPaymentError,
    RetryablePaymentError,
)


class HttpPaymentGateway:
    """``POST {base}/virtual-accounts`` with a bearer token; 409 (already open) is success."""

    def __init__(self, *, base_url: str, token: str, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout

    def open_virtual_account(
        self, *, reference: str, amount_cents: int, currency: str, description: str
    ) -> None:
        payload = {
            "reference": reference,
            "amount_cents": amount_cents,
            "currency": currency,
            "description": description,
        }
        try:
            response = httpx.post(
                f"{self.base_url}/virtual-accounts",
                json=payload,
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=self._timeout,
            )
        except httpx.TransportError as error:
            raise RetryablePaymentError(f"gateway unreachable: {type(error).__name__}") from error
        if response.is_success or response.status_code == 409:
            return
        text = f"gateway answered {response.status_code}: {response.text[:200]}"
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryablePaymentError(text)
        raise PermanentPaymentError(text)


def current_gateway() -> PaymentGateway:
    """The gateway of the settings."""
    settings = get_settings()
    return HttpPaymentGateway(
        base_url=settings.payment_gateway_url,
        token=settings.payment_gateway_token,
        timeout=settings.adapter_timeout_seconds,
    )
