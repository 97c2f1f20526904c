"""Every read the elections' pages and API share: elections, a post's current list and its
summary, its voters, problems and changes since the previous round, and a citizen's own
registration. Sealed values stay sealed here (``roll`` opens them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from peduli.elections.models import (
    Committee,
    Election,
    ElectorFact,
    ListProblem,
    PollingPlace,
    ProblemStatus,
    VoterEntry,
    VoterList,
)
from peduli.registry.models import Person, PersonStatus, Stay, StayStatus, Verification

VERIFIED = Verification.VERIFIED.value


def elections(session: Session) -> list[Election]:
    """Every election, the next first."""
    return list(session.scalars(select(Election).order_by(Election.election_day.desc())))


def latest_round(session: Session, election_id: uuid.UUID) -> int | None:
    return session.scalar(
        select(func.max(VoterList.round)).where(VoterList.election_id == election_id)
    )


def current_list(session: Session, *, election_id: uuid.UUID, post: str) -> VoterList | None:
    """The post's list of the election's latest round."""
    return session.scalar(
        select(VoterList).where(
            VoterList.election_id == election_id,
            VoterList.representation_code == post,
            VoterList.round
            == select(func.max(VoterList.round))
            .where(VoterList.election_id == election_id)
            .scalar_subquery(),
        )
    )


def blocking_open(session: Session, *, list_id: uuid.UUID) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                ListProblem.list_id == list_id,
                ListProblem.blocking.is_(True),
                ListProblem.status == ProblemStatus.OPEN.value,
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Summary:
    potential_voters: int
    voters: int
    verified: int
    problems_open: int
    blocking_open: int
    by_method: dict[str, int]

    @property
    def verified_share(self) -> float | None:
        return self.verified / self.voters if self.voters else None


def summary(session: Session, voter_list: VoterList) -> Summary:
    """The counts of a list: DP4LN, DPTLN, verified, open problems, voters per method."""
    listed = VoterEntry.struck_reason.is_(None)
    total, voters, verified = session.execute(
        select(
            func.count(),
            func.count(case((listed, 1))),
            func.count(case((and_(listed, VoterEntry.verification == VERIFIED), 1))),
        ).where(VoterEntry.list_id == voter_list.id)
    ).one()  # fmt: skip
    by_method = (
        select(VoterEntry.method, func.count())
        .where(VoterEntry.list_id == voter_list.id, listed)
        .group_by(VoterEntry.method)
    )
    methods = {method: int(count) for method, count in session.execute(by_method)}
    problems, blocking = session.execute(
        select(func.count(), func.count(case((ListProblem.blocking.is_(True), 1)))).where(
            ListProblem.list_id == voter_list.id, ListProblem.status == ProblemStatus.OPEN.value
        )
    ).one()
    return Summary(total, voters, verified, problems, blocking, methods)


def lists_of_round(session: Session, *, election_id: uuid.UUID, where: Any) -> list[VoterList]:
    """The latest round's lists the caller keeps (``where``: ``access.kept_here``)."""
    return list(
        session.scalars(
            select(VoterList)
            .where(
                VoterList.election_id == election_id,
                VoterList.round
                == select(func.max(VoterList.round))
                .where(VoterList.election_id == election_id)
                .scalar_subquery(),
                where,
            )
            .order_by(VoterList.representation_code)
        )
    )


