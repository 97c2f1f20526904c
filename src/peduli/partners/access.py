"""Who may manage which partners, and which partner a partner account works for.

A partner belongs to the post in its ``representation_code`` column; who manages it is the
post scope of ``auth.policy`` (officers and supervisors their post's, HQ admins all).

Both answers come from the database on every call (never cached), so disabling a partner,
unlinking a member or revoking a delegation takes effect on the very next request.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import Actor, Role
from peduli.auth.roles import PARTNER_MANAGERS
from peduli.core.errors import Forbidden
from peduli.core.i18n import _
from peduli.partners.models import Partner, PartnerMember


def manage_scope(session: Session, actor: Actor, *, action: str) -> policy.PostScope:
    """The posts whose partners ``actor`` manages; refused (and audited) for other roles and
    for staff bound to no post."""
    policy.require_role(session, actor, roles=PARTNER_MANAGERS, action=action)
    scope = policy.post_scope(actor)
    if scope == policy.NO_POST:
        audit.record_denial(session, actor=actor, action=action, entity_type="partner")
        raise Forbidden(_("Your account is not bound to a representation."), code="no_post")
    return scope


def partner_id_of(session: Session, actor: Actor, *, action: str) -> uuid.UUID:
    """The active partner a partner account works for; refused (and audited) otherwise."""
    if actor.role == Role.PARTNER:
        found = session.scalar(
            select(Partner.id)
            .join(PartnerMember, PartnerMember.partner_id == Partner.id)
            .where(PartnerMember.staff_account_id == actor.account_id, Partner.active.is_(True))
        )
        if found is not None:
            return found
    audit.record_denial(session, actor=actor, action=action, entity_type="partner")
    raise Forbidden(
        _("Only accounts of an active community partner may do this."), code="not_a_partner"
    )
