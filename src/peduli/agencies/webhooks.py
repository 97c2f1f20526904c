"""Webhook subscriptions of partner systems (HQ), and publishing events to them.

Publishing (``publish``, a periodic task) turns every unpublished ``domain_event`` row into
one outbox message per active subscription of its type (channel ``webhook``), with two
statements: mark a batch of events published under this run's own timestamp, then one
``INSERT … SELECT`` joining exactly those events to the subscriptions. A subscription
receives only events that happened after it was made. The outbox row holds the event's and
the subscription's ids, never the payload: the webhook channel builds and signs the payload
at each attempt (``webhook_channel``), so a retry carries a fresh timestamp.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, String, cast, delete, literal, select, update
from sqlalchemy.orm import Session

from peduli.agencies.access import require_webhook_manager
from peduli.agencies.models import WebhookSubscription, WebhookSubscriptionEvent
from peduli.agencies.schemas import SubscriptionCreate, SubscriptionRead, SubscriptionUpdate
from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core.config import get_settings
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, NotFound, require_valid
from peduli.core.events import DomainEvent
from peduli.core.i18n import _
from peduli.notify import service as notify_service
from peduli.notify.models import ChannelName, MessagePriority

PUBLISH_BATCH = 5000
# Published events are kept this long (for support: what was sent when), then deleted.
EVENT_RETENTION = timedelta(days=30)
# Where a subscriber may listen on plain http (the sandbox receiver); elsewhere https only.
PLAIN_HTTP_ENVIRONMENTS = frozenset({"development", "demo", "test"})


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` and 32 random bytes."""
    return "whsec_" + secrets.token_urlsafe(32)


def url_problems(url: str | None) -> list[FieldProblem]:
    """An absolute http(s) URL; https outside development."""
    if url is None:
        return []
    parts = urlsplit(url)
    plain = get_settings().environment in PLAIN_HTTP_ENVIRONMENTS
    allowed = ("https", "http") if plain else ("https",)
    if parts.scheme in allowed and parts.hostname:
        return []
    return [
        FieldProblem(
            field="url",
            code="bad_url",
            message=_("Give the full address the events are posted to."),
            hint=_("It starts with https:// (http:// only on a development installation)."),
        )
    ]


def _read(sub: WebhookSubscription, types: list[str]) -> SubscriptionRead:
    return SubscriptionRead(
        id=sub.id,
        subscriber=sub.subscriber,
        url=sub.url,
        purpose=sub.purpose,
        event_types=sorted(types),
        active=sub.active,
        created_at=sub.created_at,
    )


def _types_of(session: Session, subscription_id: uuid.UUID) -> list[str]:
    return list(
        session.scalars(
            select(WebhookSubscriptionEvent.event_type).where(
                WebhookSubscriptionEvent.subscription_id == subscription_id
            )
        )
    )


def _set_types(session: Session, subscription_id: uuid.UUID, types: list[str]) -> None:
    session.execute(
        delete(WebhookSubscriptionEvent).where(
            WebhookSubscriptionEvent.subscription_id == subscription_id
        )
    )
    session.add_all(
        WebhookSubscriptionEvent(subscription_id=subscription_id, event_type=t)
        for t in sorted(set(types))
    )


def create_subscription(
    session: Session, *, data: SubscriptionCreate, actor: Actor
) -> tuple[SubscriptionRead, str]:
    """Make a subscription (HQ admins); returns it and its secret, shown this once."""
    require_webhook_manager(session, actor, action="webhook.create")
    require_valid(url_problems(data.url))
    secret = new_secret()
    now = utcnow()
    sub = WebhookSubscription(
        id=uuid.uuid4(),
        subscriber=data.subscriber,
        url=data.url,
        secret=secret,
        purpose=data.purpose,
        created_by=actor.account_id,
        created_at=now,
        updated_at=now,
    )
    session.add(sub)
    session.flush()
    types = [t.value for t in data.event_types]
    _set_types(session, sub.id, types)
    audit.record(
        session,
        actor=actor,
        action="webhook.create",
        entity_type="webhook_subscription",
        entity_id=str(sub.id),
        fields=["subscriber", "url", "purpose", "event_types"],
    )
    return _read(sub, types), secret


def _load(session: Session, subscription_id: uuid.UUID) -> WebhookSubscription:
    sub = session.get(WebhookSubscription, subscription_id)
    if sub is None:
        raise NotFound(_("There is no webhook subscription with this id."))
    return sub


