"""The elections' use cases: declare an election day, set up a post's committee and polling
places, record a person's elector facts, and adjust a list (strike an entry, change a voting
method). Each checks access first, audits, and never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.elections import access, civil_status, generation, repository, workflow
from peduli.elections.models import (
    Committee,
    Election,
    ElectorFact,
    FactSource,
    Method,
    PollingPlace,
    VoterEntry,
    VoterList,
)
from peduli.elections.schemas import (
    CommitteeCreate,
    ElectionCreate,
    ElectorFactsUpdate,
    MethodUpdate,
    PlaceCreate,
)
from peduli.reference.places import directory


def create_election(session: Session, *, data: ElectionCreate, actor: Actor) -> Election:
    """Declare an election day abroad (HQ); the civil registry is asked the marital status of
    every citizen abroad (by the worker)."""
    access.require_organiser(session, actor, action="elections.create")
    election = Election(name=data.name.strip(), election_day=data.election_day,
                        created_by=actor.account_id)  # fmt: skip
    session.add(election)
    session.flush()
    civil_status.ask(session, election=election, now=election.created_at)
    audit.record(session, actor=actor, action="elections.created", entity_type="election",
                 entity_id=str(election.id))  # fmt: skip
    return election


def _known_post(code: str) -> str:
    try:
        return directory().get(code).code
    except NotFound:
        raise ValidationFailed(
            [FieldProblem("representation_code", "unknown", _("There is no such representation."))]
        ) from None


def _post_of_setup(session: Session, actor: Actor, election_id: uuid.UUID, code: str) -> str:
    access.require_fixer(session, actor, action="elections.setup")
    access.election(session, election_id)
    post = _known_post(code)
    return access.post_in_reach(session, actor, election_id=election_id, post=post,
                                action="elections.setup")  # fmt: skip


def set_committee(
    session: Session, *, election_id: uuid.UUID, data: CommitteeCreate, actor: Actor
) -> Committee:
    """Name a post's committee (PPLN) for the election; a second call renames it."""
    post = _post_of_setup(session, actor, election_id, data.representation_code)
    committee = session.scalar(
        select(Committee).where(
            Committee.election_id == election_id, Committee.representation_code == post
        )
    )
    if committee is None:
        committee = Committee(election_id=election_id, representation_code=post, name="")
        session.add(committee)
    committee.name = data.name.strip()
    session.flush()
    audit.record(session, actor=actor, action="elections.committee_set",
                 entity_type="election_committee", entity_id=str(committee.id))  # fmt: skip
    return committee


