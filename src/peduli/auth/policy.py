"""The one policy layer: who may read or change which person, and on what condition.

Rules (UU PDP least privilege):
- a citizen reaches only their own record;
- officers and supervisors reach people with a stay in their representation's
  jurisdiction; anyone else only with a stated reason, which is audited;
- HQ admins reach everyone (audited); HQ analysts see aggregates only;
- partners and agencies have no direct registry access (cases delegate to them).
Every denial is audited by ``authorize``; services call it before touching data.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.auth.roles import POST_BOUND_ROLES, Role
from peduli.core.errors import Forbidden
from peduli.core.i18n import _

MIN_REASON_LENGTH = 10


class Access(StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class Scope:
    """Which people a caller reaches without a reason: all, some posts' people, or one."""

    everyone: bool = False
    representation_codes: frozenset[str] = frozenset()
    person_id: uuid.UUID | None = None

    @property
    def nobody(self) -> bool:
        return not self.everyone and not self.representation_codes and self.person_id is None


def person_scope(actor: Actor) -> Scope:
    """The people ``actor`` reaches without stating a reason."""
    if actor.role == Role.HQ_ADMIN:
        return Scope(everyone=True)
    if actor.role in POST_BOUND_ROLES and actor.representation_code:
        return Scope(representation_codes=frozenset({actor.representation_code}))
    if actor.role == Role.CITIZEN and actor.person_id:
        return Scope(person_id=actor.person_id)
    return Scope()


def may_state_reason(actor: Actor) -> bool:
    """Only post-bound staff may reach outside their scope, with a recorded reason."""
    return actor.role in POST_BOUND_ROLES


@dataclass(frozen=True)
class Decision:
    allowed: bool
    out_of_scope: bool = False
    code: str = ""
    detail: str = ""


def decide(
    actor: Actor,
    *,
    access: Access,
    person_id: uuid.UUID | None,
    representation_codes: Collection[str],
    reason: str | None,
) -> Decision:
    """Decide whether ``actor`` may read or change a person served by ``representation_codes``."""
    scope = person_scope(actor)
    if scope.everyone or (person_id is not None and scope.person_id == person_id):
        return Decision(allowed=True)
    if scope.representation_codes & set(representation_codes):
        return Decision(allowed=True)
    if not may_state_reason(actor):
        return Decision(
            allowed=False,
            code="out_of_scope",
            detail=_("Your role has no access to this person's record."),
        )
    if access is Access.WRITE:
        return Decision(
            allowed=False,
            code="out_of_scope",
            detail=_(
                "This person is served by another representation; ask that representation "
                "to make the change."
            ),
        )
    if not reason or len(reason.strip()) < MIN_REASON_LENGTH:
        return Decision(
            allowed=False,
            out_of_scope=True,
            code="reason_required",
            detail=_(
                "This person is outside your representation's jurisdiction. State why you "
                "need the record (at least {min} characters) in 'reason'; it is recorded."
            ).format(min=MIN_REASON_LENGTH),
        )
    return Decision(allowed=True, out_of_scope=True)


def authorize(
    session: Session,
    actor: Actor,
    *,
    access: Access,
    action: str,
    person_id: uuid.UUID | None,
    representation_codes: Collection[str],
    reason: str | None = None,
) -> Decision:
    """Apply ``decide``; on denial audit it and raise ``Forbidden``."""
    decision = decide(
        actor,
        access=access,
        person_id=person_id,
        representation_codes=representation_codes,
        reason=reason,
    )
    if not decision.allowed:
        audit.record_denial(
            session,
            actor=actor,
            action=action,
            entity_type="person",
            entity_id=str(person_id) if person_id else None,
            subject_person_id=person_id,
            reason=reason,
        )
        raise Forbidden(decision.detail, code=decision.code)
    return decision


def require_role(session: Session, actor: Actor, *, roles: Collection[Role], action: str) -> None:
    """Refuse (and audit) callers whose role may not use this function at all."""
    if actor.role not in roles:
        audit.record_denial(session, actor=actor, action=action, entity_type="function")
        raise Forbidden(_("Your role may not do this."), code="role_not_allowed")
