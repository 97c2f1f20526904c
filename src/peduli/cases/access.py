"""Who may work on which case: the post scope of ``auth.policy`` over the case's post.

A case belongs to the post in its ``representation_code`` column. Officers and supervisors
reach the cases of their own representation, HQ admins every case; HQ analysts see
statistics only; partners reach cases only through delegations (their own endpoints),
agencies may only refer new cases. A case outside the caller's reach is
answered as not found (its existence is not disclosed) and the denial is audited.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, false, select
from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.roles import CASE_WORKERS
from peduli.cases.models import Case
from peduli.core.db import is_postgres
from peduli.core.errors import Forbidden, NotFound
from peduli.core.i18n import _


def require_case_worker(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (and audit) roles that do not work on cases directly."""
    policy.require_role(session, actor, roles=CASE_WORKERS, action=action)


def case_scope(actor: Actor) -> ColumnElement[bool]:
    """The SQL condition selecting the cases ``actor`` may work on: none for other roles."""
    if actor.role not in CASE_WORKERS:
        return false()
    return policy.within_posts(actor, Case.representation_code)


def opens_for_any_post(actor: Actor) -> bool:
    """HQ admins open a case for any post; post staff for their own only."""
    return policy.post_scope(actor).every_post


def figures_posts(
    session: Session, actor: Actor, *, wanted: str | None, action: str
) -> frozenset[str] | None:
    """The posts whose figures ``actor`` sees (None: every post), HQ's narrowed to ``wanted``.

    Post staff asking for another post's figures are refused (and audited).
    """
    scope = policy.post_scope(actor)
    if wanted is not None and not scope.covers(wanted):
        audit.record_denial(
            session, actor=actor, action=action, entity_type="stats", entity_id=wanted
        )
        raise Forbidden(
            _("You can see the figures of your own representation only."), code="out_of_scope"
        )
    return scope.narrowed_to(wanted).limited_to


def load_case(
    session: Session, *, case_id: uuid.UUID, actor: Actor, action: str, for_update: bool = False
) -> Case:
    """The case if ``actor`` may work on it; else audit the denial and raise ``NotFound``."""
    require_case_worker(session, actor, action=action)
    query = select(Case).where(Case.id == case_id, case_scope(actor))
    if for_update and is_postgres(session):
        # Changes that move the statistics serialise per case (no double resolution).
        query = query.with_for_update()
    case = session.scalar(query)
    if case is None:
        exists = session.scalar(select(Case.id).where(Case.id == case_id))
        if exists is not None:
            audit.record_denial(
                session, actor=actor, action=action, entity_type="case", entity_id=str(case_id)
            )
        raise NotFound(_("There is no case with this id in your representation."))
    return case
