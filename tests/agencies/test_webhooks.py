"""Webhooks end to end: events where they happen → the publisher → the outbox → the real
sandbox subscriber, which checks each signature; retries, dead letters, subscriptions."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from peduli.agencies import webhooks
from peduli.agencies.sandbox.webhook_receiver import WebhookReceiver
from peduli.agencies.schemas import SubscriptionCreate, SubscriptionUpdate
from peduli.agencies.webhook_channel import WebhookChannel
from peduli.auth.actor import Role
from peduli.cases import casework
from peduli.cases.models import CaseStatus
from peduli.core.db import utcnow
from peduli.core.errors import Forbidden, ValidationFailed
from peduli.core.events import DomainEvent
from peduli.notify.models import OutboxStatus
from peduli.notify.ports import Channel
from tests.agencies.conftest import KL, SessionFactory, dispatch, open_case, staff_actor
from tests.notify.notify_helpers import make_due, outbox, received


def subscribe(
    factory: SessionFactory,
    receiver: WebhookReceiver,
    hook: str = "ngo",
    *,
    trust: bool = True,
    **overrides: object,
) -> str:
    """An HQ admin subscribes the sandbox hook; the receiver is given the secret."""
    values = {
        "subscriber": "Migrant CARE",
        "url": receiver.hook_url(hook),
        "purpose": "Follow up cases of migrant workers",
        "event_types": ["case.opened", "case.closed"],
    }
    values.update(overrides)
    with factory() as session, session.begin():
        admin = staff_actor(session, Role.HQ_ADMIN, None, f"hq-{hook}")
        read, secret = webhooks.create_subscription(
            session, data=SubscriptionCreate.model_validate(values), actor=admin
        )
    if trust:
        receiver.trust(hook, secret)
    return str(read.id)


def open_a_case(factory: SessionFactory, name: str = "officer-kl") -> None:
    with factory() as session, session.begin():
        officer = staff_actor(session, Role.OFFICER, KL, name)
        open_case(session, officer)


def publish(factory: SessionFactory) -> int:
    with factory() as session, session.begin():
        return webhooks.publish(session, utcnow())


def test_an_opened_case_reaches_the_subscriber_signed_without_personal_data(
    session_factory: SessionFactory, receiver: WebhookReceiver, channels: dict[str, Channel]
) -> None:
    subscribe(session_factory, receiver)
    open_a_case(session_factory)

    assert publish(session_factory) == 1
    assert publish(session_factory) == 0  # published once
    assert dispatch(session_factory, channels) == 1

    (got,) = received(session_factory, "webhook")
    event = json.loads(got.body)
    assert event["type"] == "case.opened"
    assert event["id"].startswith("evt_") and got.idempotency_key == event["id"]
    assert event["data"]["representation_code"] == KL
    assert event["data"]["reference"]
    assert "Siti" not in got.body and "Aminah" not in got.body
    assert receiver.refused == []
    assert [row.status for row in outbox(session_factory)] == [OutboxStatus.SENT]


def test_a_closed_case_is_an_event_too(
    session_factory: SessionFactory, receiver: WebhookReceiver, channels: dict[str, Channel]
) -> None:
    subscribe(session_factory, receiver)
    with session_factory() as session, session.begin():
        officer = staff_actor(session, Role.OFFICER, KL, "officer-kl")
        case = open_case(session, officer)
        for step in ("triaged", "in_progress", "resolved", "closed"):
            casework.transition(session, case_id=case.id, actor=officer, to=CaseStatus(step))
    assert publish(session_factory) == 2
    dispatch(session_factory, channels)
    types = sorted(json.loads(m.body)["type"] for m in received(session_factory, "webhook"))
    assert types == ["case.closed", "case.opened"]


def test_a_failing_subscriber_is_retried_with_backoff_then_gets_it_once(
    session_factory: SessionFactory, receiver: WebhookReceiver, channels: dict[str, Channel]
) -> None:
    subscribe(session_factory, receiver)
    open_a_case(session_factory)
    publish(session_factory)
    receiver.faults.fail_next(1, status=503)
    receiver.faults.fail_next(1, status=429, retry_after=120)

    dispatch(session_factory, channels)
    (row,) = outbox(session_factory)
    assert row.status == OutboxStatus.FAILED and row.attempts == 1
    assert row.next_attempt_at > utcnow() + timedelta(seconds=20)  # backed off, not at once
    assert dispatch(session_factory, channels) == 0  # not due yet

    make_due(session_factory)
    dispatch(session_factory, channels)
    (row,) = outbox(session_factory)
    assert row.status == OutboxStatus.FAILED and "429" in (row.last_error or "")
    assert row.next_attempt_at > utcnow() + timedelta(seconds=100)  # Retry-After honoured

    make_due(session_factory)
    dispatch(session_factory, channels)
    assert outbox(session_factory)[0].status == OutboxStatus.SENT
    assert len(received(session_factory, "webhook")) == 1


def test_a_subscriber_down_for_good_becomes_a_dead_letter(
    session_factory: SessionFactory, receiver: WebhookReceiver, channels: dict[str, Channel]
) -> None:
    subscribe(session_factory, receiver)
    open_a_case(session_factory)
    publish(session_factory)
    receiver.faults.fail_next(10, status=500)
    for _ in range(3):  # the policy's max_attempts
        make_due(session_factory)
        dispatch(session_factory, channels)
    (row,) = outbox(session_factory)
    assert row.status == OutboxStatus.DEAD and row.attempts == 3
    assert received(session_factory, "webhook") == []


def test_a_wrong_secret_is_refused_by_the_subscriber_and_dead_lettered(
    session_factory: SessionFactory, receiver: WebhookReceiver, channels: dict[str, Channel]
) -> None:
    subscribe(session_factory, receiver, hook="wrong", trust=False)
    receiver.trust("wrong", "whsec_not_the_one")
    open_a_case(session_factory)
    publish(session_factory)
    dispatch(session_factory, channels)
    assert [r.reason for r in receiver.refused] == ["mismatch"]
    (row,) = outbox(session_factory)
    assert row.status == OutboxStatus.DEAD and "401" in (row.last_error or "")
    assert received(session_factory, "webhook") == []


def test_a_delivery_signed_too_long_ago_is_refused_as_a_replay(
    session_factory: SessionFactory, receiver: WebhookReceiver
) -> None:
    subscribe(session_factory, receiver)
    open_a_case(session_factory)
    publish(session_factory)
    late = WebhookChannel(session_factory, timeout=2.0, clock=lambda: utcnow().timestamp() - 900)
    try:
        dispatch(session_factory, {"webhook": late})
    finally:
        late.close()
    assert [r.reason for r in receiver.refused] == ["stale"]
    assert received(session_factory, "webhook") == []


def test_only_active_subscriptions_of_the_type_get_events_after_they_were_made(
    session_factory: SessionFactory, receiver: WebhookReceiver, channels: dict[str, Channel]
) -> None:
    open_a_case(session_factory, "early")  # before any subscription
    publish(session_factory)
    paused = subscribe(session_factory, receiver, hook="paused")
    subscribe(session_factory, receiver, hook="crises", event_types=["crisis.declared"])
    subscribe(session_factory, receiver, hook="cases")
    with session_factory() as session, session.begin():
        admin = staff_actor(session, Role.HQ_ADMIN, None, "hq-pauser")
        webhooks.update_subscription(
            session,
            subscription_id=uuid.UUID(paused),
            data=SubscriptionUpdate(active=False),
            actor=admin,
        )
    open_a_case(session_factory, "late")
    assert publish(session_factory) == 1
    dispatch(session_factory, channels)
    assert [m.recipient for m in received(session_factory, "webhook")] == ["cases"]
    with session_factory() as session:
        assert session.scalar(select(func.count()).where(DomainEvent.published_at.is_(None))) == 0


def test_only_hq_admins_manage_subscriptions(session_factory: SessionFactory) -> None:
    body = SubscriptionCreate.model_validate(
        {
            "subscriber": "NGO X",
            "url": "https://x.example/h",
            "purpose": "for a test",
            "event_types": ["case.opened"],
        }
    )
    with session_factory() as session:
        for role, post in ((Role.OFFICER, KL), (Role.SUPERVISOR, KL), (Role.HQ_ANALYST, None)):
            actor = staff_actor(session, role, post, f"{role.value}-x")
            with pytest.raises(Forbidden):
                webhooks.create_subscription(session, data=body, actor=actor)
            with pytest.raises(Forbidden):
                webhooks.list_subscriptions(session, actor=actor)
        admin = staff_actor(session, Role.HQ_ADMIN, None, "hq-x")
        read, secret = webhooks.create_subscription(session, data=body, actor=admin)
        assert secret.startswith("whsec_") and read.event_types == ["case.opened"]
        bad = body.model_copy(update={"url": "ftp://x.example/h"})
        with pytest.raises(ValidationFailed):
            webhooks.create_subscription(session, data=bad, actor=admin)


def test_published_events_are_purged_after_their_retention(
    session_factory: SessionFactory,
) -> None:
    open_a_case(session_factory, "one")
    publish(session_factory)
    open_a_case(session_factory, "two")  # not published yet: kept whatever its age
    with session_factory() as session, session.begin():
        later = utcnow() + webhooks.EVENT_RETENTION + timedelta(minutes=1)
        assert webhooks.purge_published(session, utcnow()) == 0
        assert webhooks.purge_published(session, later) == 1
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(DomainEvent)) == 1
