"""Request and response shapes of the registry API (Pydantic v2)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from peduli.core.schemas import RequestBody
from peduli.registry.models import Purpose, Sector

Text200 = Field(min_length=1, max_length=200)


class StayFields(RequestBody):
    """Where and why a citizen stays abroad."""

    country: str = Field(
        min_length=2, max_length=2, description="ISO 3166-1 alpha-2, e.g. KR", examples=["KR"]
    )
    subdivision: str | None = Field(
        default=None, max_length=6, description="ISO 3166-2, e.g. MY-12", examples=["KR-11"]
    )
    city: str = Field(min_length=1, max_length=120, examples=["Seoul"])
    address: str | None = Field(default=None, max_length=500)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    purpose: Purpose
    sector: Sector | None = Field(default=None, description="Required when purpose is work.")
    employer: str | None = Field(default=None, max_length=200)
    placement_agency: str | None = Field(default=None, max_length=200)
    arrival_date: date
    planned_end_date: date | None = None


class SelfReportCreate(StayFields):
    """A lapor diri: who the citizen is, how to reach them, and their stay."""

    nik: str | None = Field(default=None, max_length=32, examples=["3171014508900001"])
    passport_number: str | None = Field(default=None, max_length=16, examples=["C1234567"])
    full_name: str = Field(min_length=1, max_length=200, examples=["Siti Aminah"])
    date_of_birth: date
    place_of_birth: str | None = Field(default=None, max_length=120)
    sex: Literal["M", "F"]
    phone: str | None = Field(default=None, max_length=32, examples=["+821012345678"])
    email: EmailStr | None = None
    language: str = Field(default="id", max_length=8)
    emergency_contact_name: str | None = Field(default=None, max_length=200)
    emergency_contact_phone: str | None = Field(default=None, max_length=32)
    emergency_contact_relation: str | None = Field(default=None, max_length=60)
    consent: bool = Field(
        default=False, description="The citizen agreed to the privacy notice (UU PDP)."
    )


class StayUpdate(RequestBody):
    """Fields of a stay to change; omitted fields stay as they are."""

    country: str | None = Field(default=None, min_length=2, max_length=2)
    subdivision: str | None = Field(default=None, max_length=6)
    city: str | None = Field(default=None, min_length=1, max_length=120)
    address: str | None = Field(default=None, max_length=500)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    purpose: Purpose | None = None
    sector: Sector | None = None
    employer: str | None = Field(default=None, max_length=200)
    placement_agency: str | None = Field(default=None, max_length=200)
    arrival_date: date | None = None
    planned_end_date: date | None = None

    @field_validator("country", "city", "purpose", "arrival_date")
    @classmethod
    def _kept_if_required(cls, value: Any) -> Any:
        # Omitted, a field keeps its value; null clears it, and a stay cannot lose these.
        if value is None:
            raise ValueError("A stay always has this; leave the field out to keep its value.")
        return value


class DepartureReport(RequestBody):
    departed_on: date


class RepresentationRef(BaseModel):
    code: str
    name: str
    hotline: str | None = None


class StayRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_id: uuid.UUID
    country: str
    subdivision: str | None
    city: str
    address: str | None
    latitude: float | None
    longitude: float | None
    h3_cell: str | None
    purpose: str
    sector: str | None
    employer: str | None
    placement_agency: str | None
    arrival_date: date
    planned_end_date: date | None
    departed_on: date | None
    status: str
    representation_code: str | None
    created_at: datetime
    updated_at: datetime


class PersonSummary(BaseModel):
    """What a list or a search shows: no NIK or passport."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    full_name: str
    sex: str
    date_of_birth: date
    verification: str
    status: str


class PassportRead(BaseModel):
    number: str
    is_current: bool
    reported_at: datetime


class ContactRead(BaseModel):
    kind: str
    value: str
    is_primary: bool


class PersonRead(PersonSummary):
    """One screen per person, for staff in scope and for the citizen themself."""

    place_of_birth: str | None
    nik: str | None
    home_province: str | None
    preferred_language: str
    emergency_contact_name: str | None
    emergency_contact_phone: str | None
    emergency_contact_relation: str | None
    consent_at: datetime | None
    merged_into_id: uuid.UUID | None
    passports: list[PassportRead]
    contacts: list[ContactRead]
    stays: list[StayRead]
    created_at: datetime
    updated_at: datetime


class SelfReportResult(BaseModel):
    """Answer to a self-report: the person, the stay, and who serves them."""

    person: PersonSummary
    stay: StayRead
    representation: RepresentationRef | None
    attached_to_existing: bool
    possible_duplicates: int
    account_linked: bool


class PersonSearch(RequestBody):
    """Search by one of these; identifiers travel in the body, never in a URL."""

    name: str | None = Field(default=None, min_length=2, max_length=200)
    nik: str | None = Field(default=None, max_length=32)
    passport_number: str | None = Field(default=None, max_length=16)
    phone: str | None = Field(default=None, max_length=32)
    date_of_birth: date | None = None
    reason: str | None = Field(
        default=None,
        max_length=500,
        description="Why you search outside your jurisdiction; recorded in the audit log.",
    )
    limit: int = Field(default=20, ge=1, le=100)


class SearchHit(PersonSummary):
    score: float
    representation_codes: list[str]


class SearchResult(BaseModel):
    hits: list[SearchHit]
    out_of_scope: bool


class DuplicateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_id: uuid.UUID
    other_person_id: uuid.UUID
    score: float
    reason: str
    status: str
    representation_code: str | None
    created_at: datetime


class DuplicatePage(BaseModel):
    total: int
    items: list[DuplicateRead]


class MergeRequest(RequestBody):
    keep_person_id: uuid.UUID = Field(description="The record that survives; the other joins it.")


class DataRequestCreate(RequestBody):
    message: str = Field(min_length=5, max_length=2000, description="What is wrong and the fix.")


class DataRequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    message: str
    status: str
    created_at: datetime


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor_role: str
    actor_display: str
    action: str
    fields: str
    reason: str | None
    outcome: str


class AuditTrailPage(BaseModel):
    total: int
    items: list[AuditEntryRead]