def add_place(
    session: Session, *, election_id: uuid.UUID, data: PlaceCreate, actor: Actor
) -> PollingPlace:
    """Add a polling station or mobile box to a post (numbered after its others)."""
    post = _post_of_setup(session, actor, election_id, data.representation_code)
    seq = session.scalar(
        select(func.count()).where(
            PollingPlace.election_id == election_id,
            PollingPlace.representation_code == post,
            PollingPlace.kind == data.kind.value,
        )
    )
    place = PollingPlace(
        election_id=election_id, representation_code=post, kind=data.kind.value,
        seq=int(seq or 0), code=data.code.strip(), location=data.location.strip(),
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(place)
            session.flush()
    except IntegrityError:
        raise ValidationFailed(
            [FieldProblem("code", "taken", _("This post already has a place with this code."))]
        ) from None
    audit.record(session, actor=actor, action="elections.place_added",
                 entity_type="polling_place", entity_id=str(place.id))  # fmt: skip
    return place


def record_facts(
    session: Session, *, person_id: uuid.UUID, data: ElectorFactsUpdate, actor: Actor
) -> ElectorFact:
    """Record a person's marital status, armed forces or police service and a court's removal
    of their right to vote, as the post's committee established them (audited)."""
    access.require_keeper(session, actor, action="elections.facts")
    access.person_in_reach(session, actor, person_id, action="elections.facts")
    reference = (data.court_reference or "").strip() or None
    if data.right_removed and not reference:
        raise ValidationFailed(
            [FieldProblem("court_reference", "required", _("Give the court decision's reference."))]
        )
    fact = session.get(ElectorFact, person_id) or ElectorFact(person_id=person_id)
    fact.ever_married = data.ever_married
    fact.armed_forces_active = data.armed_forces_active
    fact.right_removed = data.right_removed
    fact.court_reference = reference if data.right_removed else None
    fact.source = FactSource.COMMITTEE.value
    fact.recorded_by = actor.account_id
    fact.recorded_at = utcnow()
    session.add(fact)
    session.flush()
    audit.record(
        session, actor=actor, action="elections.facts_recorded", entity_type="elector_fact",
        entity_id=str(person_id), subject_person_id=person_id,
        fields=("ever_married", "armed_forces_active", "right_removed", "court_reference"),
    )  # fmt: skip
    return fact


def entry_in_reach(
    session: Session, actor: Actor, *, election_id: uuid.UUID, entry_id: int, action: str
) -> tuple[VoterEntry, VoterList]:
    """An entry of a list the caller keeps; another post's answers 404 (audited)."""
    access.require_keeper(session, actor, action=action)
    found = session.execute(
        select(VoterEntry, VoterList)
        .join(VoterList, VoterList.id == VoterEntry.list_id)
        .where(VoterEntry.id == entry_id, VoterEntry.election_id == election_id)
    ).first()
    if found is None:
        raise NotFound(_("There is no such voter on your lists."))
    entry, voter_list = found
    access.post_in_reach(session, actor, election_id=election_id,
                         post=voter_list.representation_code, action=action)  # fmt: skip
    return entry, voter_list


def require_adjustable(voter_list: VoterList) -> None:
    """A fixed list is final."""
    if workflow.next_state(workflow.State(voter_list.state), workflow.Action.ADJUST) is None:
        raise Conflict(_("This voter list is fixed."), code="list_fixed")


def change_method(
    session: Session, *, election_id: uuid.UUID, entry_id: int, data: MethodUpdate, actor: Actor
) -> VoterEntry:
    """Set how a voter votes, and their polling station or box (the named one, or the next
    of the post's in turn)."""
    entry, voter_list = entry_in_reach(session, actor, election_id=election_id,
                                       entry_id=entry_id, action="elections.method")  # fmt: skip
    require_adjustable(voter_list)
    entry.method = data.method.value
    entry.changed_by = actor.account_id
    entry.polling_place_id = None
    if data.method != Method.POS and data.place_code:
        place = session.scalar(
            select(PollingPlace).where(
                PollingPlace.election_id == election_id,
                PollingPlace.representation_code == voter_list.representation_code,
                PollingPlace.kind == data.method.value,
                PollingPlace.code == data.place_code.strip(),
            )
        )
        if place is None:
            raise ValidationFailed(
                [
                    FieldProblem(
                        "place_code", "unknown", _("This post has no such place for this method.")
                    )
                ]
            )
        entry.polling_place_id = place.id
    session.flush()
    if data.method != Method.POS and not data.place_code:
        generation.assign_places(session, election_id=election_id, where=VoterEntry.id == entry.id)
        session.refresh(entry)
    audit.record(
        session, actor=actor, action="elections.method_changed", entity_type="voter_entry",
        entity_id=str(entry.id), subject_person_id=entry.person_id, reason=data.method.value,
    )  # fmt: skip
    return entry


def my_registration(session: Session, *, actor: Actor) -> list[repository.Registration]:
    """Whether, where and how the signed-in citizen is registered, per election."""
    if actor.person_id is None:
        return [repository.Registration(e, None, None, None, None)
                for e in repository.elections(session)]  # fmt: skip
    return repository.registrations(session, person_id=actor.person_id)
