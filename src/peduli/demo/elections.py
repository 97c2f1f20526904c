"""A demo election: an election day next year, a committee (PPLN) and polling places for each
demo post (a mobile box where plantation and factory workers live), an elector fact or two,
the first round of every post's list generated from the demo population, and its checks
run; made through the elections' own use cases as HQ would."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import SYSTEM
from peduli.demo.cases import DEMO_POSTS
from peduli.elections import checks, generation, repository, service
from peduli.elections.models import Election, PlaceKind
from peduli.elections.schemas import (
    CommitteeCreate,
    ElectionCreate,
    ElectorFactsUpdate,
    PlaceCreate,
)
from peduli.registry.models import Person, Stay, StayStatus

DEMO_ELECTION = "Pemilu Demo"
COMMITTEES = {"kbri-seoul": "PPLN Seoul", "kbri-kuala-lumpur": "PPLN Kuala Lumpur",
              "kjri-hong-kong": "PPLN Hong Kong"}  # fmt: skip
PLACES = (
    (PlaceKind.TPSLN, "TPSLN 001", "Aula perwakilan"),
    (PlaceKind.TPSLN, "TPSLN 002", "Sekolah Indonesia"),
    (PlaceKind.KSK, "KSK 001", "Keliling: ladang, asrama dan pelabuhan"),
)


def ensure_demo_election(session: Session) -> Election:
    """Create the demo election with its lists and checks once; the election."""
    found = session.scalar(select(Election).where(Election.name == DEMO_ELECTION))
    if found is not None:
        return found
    day = date(date.today().year + 1, 2, 14)
    election = service.create_election(
        session, data=ElectionCreate(name=DEMO_ELECTION, election_day=day), actor=SYSTEM
    )
    for post in DEMO_POSTS:
        service.set_committee(
            session, election_id=election.id, actor=SYSTEM,
            data=CommitteeCreate(representation_code=post, name=COMMITTEES.get(post, post)),
        )  # fmt: skip
        for kind, code, location in PLACES:
            service.add_place(
                session, election_id=election.id, actor=SYSTEM,
                data=PlaceCreate(representation_code=post, kind=kind, code=code,
                                 location=location),
            )  # fmt: skip
    _demo_facts(session)
    generation.generate(session, election_id=election.id, actor=SYSTEM)
    for post in DEMO_POSTS:
        if repository.current_list(session, election_id=election.id, post=post) is not None:
            checks.run_checks(session, election_id=election.id, post=post, actor=SYSTEM)
    return election


def _demo_facts(session: Session) -> None:
    """One serving soldier at each post (kept off the list), as its committee recorded."""
    for post in DEMO_POSTS:
        person_id = session.scalar(
            select(Person.id)
            .join(Stay, Stay.person_id == Person.id)
            .where(Stay.representation_code == post, Stay.status == StayStatus.ACTIVE.value)
            .order_by(Person.id)
            .limit(1)
        )
        if person_id is not None:
            service.record_facts(
                session, person_id=person_id, actor=SYSTEM,
                data=ElectorFactsUpdate(armed_forces_active=True),
            )  # fmt: skip
