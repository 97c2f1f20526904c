"""Fees paid online through the real sandbox gateway: the worker opens the virtual account,
the sandbox settles it by calling our webhook over HTTP, signed; a forged or replayed
notification changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.core.config import get_settings
from peduli.core.db import utcnow
from peduli.services import payments
from peduli.services.payment_gateway import HttpPaymentGateway
from peduli.services.ports import SIGNATURE_HEADER, RetryablePaymentError, sign
from peduli.services.sandbox import PaymentSandbox, start_payment_sandbox
from tests.browser.harness import LiveServer
from tests.services.conftest import bodies_to, renewal


@pytest.fixture
def sandbox(live_server: LiveServer) -> Iterator[PaymentSandbox]:
    gateway = start_payment_sandbox(
        public_url=live_server.url, webhook_secret=get_settings().payment_webhook_secret
    )
    yield gateway
    gateway.stop()


def test_the_sandbox_settles_a_virtual_account_through_the_webhook(
    db: Session, applicant: Actor, sandbox: PaymentSandbox
) -> None:
    application = renewal(db, applicant)
    db.commit()
    gateway = HttpPaymentGateway(base_url=sandbox.base_url, token="sandbox")
    assert payments.open_virtual_accounts(db, utcnow(), gateway=gateway) == 1
    db.commit()
    assert payments.open_virtual_accounts(db, utcnow(), gateway=gateway) == 0
    reference = application.payment_reference
    db.rollback()  # hold no transaction (nor SQLite's writer lock) while the app is called
    assert sandbox.accounts[reference] == {"amount_cents": 2500, "currency": "USD"}
    paid = httpx.post(
        f"{sandbox.base_url}/virtual-accounts/{reference}/pay",
        headers={"Authorization": "Bearer sandbox"},
        timeout=10,
    )
    assert paid.json()["webhook_status"] == 204
    db.expire_all()
    assert application.payment_state == "paid" and application.paid_at is not None
    assert any("is paid" in body or "dibayar" in body for body in bodies_to(db))
    db.rollback()
    # The gateway retries a notification: it is counted once.
    again = httpx.post(
        f"{sandbox.base_url}/virtual-accounts/{reference}/pay",
        headers={"Authorization": "Bearer sandbox"},
        timeout=10,
    )
    assert again.json()["webhook_status"] == 204
    db.rollback()
    assert sum("is paid" in b or "dibayar" in b for b in bodies_to(db)) == 1


def test_an_unreachable_gateway_is_tried_again_later(db: Session, applicant: Actor) -> None:
    renewal(db, applicant)
    db.commit()
    gateway = HttpPaymentGateway(base_url="http://127.0.0.1:9", token="sandbox", timeout=0.5)
    with pytest.raises(RetryablePaymentError):
        gateway.open_virtual_account(reference="1", amount_cents=1, currency="USD", description="")
    assert payments.open_virtual_accounts(db, utcnow(), gateway=gateway) == 0


def test_a_forged_or_wrong_notification_is_refused_as_problem_json(
    client: TestClient, db: Session, applicant: Actor
) -> None:
    application = renewal(db, applicant)
    db.commit()
    body = json.dumps({"reference": application.payment_reference, "amount_cents": 2500,
                       "currency": "USD", "paid_at": "2026-12-07T01:00:00Z"}).encode()  # fmt: skip
    path = "/api/v1/payments/notifications"
    unsigned = client.post(path, content=body)
    assert unsigned.status_code == 401
    assert unsigned.headers["content-type"].startswith("application/problem+json")
    forged = client.post(path, content=body, headers={SIGNATURE_HEADER: sign("guess", body)})
    assert forged.status_code == 403
    cheap = body.replace(b"2500", b"100")
    wrong = client.post(path, content=cheap, headers={SIGNATURE_HEADER: sign("sandbox", cheap)})
    assert wrong.status_code == 409 and wrong.json()["code"] == "wrong_amount"
    db.expire_all()
    assert application.payment_state == "awaiting"
