"""The elections' rows as the API answers them."""

from __future__ import annotations

from peduli.elections.models import Method, VoterList
from peduli.elections.repository import Registration, Summary
from peduli.elections.schemas import ListSummary, VoterRegistration
from peduli.elections.workflow import State


def list_summary(voter_list: VoterList, counts: Summary) -> ListSummary:
    return ListSummary(
        election_id=voter_list.election_id, representation_code=voter_list.representation_code,
        round=voter_list.round, state=voter_list.state,
        potential_voters=counts.potential_voters, voters=counts.voters, verified=counts.verified,
        verified_share=counts.verified_share, problems_open=counts.problems_open,
        blocking_open=counts.blocking_open, by_method=counts.by_method,
    )  # fmt: skip


def registration_read(found: Registration) -> VoterRegistration:
    entry, place = found.entry, found.place
    return VoterRegistration(
        election_id=found.election.id, election=found.election.name,
        election_day=found.election.election_day, registered=entry is not None,
        representation_code=entry.representation_code if entry else None,
        committee=found.committee, method=Method(entry.method) if entry else None,
        polling_place=place.code if place else None,
        polling_place_location=place.location if place else None,
        list_fixed=found.list_state == State.FIXED.value,
    )  # fmt: skip
