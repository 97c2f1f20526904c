"""Who may declare, follow and broadcast in a crisis, and whose people each caller sees.

Built on the post scope of ``auth.policy``. A person belongs to a crisis's post through the
stay the crisis reaches (``Stay`` and ``Recipient`` carry its ``representation_code``):
HQ sees every post's people in counts, board and lists, officers and supervisors their
own post's. A broadcast belongs to one post (a supervisor's) or to every post (HQ's).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.roles import (
    BROADCASTERS,
    CRISIS_DECLARERS,
    CRISIS_HELP_READERS,
    CRISIS_REACHERS,
    CRISIS_VIEWERS,
    EVACUATION_LIST_READERS,
)
from peduli.core.errors import Forbidden
from peduli.core.i18n import _
from peduli.crisis.models import Broadcast


def require_declarer(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (and audit) roles that may not declare, activate or close a crisis."""
    policy.require_role(session, actor, roles=CRISIS_DECLARERS, action=action)


def require_viewer(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (and audit) roles that never follow crises."""
    policy.require_role(session, actor, roles=CRISIS_VIEWERS, action=action)


def require_broadcaster(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (and audit) roles that may not draft, approve or send a broadcast."""
    policy.require_role(session, actor, roles=BROADCASTERS, action=action)


def require_evacuation_list_reader(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (and audit) roles that may not export names and addresses."""
    policy.require_role(session, actor, roles=EVACUATION_LIST_READERS, action=action)


def require_reacher(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (and audit) roles that may not see or call the people still silent."""
    policy.require_role(session, actor, roles=CRISIS_REACHERS, action=action)


def require_person_post(
    session: Session, actor: Actor, post: str | None, *, person_id: uuid.UUID, action: str
) -> None:
    """An officer reaches only their own post's people (HQ every post); refused and audited."""
    if policy.reaches_post(actor, post):
        return
    audit.record_denial(
        session, actor=actor, action=action, entity_type="person", entity_id=str(person_id),
        subject_person_id=person_id,
    )  # fmt: skip
    raise Forbidden(_("This person belongs to another representation."), code="out_of_scope")


def require_help_reader(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (and audit) roles that may not see who asked for help, by name and phone."""
    policy.require_role(session, actor, roles=CRISIS_HELP_READERS, action=action)


def audience_posts(actor: Actor) -> frozenset[str] | None:
    """The posts whose people ``actor`` sees in crisis counts and lists (None: every post)."""
    return policy.post_scope(actor).limited_to


def declared_posts(
    session: Session, actor: Actor, posts: Sequence[str] | None
) -> Sequence[str] | None:
    """The posts a crisis ``actor`` declares involves: HQ names any; a post's declarer
    declares for their own post only (naming another is refused and audited)."""
    scope = policy.post_scope(actor)
    if scope.every_post:
        return posts
    if set(posts or ()) - scope.posts:
        audit.record_denial(
            session, actor=actor, action="crisis.declare", entity_type="crisis",
            reason="another representation",
        )  # fmt: skip
        raise Forbidden(
            _("You declare crises for your own representation only."), code="out_of_scope"
        )
    return sorted(scope.posts)


def broadcast_post(actor: Actor, wanted: str | None = None) -> str | None:
    """The post a broadcast ``actor`` drafts is limited to (None: every post's people).

    HQ may limit a broadcast to one post (``wanted``); a post's own people are the only
    ones a supervisor ever reaches.
    """
    return wanted if policy.post_scope(actor).every_post else actor.representation_code


def require_approver(
    session: Session, actor: Actor, broadcast: Broadcast, *, affected: Collection[str]
) -> None:
    """Who may be the second person: an HQ admin for any broadcast; the supervisor of an
    affected post for a broadcast to that post's people only. Refusals are audited."""
    if policy.post_scope(actor).every_post:
        return
    own = actor.representation_code
    if own and broadcast.representation_code == own and own in affected:
        return
    audit.record_denial(
        session, actor=actor, action="crisis.broadcast.approve", entity_type="crisis_broadcast",
        entity_id=str(broadcast.id),
    )  # fmt: skip
    raise Forbidden(
        _("You may approve only broadcasts to the people of your own, affected representation."),
        code="out_of_scope",
    )


def require_broadcast_post(
    session: Session, actor: Actor, broadcast: Broadcast, *, action: str
) -> None:
    """A supervisor acts only on broadcasts to their own post's people; refused and audited."""
    if policy.reaches_post(actor, broadcast.representation_code):
        return
    audit.record_denial(
        session, actor=actor, action=action, entity_type="crisis_broadcast",
        entity_id=str(broadcast.id),
    )  # fmt: skip
    raise Forbidden(
        _("This broadcast goes to another representation's people."), code="out_of_scope"
    )
