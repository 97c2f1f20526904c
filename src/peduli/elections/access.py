"""Who may: HQ organises elections; a post's staff (its committee) keep their post's list;
the post's leader fixes it. Built on the one policy of ``auth.policy``; a person's record is
reached through the registry's rule (``policy.authorize`` with the person's posts)."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.roles import ELECTION_ORGANISERS, VOTER_LIST_FIXERS, VOTER_LIST_KEEPERS
from peduli.core.errors import NotFound
from peduli.core.i18n import _
from peduli.elections import repository
from peduli.elections.models import Election, VoterList
from peduli.registry import repository as registry_repository
from peduli.registry.models import Person


def require_organiser(session: Session, actor: Actor, *, action: str) -> None:
    """Only HQ declares elections and generates the lists."""
    policy.require_role(session, actor, roles=ELECTION_ORGANISERS, action=action)


def require_keeper(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (and audit) roles that do not keep a post's list."""
    policy.require_role(session, actor, roles=VOTER_LIST_KEEPERS, action=action)


def require_fixer(session: Session, actor: Actor, *, action: str) -> None:
    """A post's leader (or HQ) fixes the list and sets up the committee."""
    policy.require_role(session, actor, roles=VOTER_LIST_FIXERS, action=action)


def kept_here(actor: Actor) -> ColumnElement[bool]:
    """The lists of the caller's post (HQ: every post), as a WHERE clause."""
    return policy.within_posts(actor, VoterList.representation_code)


def election(session: Session, election_id: uuid.UUID) -> Election:
    """The election, or 404."""
    found = session.get(Election, election_id)
    if found is None:
        raise NotFound(_("There is no election with this id."))
    return found


def post_in_reach(
    session: Session, actor: Actor, *, election_id: uuid.UUID, post: str | None, action: str
) -> str:
    """The post whose list the caller works: their own, or the one HQ names; another post's
    answers 404 (audited)."""
    code = post or actor.representation_code
    if code is None or not policy.reaches_post(actor, code):
        audit.record_denial(
            session, actor=actor, action=action, entity_type="voter_list",
            entity_id=f"{election_id}:{code or '-'}",
        )  # fmt: skip
        raise NotFound(_("There is no voter list of this representation for you."))
    return code


def person_in_reach(session: Session, actor: Actor, person_id: uuid.UUID, *, action: str) -> None:
    """Changing a person's elector facts: the registry's write rule (their post's staff)."""
    if session.get(Person, person_id) is None:
        raise NotFound(_("There is no person with this id."))
    policy.authorize(
        session, actor, access=policy.Access.WRITE, action=action, person_id=person_id,
        representation_codes=registry_repository.representation_codes(session, person_id),
    )  # fmt: skip


def list_in_reach(
    session: Session, actor: Actor, *, election_id: uuid.UUID, post: str | None, action: str
) -> VoterList:
    """The post's current list if the caller keeps it; 404 otherwise (audited)."""
    require_keeper(session, actor, action=action)
    election(session, election_id)
    code = post_in_reach(session, actor, election_id=election_id, post=post, action=action)
    found = repository.current_list(session, election_id=election_id, post=code)
    if found is None:
        raise NotFound(_("There is no voter list of this representation for you."))
    return found
