"""Who may see and act on emergencies and rosters: the post scope of ``auth.policy``.

Officers and supervisors reach their own representation; HQ admins and HQ analysts see
every emergency (the HQ list shows no personal data); only a representation's staff and HQ
admins acknowledge. Supervisors and HQ admins edit rosters; officers read their own.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.roles import (
    EMERGENCY_READERS,
    EMERGENCY_RESPONDERS,
    POST_BOUND_ROLES,
    ROSTER_EDITORS,
)
from peduli.core.errors import NotFound
from peduli.core.i18n import _
from peduli.emergency.models import Emergency


def emergency_scope(actor: Actor) -> ColumnElement[bool]:
    """The SQL condition selecting the emergencies ``actor`` may see."""
    return policy.within_posts(actor, Emergency.representation_code)


def require_reader(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (and audit) roles that never see emergencies."""
    policy.require_role(session, actor, roles=EMERGENCY_READERS, action=action)


def require_responder(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (and audit) roles that may not act on an emergency."""
    policy.require_role(session, actor, roles=EMERGENCY_RESPONDERS, action=action)


def acts_for_post(actor: Actor, code: str | None) -> bool:
    """Whether ``actor`` may record or answer for representation ``code``: its staff, or HQ."""
    return policy.reaches_post(actor, code)


def sees_callers(actor: Actor) -> bool:
    """Whether ``actor`` sees who called (those who answer emergencies; not HQ analysts)."""
    return actor.role in EMERGENCY_RESPONDERS


def may_take_case(actor: Actor, code: str) -> bool:
    """Whether the case of an emergency at post ``code`` can be assigned to ``actor``: its own
    officers and supervisors (HQ admins answer for any post but are nobody's assignee)."""
    return actor.role in POST_BOUND_ROLES and actor.representation_code == code


def require_post(session: Session, actor: Actor, code: str, *, action: str, edit: bool) -> None:
    """Admit staff of representation ``code`` (editors only when ``edit``), or HQ."""
    roles = ROSTER_EDITORS if edit else EMERGENCY_READERS
    policy.require_role(session, actor, roles=roles, action=action)
    if policy.reaches_post(actor, code):
        return
    audit.record_denial(session, actor=actor, action=action, entity_type="roster", entity_id=code)
    raise NotFound(_("There is no roster of this representation among yours."))
