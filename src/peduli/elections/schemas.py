"""The elections API's bodies and answers."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from peduli.elections.models import Method, PlaceKind


class ElectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=3, max_length=200)
    election_day: date


class ElectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    election_day: date


class CommitteeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    representation_code: str = Field(min_length=2, max_length=40)
    name: str = Field(min_length=3, max_length=200)


class CommitteeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    representation_code: str
    name: str


class PlaceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    representation_code: str = Field(min_length=2, max_length=40)
    kind: PlaceKind
    code: str = Field(min_length=1, max_length=20)
    location: str = Field(min_length=3, max_length=200)


class PlaceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    representation_code: str
    kind: PlaceKind
    code: str
    location: str


class GeneratedRead(BaseModel):
    round: int
    lists: int
    voters: int


class ElectorFactsUpdate(BaseModel):
    """What decides a person's right to vote that the registry does not hold."""

    model_config = ConfigDict(extra="forbid")
    ever_married: bool | None = None
    armed_forces_active: bool = False
    right_removed: bool = False
    court_reference: str | None = Field(default=None, max_length=120)


class MethodUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Method
    place_code: str | None = Field(default=None, max_length=20)


class Resolution(BaseModel):
    model_config = ConfigDict(extra="forbid")
    strike: bool = False
    note: str = Field(min_length=3, max_length=200)


class VoterRead(BaseModel):
    entry_id: int
    representation_code: str
    nik: str | None
    passport: str | None
    full_name: str
    sex: str
    date_of_birth: date
    place_of_birth: str | None
    marital_status: str
    country: str
    city: str
    address: str | None
    contact: str | None
    verification: str
    method: Method
    proposed_method: Method
    polling_place: str | None
    struck_reason: str | None


class VoterPage(BaseModel):
    total: int
    items: list[VoterRead]


class ProblemRead(BaseModel):
    id: int
    person_id: uuid.UUID
    full_name: str
    kind: str
    blocking: bool
    detail: str | None
    status: str
    resolution: str | None


class ListSummary(BaseModel):
    election_id: uuid.UUID
    representation_code: str
    round: int
    state: str
    potential_voters: int
    voters: int
    verified: int
    verified_share: float | None
    problems_open: int
    blocking_open: int
    by_method: dict[str, int]


class ChangeRead(BaseModel):
    change: str  # added, removed, moved_in, moved_out
    person_id: uuid.UUID
    full_name: str
    other_post: str | None
    reason: str | None


class VoterRegistration(BaseModel):
    """What a citizen sees of their own registration, per election."""

    election_id: uuid.UUID
    election: str
    election_day: date
    registered: bool
    representation_code: str | None
    committee: str | None
    method: Method | None
    polling_place: str | None
    polling_place_location: str | None
    list_fixed: bool
