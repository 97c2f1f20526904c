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
    mother_name: str | None = Field(
        default=None,
        max_length=200,
        description="The mother's name as on the birth certificate; not kept on the record. "
        "It lets the civil registry prove an identity claim.",
    )
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
    position_approximate: bool = Field(
        default=False, description="Placed at its city's centre, not by GPS or an address."
    )
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
    trusted: bool = Field(
        default=False,
        description="A code sent to it came back, or an officer confirmed it; only trusted "
        "contacts receive messages.",
    )


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


class EvidenceItem(BaseModel):
    comparison: str = Field(description="name, birth_date, nik, passport, phone, birth_place …")
    outcome: Literal["exact", "close", "different", "missing"]
    weight: float = Field(description="log2 Bayes factor: > 0 says one person, < 0 two")


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
    evidence: list[EvidenceItem] = []
    match_probability: float | None = None


class DuplicatePage(BaseModel):
    total: int
    items: list[DuplicateRead]


class MergeRequest(RequestBody):
    keep_person_id: uuid.UUID = Field(description="The record that survives; the other joins it.")


class DataRequestCreate(RequestBody):
    message: str = Field(min_length=5, max_length=2000, description="What is wrong and the fix.")


class DataRequestRead(BaseModel):
    """A citizen's request as the citizen sees it, with the decision once made."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    message: str
    status: Literal["open", "accepted", "refused"]
    created_at: datetime
    decided_at: datetime | None = None
    decision_reason: str | None = None


class CorrectionRead(BaseModel):
    """A correction request in an officer's queue."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_id: uuid.UUID
    full_name: str
    message: str
    status: Literal["open", "accepted", "refused"]
    created_at: datetime
    decided_at: datetime | None
    decision_reason: str | None
    representation_code: str | None


class CorrectionPage(BaseModel):
    total: int
    items: list[CorrectionRead]


class CorrectionDecision(RequestBody):
    decision: Literal["accepted", "refused"]
    reason: str = Field(
        min_length=1,
        max_length=2000,
        description="Why; the citizen is told (10 characters at least).",
    )


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


class ClaimPending(BaseModel):
    """Answer to a report naming a record that is not the caller's: a pending claim.

    It says nothing of the record: only that the identity will be confirmed, and how."""

    claim_id: uuid.UUID
    status: str
    message: str
    representation: RepresentationRef | None


class ClaimRead(BaseModel):
    """A claim as its claimant sees it: the status and the decision, never the record."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    status: str
    proof: str | None
    refusal_reason: str | None
    representation_code: str | None
    created_at: datetime
    decided_at: datetime | None


class ClaimCode(RequestBody):
    code: str = Field(min_length=4, max_length=12, description="The code sent to the record.")


class ClaimOfficerRead(ClaimRead):
    """A claim for an officer of its post: the record it names and what the report says."""

    person_id: uuid.UUID
    document_kind: str | None
    document_digits: str | None
    check_method: str | None
    report: SelfReportCreate


class ClaimPage(BaseModel):
    total: int
    items: list[ClaimRead]


class DocumentCheck(RequestBody):
    """What the officer saw: the kind of document, the end of its number, and how."""

    document_kind: str = Field(max_length=10, examples=["passport"])
    document_digits: str = Field(max_length=8, description="The last 2 to 6 characters.")
    method: str = Field(max_length=10, examples=["in_person"])


class ClaimMerge(RequestBody):
    confirm_contacts: bool = Field(
        default=False, description="The officer confirmed the phone and email the claim brought."
    )


class ClaimRefusal(RequestBody):
    reason: str = Field(max_length=1000, description="Shown to the claimant.")


class ContactCodeRequest(RequestBody):
    value: str = Field(max_length=254, description="One of my unconfirmed phones or emails.")


class ContactConfirmation(ContactCodeRequest):
    code: str = Field(min_length=4, max_length=12)


class IdentityEdit(RequestBody):
    """An officer's correction of a person's identity fields: the fields given are set, the
    others stay as they are (the page sends all of them, the API only those to change).
    A NIK given replaces the record's; it cannot be removed here."""

    full_name: str | None = Field(default=None, min_length=1, max_length=200, examples=["Siti"])
    date_of_birth: date | None = None
    place_of_birth: str | None = Field(default=None, max_length=120)
    sex: Literal["M", "F"] | None = None
    nik: str | None = Field(default=None, max_length=32, examples=["3171015708900001"])


class IdentityCorrected(BaseModel):
    """What a correction changed (field names only) and how many records now look like it."""

    changed: list[str]
    possible_duplicates: int
    person: PersonSummary