def update_subscription(
    session: Session, *, subscription_id: uuid.UUID, data: SubscriptionUpdate, actor: Actor
) -> SubscriptionRead:
    """Change a subscription's URL, purpose, event types or whether it is active."""
    require_webhook_manager(session, actor, action="webhook.update")
    sub = _load(session, subscription_id)
    require_valid(url_problems(data.url))
    changed = [name for name, value in data.model_dump(exclude_none=True).items() if value != ""]
    if data.url is not None:
        sub.url = data.url
    if data.purpose is not None:
        sub.purpose = data.purpose
    if data.active is not None:
        sub.active = data.active
    if data.event_types is not None:
        _set_types(session, sub.id, [t.value for t in data.event_types])
    sub.updated_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action="webhook.update",
        entity_type="webhook_subscription",
        entity_id=str(sub.id),
        fields=changed,
    )
    return _read(sub, _types_of(session, sub.id))


def rotate_secret(
    session: Session, *, subscription_id: uuid.UUID, actor: Actor
) -> tuple[SubscriptionRead, str]:
    """Give a subscription a new secret (the old one stops signing at once)."""
    require_webhook_manager(session, actor, action="webhook.rotate_secret")
    sub = _load(session, subscription_id)
    secret = new_secret()
    sub.secret = secret
    sub.updated_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action="webhook.rotate_secret",
        entity_type="webhook_subscription",
        entity_id=str(sub.id),
        fields=["secret"],
    )
    return _read(sub, _types_of(session, sub.id)), secret


def list_subscriptions(session: Session, *, actor: Actor) -> list[SubscriptionRead]:
    """Every subscription, newest first (HQ admins)."""
    require_webhook_manager(session, actor, action="webhook.list")
    subs = list(
        session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.created_at.desc()))
    )
    types: dict[uuid.UUID, list[str]] = {s.id: [] for s in subs}
    for sub_id, event_type in session.execute(
        select(WebhookSubscriptionEvent.subscription_id, WebhookSubscriptionEvent.event_type)
    ):
        types.setdefault(sub_id, []).append(event_type)
    return [_read(s, types[s.id]) for s in subs]


def idempotency_key(event_id: object, subscription_id: object) -> str:
    return f"webhook:{event_id}:{subscription_id}"


def publish(session: Session, now: datetime) -> int:
    """Fan the unpublished events out to their subscriptions; returns the messages queued.

    The batch is marked with this run's own timestamp first, so the fan-out reads exactly
    the rows this run took (an event committed meanwhile waits for the next run); a second
    worker at once marks other rows or none, and the outbox keys are unique anyway.
    """
    upto = session.scalar(
        select(DomainEvent.id)
        .where(DomainEvent.published_at.is_(None))
        .order_by(DomainEvent.id)
        .offset(PUBLISH_BATCH - 1)
        .limit(1)
    )
    stamp = now + timedelta(microseconds=secrets.randbelow(1000))
    bound: list[ColumnElement[bool]] = [DomainEvent.published_at.is_(None)]
    if upto is not None:
        bound.append(DomainEvent.id <= upto)
    result: Any = session.execute(
        update(DomainEvent).where(*bound).values(published_at=stamp),
        execution_options={"preserve_rowcount": True},
    )
    marked = int(result.rowcount or 0)
    if not marked:
        return 0
    sub = WebhookSubscription
    wanted = WebhookSubscriptionEvent
    key = literal("webhook:") + cast(DomainEvent.id, String) + literal(":") + cast(sub.id, String)
    messages = (
        select(
            *notify_service.message_columns(
                channel=ChannelName.WEBHOOK.value,
                sealed_recipient=cast(sub.id, String),
                subject=DomainEvent.event_type,
                body=cast(DomainEvent.id, String),
                idempotency_key=key,
                priority=MessagePriority.ORDINARY,
            )
        )
        .join(wanted, wanted.event_type == DomainEvent.event_type)
        .join(sub, sub.id == wanted.subscription_id)
        .where(
            DomainEvent.published_at == stamp,
            sub.active.is_(True),
            sub.created_at <= DomainEvent.occurred_at,
        )
    )
    return notify_service.enqueue_selected(session, messages)


def purge_published(session: Session, now: datetime) -> int:
    """Delete up to a batch of events published more than ``EVENT_RETENTION`` ago (they
    hold no personal data; their outbox rows follow the outbox's own retention)."""
    old = (
        select(DomainEvent.id)
        .where(DomainEvent.published_at < now - EVENT_RETENTION)
        .order_by(DomainEvent.id)
        .limit(PUBLISH_BATCH)
    )
    result: Any = session.execute(
        delete(DomainEvent).where(DomainEvent.id.in_(old.scalar_subquery())),
        execution_options={"preserve_rowcount": True},
    )
    return int(result.rowcount or 0)
