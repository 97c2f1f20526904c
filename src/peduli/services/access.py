"""Who may work, read and report on applications: the post's staff for their post (HQ admins
every post), the applicant for their own; built on the one policy of ``auth.policy``."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.roles import (
    CATALOGUE_EDITORS,
    LOCAL_NOTE_EDITORS,
    SERVICE_HANDLERS,
    SERVICE_REPORT_READERS,
    Role,
)
from peduli.core.errors import NotFound
from peduli.core.i18n import _
from peduli.services.models import ServiceApplication


def require_handler(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (and audit) roles that do not work applications."""
    policy.require_role(session, actor, roles=SERVICE_HANDLERS, action=action)


def require_report_reader(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (and audit) roles that may not read the services' figures."""
    policy.require_role(session, actor, roles=SERVICE_REPORT_READERS, action=action)


def require_catalogue_editor(session: Session, actor: Actor, *, action: str) -> None:
    """Only HQ publishes the catalogue."""
    policy.require_role(session, actor, roles=CATALOGUE_EDITORS, action=action)


def require_note_editor(session: Session, actor: Actor, *, action: str) -> None:
    """A post's leaders write its local notes."""
    policy.require_role(session, actor, roles=LOCAL_NOTE_EDITORS, action=action)


def handled_here(actor: Actor) -> ColumnElement[bool]:
    """The applications of the caller's post (HQ: every post), as a WHERE clause."""
    return policy.within_posts(actor, ServiceApplication.representation_code)


def is_applicant(actor: Actor) -> bool:
    return actor.role == Role.CITIZEN


def _missing(session: Session, actor: Actor, application_id: uuid.UUID, action: str) -> NotFound:
    exists = session.scalar(
        select(ServiceApplication.id).where(ServiceApplication.id == application_id)
    )
    if exists is not None:
        audit.record_denial(
            session,
            actor=actor,
            action=action,
            entity_type="service_application",
            entity_id=str(application_id),
        )
    return NotFound(_("There is no application with this id for you."))


def application_in_scope(
    session: Session, actor: Actor, application_id: uuid.UUID, *, action: str
) -> ServiceApplication:
    """The application if the caller reaches it (its applicant, or its post's staff);
    otherwise 404, and the denial audited when it exists."""
    if is_applicant(actor):
        where = ServiceApplication.person_id == actor.person_id
        if actor.person_id is None:
            raise _missing(session, actor, application_id, action)
    else:
        require_handler(session, actor, action=action)
        where = handled_here(actor)
    found = session.scalar(
        select(ServiceApplication).where(ServiceApplication.id == application_id, where)
    )
    if found is None:
        raise _missing(session, actor, application_id, action)
    return found
