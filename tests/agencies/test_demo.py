"""The demo's exchange: partners registered, a partner system subscribed, and the demo
case's consular access request delivered to the sandbox Malaysia, whose answers come back
to the running app; a second start changes nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from peduli.agencies import exchange, webhooks
from peduli.agencies.models import ExchangeMessage, ExchangePartner, WebhookSubscription
from peduli.agencies.sandbox.exchange_sandboxes import (
    ExchangeSandboxes,
    start_exchange_sandboxes,
)
from peduli.auth.actor import Role
from peduli.core.db import utcnow
from peduli.demo.exchange import DEMO_POST, ensure_demo_exchange
from peduli.demo.staff import ensure_demo_staff
from peduli.notify.ports import Channel
from peduli.registry import service as registry_service
from tests import factories
from tests.agencies.conftest import SessionFactory, dispatch
from tests.browser.harness import LiveServer
from tests.notify.notify_helpers import received


@pytest.fixture
def demo_sandboxes(session_factory: SessionFactory) -> Iterator[ExchangeSandboxes]:
    handles = start_exchange_sandboxes(session_factory, any_port=True)
    handles.partner_state.ack_delay, handles.partner_state.answer_delay = 0.05, 0.2
    yield handles
    handles.stop()


def test_the_demo_asks_malaysia_and_gets_its_answer(
    live_server: LiveServer,
    session_factory: SessionFactory,
    demo_sandboxes: ExchangeSandboxes,
    channels: dict[str, Channel],
) -> None:
    with session_factory() as session, session.begin():
        ensure_demo_staff(session)
        registry_service.submit_self_report(
            session,
            report=factories.report(**factories.KUALA_LUMPUR, address="Jalan Ampang 1"),
            actor=factories.staff(Role.OFFICER, DEMO_POST),
        )
    for _ in range(2):
        with session_factory() as session, session.begin():
            reference = ensure_demo_exchange(session, demo_sandboxes)
    assert reference
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ExchangeMessage)) == 1
        assert session.scalar(select(func.count()).select_from(WebhookSubscription)) == 1
        assert set(session.scalars(select(ExchangePartner.code))) == {"MY", "SA"}
        (request,) = session.scalars(select(ExchangeMessage)).all()

    with session_factory() as session, session.begin():
        webhooks.publish(session, utcnow())
    dispatch(session_factory, channels)
    assert [m.subject for m in received(session_factory, "webhook")] == ["case.opened"]
    (sent,) = received(session_factory, "partner_state")
    assert json.loads(sent.body)["subject"]["passport_number"] == "C1234567"

    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        with session_factory() as session:
            answers = session.scalar(
                select(func.count()).where(ExchangeMessage.in_reply_to == request.message_id)
            )
        if answers == 2:
            break
        time.sleep(0.05)
    assert answers == 2
    with session_factory() as session:
        assert exchange.active_partners(session)[0].code == "MY"
