"""The one policy layer: which posts a caller reaches, and who may read or change which person.

Post scope (every domain's ``access.py`` builds on it): HQ reaches every post, officers and
supervisors their own, everyone else none. ``post_scope`` gives it as a value, with the same
answer as a Python check (``PostScope.covers``) and as a SQL filter over any post column
(``PostScope.within``); which roles reach a domain's rows at all stays the domain's gate.

Person rules (UU PDP least privilege):
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
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, false, true
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.auth.roles import HQ_ROLES, POST_BOUND_ROLES, RECORD_WORKERS, Role
from peduli.core.errors import Forbidden
from peduli.core.i18n import _

MIN_REASON_LENGTH = 10


class Access(StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class PostScope:
    """The posts (representations) whose rows a caller reaches: every post, or a set of codes."""

    every_post: bool = False
    posts: frozenset[str] = frozenset()

    @property
    def limited_to(self) -> frozenset[str] | None:
        """The codes to filter on, or None when every post is reached (no filter)."""
        return None if self.every_post else self.posts

    def narrowed_to(self, post: str | None) -> PostScope:
        """This scope narrowed to the one ``post`` an HQ caller asks for; a post's own as is."""
        if self.every_post and post:
            return PostScope(posts=frozenset({post}))
        return self

    def covers(self, post: str | None) -> bool:
        """Whether a row of ``post`` (None: of no post) is within this scope."""
        return self.every_post or (post is not None and post in self.posts)

    def within(self, post_column: SQLColumnExpression[Any]) -> ColumnElement[bool]:
        """The SQL condition ``covers`` states, over a row's post column."""
        if self.every_post:
            return true()
        if len(self.posts) == 1:
            (post,) = self.posts
            return post_column == post
        if self.posts:
            return post_column.in_(sorted(self.posts))
        return false()


EVERY_POST = PostScope(every_post=True)
NO_POST = PostScope()


def post_scope(actor: Actor) -> PostScope:
    """HQ reaches every post, officers and supervisors their own; everyone else none."""
    if actor.role in HQ_ROLES:
        return EVERY_POST
    if actor.role in POST_BOUND_ROLES and actor.representation_code:
        return PostScope(posts=frozenset({actor.representation_code}))
    return NO_POST


def reaches_post(actor: Actor, post: str | None) -> bool:
    """Whether ``actor`` reaches the rows of ``post`` (the Python form of ``within_posts``)."""
    return post_scope(actor).covers(post)


def within_posts(actor: Actor, post_column: SQLColumnExpression[Any]) -> ColumnElement[bool]:
    """The SQL condition selecting the rows of ``post_column`` that ``actor`` reaches."""
    return post_scope(actor).within(post_column)


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
    """The people ``actor`` reaches without stating a reason.

    Record workers reach their post scope's people (HQ analysts, who see figures only,
    reach no one); a citizen reaches their own record.
    """
    if actor.role in RECORD_WORKERS:
        posts = post_scope(actor)
        return Scope(everyone=posts.every_post, representation_codes=posts.posts)
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
