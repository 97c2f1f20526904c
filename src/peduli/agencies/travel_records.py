"""A person's passport status, recent border crossings and placements as officers read them:
what the worker stored from immigration and BP2MI (a read never calls an agency), each
placement's agency with its licence state, and the agency the person reported on their stay
checked against BP2MI's licence list. Every read is the policy's and is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.agencies import licences
from peduli.agencies.travel_models import (
    AgencyStanding,
    BorderCrossing,
    LicenceState,
    PassportCheck,
    PlacementRecord,
)
from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.policy import Access
from peduli.auth.roles import TRAVEL_RECORD_READERS
from peduli.registry import repository as registry
from peduli.registry.models import StayStatus
from peduli.registry.service import authorize_person

SHOWN_CROSSINGS = 10
READ = "agencies.travel.read"


@dataclass(frozen=True)
class PlacementView:
    """A placement with its agency's licence state (None: the list was never fetched, or
    the worker was placed without an agency)."""

    record: PlacementRecord
    licence: LicenceState | None


@dataclass(frozen=True)
class TravelView:
    """What immigration and BP2MI said of a person, as last fetched."""

    passport: PassportCheck | None
    crossings: list[BorderCrossing]
    placements: list[PlacementView]
    reported_agency: str | None  # the agency the person named on their current stay
    reported_agency_standing: AgencyStanding | None  # None: the list was never fetched
    fetched_at: datetime | None

    @property
    def unlicensed(self) -> bool:
        """Whether any agency that placed the person has no active licence."""
        standing = self.reported_agency_standing
        return any(p.licence not in (None, LicenceState.ACTIVE) for p in self.placements) or (
            standing is not None and standing.state != LicenceState.ACTIVE
        )


def _licence(placement: PlacementRecord, states: dict[str, LicenceState]) -> LicenceState | None:
    """The placement's agency's licence state; None for a worker placed without an agency."""
    if placement.agency_licence:
        return states[placement.agency_licence]
    return LicenceState.UNLISTED if placement.agency_name else None


def travel_of(session: Session, *, actor: Actor, person_id: uuid.UUID) -> TravelView:
    """The person's travel records for an officer who reaches them; audited."""
    policy.require_role(session, actor, roles=TRAVEL_RECORD_READERS, action=READ)
    authorize_person(session, actor, person_id=person_id, access=Access.READ, action=READ)
    passport = session.scalar(select(PassportCheck).where(PassportCheck.person_id == person_id))
    crossings = session.scalars(
        select(BorderCrossing)
        .where(BorderCrossing.person_id == person_id)
        .order_by(BorderCrossing.at.desc())
        .limit(SHOWN_CROSSINGS)
    ).all()
    placements = session.scalars(
        select(PlacementRecord)
        .where(PlacementRecord.person_id == person_id)
        .order_by(PlacementRecord.contract_start.desc())
    ).all()
    known = licences.list_known(session)
    states = licences.states_by_licence(
        session, [p.agency_licence for p in placements if p.agency_licence]
    )
    stay = next(
        (s for s in registry.stays_of(session, person_id) if s.status == StayStatus.ACTIVE), None
    )
    reported = stay.placement_agency if stay is not None else None
    standing = licences.states_by_name(session, [reported])[reported] if reported else None
    audit.record(
        session,
        actor=actor,
        action=READ,
        entity_type="person",
        entity_id=str(person_id),
        subject_person_id=person_id,
        fields=["passport_status", "border_crossings", "placements"],
    )
    return TravelView(
        passport=passport,
        crossings=list(crossings),
        placements=[PlacementView(p, _licence(p, states) if known else None) for p in placements],
        reported_agency=reported,
        reported_agency_standing=standing if known else None,
        fetched_at=passport.checked_at if passport else None,
    )