def voters(
    session: Session,
    *,
    list_id: uuid.UUID,
    limit: int | None,
    offset: int = 0,
    only_listed: bool = False,
) -> tuple[int, list[tuple[VoterEntry, PollingPlace | None]]]:
    """A list's entries (alphabetical by name) with their polling place."""
    where = [VoterEntry.list_id == list_id]
    if only_listed:
        where.append(VoterEntry.struck_reason.is_(None))
    total = int(session.scalar(select(func.count()).where(*where)) or 0)
    query = (
        select(VoterEntry, PollingPlace)
        .outerjoin(PollingPlace, PollingPlace.id == VoterEntry.polling_place_id)
        .where(*where)
        .order_by(VoterEntry.full_name, VoterEntry.id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return total, [(entry, place) for entry, place in session.execute(query)]


def places(session: Session, *, election_id: uuid.UUID, post: str) -> list[PollingPlace]:
    return list(
        session.scalars(
            select(PollingPlace)
            .where(
                PollingPlace.election_id == election_id, PollingPlace.representation_code == post
            )
            .order_by(PollingPlace.kind, PollingPlace.seq)
        )
    )


def place(session: Session, place_id: uuid.UUID | None) -> PollingPlace | None:
    return None if place_id is None else session.get(PollingPlace, place_id)


def committee(session: Session, *, election_id: uuid.UUID, post: str) -> Committee | None:
    return session.scalar(
        select(Committee).where(
            Committee.election_id == election_id, Committee.representation_code == post
        )
    )


def problems(
    session: Session, *, list_id: uuid.UUID, open_only: bool = False
) -> list[tuple[ListProblem, str]]:
    """A list's problems with the entry's name, open and blocking first."""
    query = (
        select(ListProblem, VoterEntry.full_name)
        .join(VoterEntry, and_(VoterEntry.list_id == ListProblem.list_id,
                               VoterEntry.person_id == ListProblem.person_id))
        .where(ListProblem.list_id == list_id)
        .order_by(ListProblem.status.desc(), ListProblem.blocking.desc(), VoterEntry.full_name)
    )  # fmt: skip
    if open_only:
        query = query.where(ListProblem.status == ProblemStatus.OPEN.value)
    return [(p, name) for p, name in session.execute(query)]


@dataclass(frozen=True)
class Change:
    change: str  # added, removed, moved_in, moved_out, struck
    person_id: uuid.UUID
    full_name: str
    other_post: str | None
    reason: str | None


def _why_gone() -> Any:
    """Why a person left the list, from their record and elector facts as they are now."""
    has_stay = (
        select(Stay.id)
        .where(Stay.person_id == Person.id, Stay.status == StayStatus.ACTIVE.value)
        .exists()
    )
    return case(
        (Person.status == PersonStatus.MERGED.value, "record merged into another"),
        (Person.status == PersonStatus.ERASED.value, "record erased"),
        (ElectorFact.armed_forces_active.is_(True), "active member of the armed forces or police"),
        (ElectorFact.right_removed.is_(True), "right to vote removed by a court"),
        (~has_stay, "no longer abroad"),
        else_="no longer eligible",
    )


def changes(session: Session, *, election_id: uuid.UUID, post: str, round_: int) -> list[Change]:
    """What changed on the post's list since the previous round: added, removed with the
    reason, moved in or out (from or to another post), and struck by the committee."""
    now, before = aliased(VoterEntry, name="now_entry"), aliased(VoterEntry, name="before_entry")
    elsewhere = aliased(VoterEntry, name="elsewhere_entry")

    def other_post(entry: Any, round_of: int) -> Any:
        return (
            select(func.min(elsewhere.representation_code))
            .where(elsewhere.election_id == election_id, elsewhere.round == round_of,
                   elsewhere.person_id == entry.person_id,
                   elsewhere.representation_code != post)
            .scalar_subquery()
        )  # fmt: skip

    def on(entry: Any, round_of: int) -> Any:
        return and_(entry.election_id == election_id, entry.round == round_of,
                    entry.representation_code == post)  # fmt: skip

    was_here = (
        select(before.id).where(on(before, round_ - 1), before.person_id == now.person_id).exists()
    )
    arrived = select(now.person_id, now.full_name, other_post(now, round_ - 1).label("other"),
                     now.struck_reason).where(on(now, round_), ~was_here)  # fmt: skip
    result: list[Change] = []
    for person_id, name, other, struck in session.execute(arrived):
        result.append(Change("moved_in" if other else "added", person_id, name, other, None))
        if struck:
            result.append(Change("struck", person_id, name, None, struck))
    stays = select(now.id).where(on(now, round_), now.person_id == before.person_id).exists()
    gone = (
        select(before.person_id, before.full_name, other_post(before, round_).label("other"),
               _why_gone().label("why"))
        .join(Person, Person.id == before.person_id)
        .outerjoin(ElectorFact, ElectorFact.person_id == before.person_id)
        .where(on(before, round_ - 1), ~stays)
    )  # fmt: skip
    for person_id, name, other, why in session.execute(gone):
        result.append(Change("moved_out" if other else "removed", person_id, name, other,
                             None if other else why))  # fmt: skip
    kept_struck = select(now.person_id, now.full_name, now.struck_reason).where(
        on(now, round_), was_here, now.struck_reason.is_not(None)
    )
    for person_id, name, struck in session.execute(kept_struck):
        result.append(Change("struck", person_id, name, None, struck))
    return sorted(result, key=lambda c: (c.change, c.full_name))


@dataclass(frozen=True)
class Registration:
    election: Election
    entry: VoterEntry | None
    list_state: str | None
    committee: str | None
    place: PollingPlace | None


def registrations(session: Session, *, person_id: uuid.UUID) -> list[Registration]:
    """The person's registration in each election: their entry on the latest round (if
    listed and not struck), its list's state, committee and place."""
    latest = (
        select(VoterList.election_id, func.max(VoterList.round).label("round"))
        .group_by(VoterList.election_id)
        .subquery()
    )
    rows = session.execute(
        select(VoterEntry, VoterList.state, Committee.name, PollingPlace)
        .join(VoterList, VoterList.id == VoterEntry.list_id)
        .join(latest, and_(latest.c.election_id == VoterEntry.election_id,
                           latest.c.round == VoterEntry.round))
        .outerjoin(Committee, and_(Committee.election_id == VoterEntry.election_id,
                                   Committee.representation_code == VoterEntry.representation_code))
        .outerjoin(PollingPlace, PollingPlace.id == VoterEntry.polling_place_id)
        .where(VoterEntry.person_id == person_id, VoterEntry.struck_reason.is_(None))
        .order_by(VoterEntry.representation_code)
    )  # fmt: skip
    found: dict[uuid.UUID, Registration] = {}
    by_id = {e.id: e for e in elections(session)}
    for entry, state, committee_name, place in rows:
        found.setdefault(
            entry.election_id,
            Registration(by_id[entry.election_id], entry, state, committee_name, place),
        )
    return [found.get(e.id) or Registration(e, None, None, None, None) for e in by_id.values()]
