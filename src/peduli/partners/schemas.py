"""Request and response shapes of the partner registry, referrals and delegations."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from peduli.core.schemas import RequestBody
from peduli.partners.models import MemberRole, PartnerKind, ReferralStatus

if TYPE_CHECKING:
    from peduli.cases.models import Case, CaseEvent
    from peduli.partners.delegated_cases import CaseShown
    from peduli.partners.delegations import DelegationView
    from peduli.partners.models import Delegation
    from peduli.partners.repository import PartnerView
    from peduli.partners.service import MemberView

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=120)]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]


class PartnerCreate(RequestBody):
    """A new partner; officers create them for their own representation."""

    name: str = Field(min_length=2, max_length=200)
    kind: PartnerKind
    representation_code: str | None = Field(
        default=None, max_length=40, description="HQ only; officers manage their own post's."
    )
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2.")
    subdivisions: list[Annotated[str, StringConstraints(max_length=6)]] = Field(
        default_factory=list, max_length=50, description="ISO 3166-2 codes it serves."
    )
    cities: list[ShortText] = Field(default_factory=list, max_length=50)
    home_provinces: list[Annotated[str, StringConstraints(max_length=2)]] = Field(
        default_factory=list,
        max_length=40,
        description="Home provinces (Kemendagri codes, e.g. 35 Jawa Timur) it represents.",
    )
    languages: list[LanguageCode] = Field(default_factory=list, max_length=20)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=40)
    description: str | None = Field(default=None, max_length=2000)


class PartnerUpdate(RequestBody):
    """Fields to change; those left out stay as they are."""

    name: str | None = Field(default=None, min_length=2, max_length=200)
    kind: PartnerKind | None = None
    subdivisions: list[Annotated[str, StringConstraints(max_length=6)]] | None = Field(
        default=None, max_length=50
    )
    cities: list[ShortText] | None = Field(default=None, max_length=50)
    home_provinces: list[Annotated[str, StringConstraints(max_length=2)]] | None = Field(
        default=None, max_length=40
    )
    languages: list[LanguageCode] | None = Field(default=None, max_length=20)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=40)
    description: str | None = Field(default=None, max_length=2000)
    active: bool | None = None


class PartnerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: str
    representation_code: str
    country: str
    subdivisions: list[str]
    cities: list[str]
    home_provinces: list[str]
    languages: list[str]
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    description: str | None
    active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: PartnerView) -> PartnerRead:
        """The answer for a partner of the registry, with the provinces it represents."""
        partner = view.partner
        return cls(
            id=partner.id,
            name=partner.name,
            kind=partner.kind,
            representation_code=partner.representation_code,
            country=partner.country,
            subdivisions=list(partner.subdivisions or []),
            cities=list(partner.cities or []),
            home_provinces=view.home_provinces,
            languages=list(partner.languages or []),
            contact_name=partner.contact_name,
            contact_email=partner.contact_email,
            contact_phone=partner.contact_phone,
            description=partner.description,
            active=partner.active,
            created_at=partner.created_at,
            updated_at=partner.updated_at,
        )


class PartnerPage(BaseModel):
    items: list[PartnerRead]
    total: int
    limit: int
    offset: int


class MemberCreate(RequestBody):
    """A new partner account (role ``partner``), linked to the partner."""

    email: str = Field(max_length=254)
    display_name: str = Field(min_length=2, max_length=200)
    member_role: MemberRole = MemberRole.MEMBER


class MemberRead(BaseModel):
    account_id: uuid.UUID
    email: str
    display_name: str
    member_role: str
    disabled: bool
    created_at: datetime

    @classmethod
    def of(cls, view: MemberView) -> MemberRead:
        """The answer for one of a partner's accounts."""
        return cls(
            account_id=view.account.id,
            email=view.account.email,
            display_name=view.account.display_name,
            member_role=view.member.member_role,
            disabled=view.account.disabled_at is not None,
            created_at=view.member.created_at,
        )


class MemberCreated(MemberRead):
    """Shown once: the generated password and the authenticator key's URI."""

    password: str
    totp_uri: str


# --- referrals and delegations ---------------------------------------------------------


class ShareBasisIn(RequestBody):
    """Why the citizen's data may be shared: their consent, or a stated legal ground.

    Exactly one: ``consent: true`` (with how it was given, optionally), or a
    ``legal_ground`` with ``legal_ground_note`` saying why there was no time to ask.
    """

    consent: bool = False
    consent_note: str | None = Field(default=None, max_length=500)
    legal_ground: Literal["vital_interest", "legal_obligation", "public_task"] | None = None
    legal_ground_note: str | None = Field(default=None, max_length=2000)


class ReferralCreate(ShareBasisIn):
    agency_kind: str = Field(max_length=30, description="GET /api/v1/agency-kinds lists them.")
    agency_name: str = Field(min_length=2, max_length=200)
    agency_contact: str | None = Field(default=None, max_length=254)
    purpose: str = Field(min_length=3, max_length=4000)
    due_at: datetime | None = Field(
        default=None, description="The deadline; 7 days from now when left out."
    )


class ReferralUpdate(RequestBody):
    status: ReferralStatus
    note: str | None = Field(default=None, max_length=4000)


class ReferralRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    case_id: uuid.UUID
    agency_kind: str
    agency_name: str
    agency_contact: str | None
    purpose: str
    status: str
    basis: str
    basis_note: str | None
    due_at: datetime
    reminded_at: datetime | None
    status_changed_at: datetime
    status_note: str | None
    created_at: datetime


class DelegationCreate(ShareBasisIn):
    partner_id: uuid.UUID
    task: str = Field(min_length=3, max_length=4000, description="What the partner is asked.")
    due_at: datetime | None = Field(
        default=None, description="The deadline; 5 days from now when left out."
    )
    share_contact: bool = Field(
        default=False, description="Show the partner the citizen's phone and email."
    )
    share_address: bool = Field(
        default=False, description="Show the partner the citizen's exact address abroad."
    )


class DelegationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    case_id: uuid.UUID
    partner_id: uuid.UUID
    partner_name: str
    task: str
    status: str
    basis: str
    basis_note: str | None
    share_contact: bool
    share_address: bool
    due_at: datetime
    reminded_at: datetime | None
    status_changed_at: datetime
    status_note: str | None
    created_at: datetime

    @classmethod
    def of(cls, view: DelegationView) -> DelegationRead:
        """The answer for a delegation, with its partner's name."""
        d = view.delegation
        return cls(
            id=d.id,
            case_id=d.case_id,
            partner_id=d.partner_id,
            partner_name=view.partner_name,
            task=d.task,
            status=d.status,
            basis=d.basis,
            basis_note=d.basis_note,
            share_contact=d.share_contact,
            share_address=d.share_address,
            due_at=d.due_at,
            reminded_at=d.reminded_at,
            status_changed_at=d.status_changed_at,
            status_note=d.status_note,
            created_at=d.created_at,
        )


class Revocation(RequestBody):
    reason: str = Field(min_length=10, max_length=2000)


class NoteCreate(RequestBody):
    text: str = Field(min_length=1, max_length=8000)


class AgencyKindRead(BaseModel):
    code: str
    name: str


# --- the partner's side ----------------------------------------------------------------


class PartnerStatusChange(RequestBody):
    """What the partner answers: accept, decline or report the task done."""

    status: Literal["accepted", "declined", "done"]
    note: str | None = Field(default=None, max_length=4000)


class Escalation(RequestBody):
    reason: str = Field(min_length=10, max_length=4000)


class InformationRequest(RequestBody):
    """A question sent to the citizen's contact through the platform (the partner never
    sees the address unless the delegation shares it)."""

    message: str = Field(min_length=10, max_length=1000)


class PartnerPersonView(BaseModel):
    """A person on a delegated case: name and home province, never NIK or passport."""

    name: str | None
    home_province: str | None
    city: str | None
    country: str | None
    phone: str | None = None
    email: str | None = None
    address: str | None = None


class PartnerEventView(BaseModel):
    seq: int
    at: datetime
    kind: str
    actor: str
    text: str | None
    data: dict[str, Any]

    @classmethod
    def of(cls, event: CaseEvent) -> PartnerEventView:
        """A timeline event as the partner sees it; odd stored details read as none."""
        try:
            data = json.loads(event.data or "{}")
        except ValueError:
            data = {}
        return cls(
            seq=event.seq,
            at=event.at,
            kind=event.kind,
            actor=event.actor_display,
            text=event.text,
            data=data if isinstance(data, dict) else {},
        )


class PartnerCaseSummary(BaseModel):
    """A row of the partner's queue."""

    case_id: uuid.UUID
    delegation_id: uuid.UUID
    reference: str
    category: str
    priority: str
    task: str
    delegation_status: str
    due_at: datetime
    delegated_at: datetime

    @classmethod
    def of(cls, case: Case, delegation: Delegation) -> PartnerCaseSummary:
        """The queue row of a case delegated to the caller's partner."""
        return cls(
            case_id=case.id,
            delegation_id=delegation.id,
            reference=case.reference,
            category=case.category,
            priority=case.priority,
            task=delegation.task,
            delegation_status=delegation.status,
            due_at=delegation.due_at,
            delegated_at=delegation.created_at,
        )


class PartnerCaseView(PartnerCaseSummary):
    """What a partner may know of a delegated case: the least data the task needs.

    No NIK, passport, date of birth or registry id; the contact and the exact address only
    when the delegation shares them.
    """

    case_status: str
    subcategory: str | None
    summary: str
    danger_to_life: bool
    contact_phone: str | None = None
    contact_email: str | None = None
    people: list[PartnerPersonView]
    timeline: list[PartnerEventView]

    @classmethod
    def shown(cls, shown: CaseShown) -> PartnerCaseView:
        """The least-data view of a delegated case (the API's answer and the case page)."""
        case, delegation = shown.delegated.case, shown.delegated.delegation
        return cls(
            **PartnerCaseSummary.of(case, delegation).model_dump(),
            case_status=case.status,
            subcategory=case.subcategory,
            summary=case.summary,
            danger_to_life=case.danger_to_life,
            contact_phone=shown.contact_phone,
            contact_email=shown.contact_email,
            people=[
                PartnerPersonView.model_validate(p, from_attributes=True) for p in shown.people
            ],
            timeline=[PartnerEventView.of(e) for e in shown.timeline],
        )


class PartnerQueue(BaseModel):
    items: list[PartnerCaseSummary]
    total: int
    limit: int
    offset: int


class ConsultationCreate(RequestBody):
    """A partner's consultation passed on as a case, delegated back to the partner.

    The citizen agreed that the partner passes it on (``consent: true``), or a legal ground
    is stated when there was no time to ask.
    """

    category: str = Field(max_length=30)
    subcategory: str | None = Field(default=None, max_length=40)
    summary: str = Field(min_length=10, max_length=8000)
    death_penalty: bool = False
    danger_to_life: bool = False
    name: str | None = Field(default=None, min_length=2, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    city: str | None = Field(default=None, max_length=120)
    consent: bool = False
    consent_note: str | None = Field(default=None, max_length=500)
    legal_ground: Literal["vital_interest", "legal_obligation", "public_task"] | None = None
    legal_ground_note: str | None = Field(default=None, max_length=2000)


class ConsultationCreated(BaseModel):
    case_id: uuid.UUID
    reference: str
    priority: str
    delegation_id: uuid.UUID
