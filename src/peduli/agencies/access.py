"""Who may queue and read a person's checks at the agencies, read the message log, and
import agencies' exports and manage partner systems' webhook subscriptions (HQ admins' work)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from peduli.auth import policy
from peduli.auth.actor import Actor
from peduli.auth.policy import Access
from peduli.auth.roles import (
    AGENCY_IMPORTERS,
    AGENCY_LOG_READERS,
    VERIFICATION_REQUESTERS,
    WEBHOOK_MANAGERS,
)
from peduli.core.errors import NotFound
from peduli.core.i18n import _
from peduli.registry import service as registry_service
from peduli.registry.models import Person


def reach_person(
    session: Session, actor: Actor, *, person_id: uuid.UUID, access: Access, action: str
) -> Person:
    """The person, if the caller's role may work on checks and the policy lets them reach
    this person (their post's people; HQ admins everyone); denials are audited."""
    policy.require_role(session, actor, roles=VERIFICATION_REQUESTERS, action=action)
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(_("No person has this id."))
    registry_service.authorize_person(
        session, actor, person_id=person.id, access=access, action=action
    )
    return person


def require_log_reader(session: Session, actor: Actor) -> None:
    """Only HQ reads the message log of every exchange with the agencies."""
    policy.require_role(session, actor, roles=AGENCY_LOG_READERS, action="agency_log.read")


def require_importer(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (403, audited) anyone but the staff who import agency exports."""
    policy.require_role(session, actor, roles=AGENCY_IMPORTERS, action=action)


def require_webhook_manager(session: Session, actor: Actor, *, action: str) -> None:
    """Partner systems' webhook subscriptions are national: HQ admins only (denials audited).
    The bilateral exchange is part of a case's record: ``cases.access.load_case`` decides."""
    policy.require_role(session, actor, roles=WEBHOOK_MANAGERS, action=action)
