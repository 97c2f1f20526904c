"""Request and response shapes of the cases API (Pydantic v2); each answer says how it is
built from what the use case returned (``from_...``), so the routes stay thin."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from peduli.cases import workflow
from peduli.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    IntakeChannel,
    OutcomeKind,
    Priority,
    Visibility,
    WaitingOn,
)
from peduli.cases.stats import FIGURES, OutcomeStats
from peduli.core.schemas import RequestBody

if TYPE_CHECKING:
    from peduli.cases.case_file import CaseView
    from peduli.cases.intake import HelpRequestOutcome, MyRequest
    from peduli.cases.taxonomy import Category

CATEGORY_EXAMPLES = ["labour"]
Summary = Field(min_length=1, max_length=5000, examples=["Wages unpaid for four months."])


class CasePersonIn(RequestBody):
    """A person the case concerns: a registered one by id, or a name (and phone) for now."""

    person_id: uuid.UUID | None = None
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=32, examples=["+821012345678"])


class CaseCreate(RequestBody):
    """A new case entered by staff (walk-in, phone…) or referred by an agency."""

    category: str = Field(max_length=24, examples=CATEGORY_EXAMPLES)
    subcategory: str | None = Field(default=None, max_length=40, examples=["unpaid_wages"])
    summary: str = Summary
    person_id: uuid.UUID | None = Field(default=None, description="A registered person.")
    death_penalty: bool = False
    danger_to_life: bool = False
    people: list[CasePersonIn] = Field(default_factory=list, max_length=100)
    intake_channel: IntakeChannel | None = Field(
        default=None, description="Defaults to walk_in for staff, agency_api for agencies."
    )
    representation_code: str | None = Field(
        default=None,
        max_length=64,
        description="Required for HQ and agencies; officers open cases of their own post.",
        examples=["kbri-seoul"],
    )
    contact_phone: str | None = Field(default=None, max_length=32)
    contact_email: EmailStr | None = None


class CaseCreated(BaseModel):
    id: uuid.UUID
    reference: str
    priority: Priority
    status: CaseStatus
    representation_code: str
    category: str

    @classmethod
    def from_case(cls, case: Case) -> CaseCreated:
        """The answer to a new case."""
        return cls(
            id=case.id,
            reference=case.reference,
            priority=Priority(case.priority),
            status=CaseStatus(case.status),
            representation_code=case.representation_code,
            category=case.category,
        )


class CaseSummary(BaseModel):
    """One row of the queue."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    reference: str
    representation_code: str
    category: str
    subcategory: str | None
    summary: str
    priority: Priority
    status: CaseStatus
    waiting_on: WaitingOn | None
    death_penalty: bool
    danger_to_life: bool
    intake_channel: IntakeChannel
    assigned_officer_id: uuid.UUID | None
    created_at: datetime
    sla_due_at: datetime | None
    sla_state: Literal["on_time", "due_soon", "overdue"]
    escalated_at: datetime | None

    @classmethod
    def from_case(cls, case: Case, now: datetime) -> CaseSummary:
        """A queue row: the case's own columns, its summary cut short, its SLA state now."""
        return cls.model_validate(
            {
                **{name: getattr(case, name) for name in cls.model_fields if hasattr(case, name)},
                "summary": case.summary[:200],
                "sla_state": workflow.sla_state(case, now),
            }
        )


class CasePage(BaseModel):
    total: int = Field(description="Matching cases, counted up to 10,001 (meaning: more).")
    items: list[CaseSummary]


class CasePersonRead(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID | None
    name: str | None
    phone: str | None
    role: str


class OutcomeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: OutcomeKind
    people: int
    achieved_on: date
    amount: Decimal | None
    currency: str | None
    idr_per_unit: Decimal | None
    idr_value: int | None
    death_penalty_case: bool
    description: str | None
    recorded_at: datetime


class CaseRead(CaseSummary):
    """The case screen: everything about one case except its timeline (``/events``)."""

    priority_reason: str | None
    first_response_due_at: datetime
    first_responded_at: datetime | None
    resolution_due_at: datetime
    paused_since: datetime | None
    paused_seconds: int
    resolved_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    contact_phone: str | None
    contact_email: str | None
    people: list[CasePersonRead]
    outcomes: list[OutcomeRead]
    allowed_transitions: list[CaseStatus]

    @classmethod
    def from_view(cls, view: CaseView, now: datetime) -> CaseRead:
        """The case screen, with the transitions the workflow allows now."""
        case = view.case
        return cls(
            **(CaseSummary.from_case(case, now).model_dump() | {"summary": case.summary}),
            priority_reason=case.priority_reason,
            first_response_due_at=case.first_response_due_at,
            first_responded_at=case.first_responded_at,
            resolution_due_at=case.resolution_due_at,
            paused_since=case.paused_since,
            paused_seconds=case.paused_seconds,
            resolved_at=case.resolved_at,
            closed_at=case.closed_at,
            updated_at=case.updated_at,
            contact_phone=view.contact_phone,
            contact_email=view.contact_email,
            people=[
                CasePersonRead(
                    id=p.link.id,
                    person_id=p.link.person_id,
                    name=p.name,
                    phone=p.phone,
                    role=p.link.role,
                )
                for p in view.people
            ],
            outcomes=[OutcomeRead.model_validate(o) for o in view.outcomes],
            allowed_transitions=list(workflow.allowed_from(case.status)),
        )


class TransitionRequest(RequestBody):
    to: CaseStatus
    waiting_on: WaitingOn | None = Field(default=None, description="Required when to=waiting.")
    note: str | None = Field(default=None, max_length=5000)


class AssignmentRequest(RequestBody):
    officer_id: uuid.UUID | None = Field(
        description="A staff account of the case's post; null unassigns."
    )


class PriorityRequest(RequestBody):
    priority: Priority
    reason: str = Field(min_length=1, max_length=1000, description="Why the rules are overridden.")


class NoteCreate(RequestBody):
    text: str = Field(min_length=1, max_length=10000)
    visibility: Visibility = Visibility.INTERNAL
    kind: Literal["note", "call"] = "note"


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    kind: str
    visibility: Visibility
    actor_display: str
    text: str | None
    data: dict[str, object]

    @classmethod
    def from_event(cls, event: CaseEvent) -> EventRead:
        """A timeline entry, its data decoded."""
        return cls(
            seq=event.seq,
            at=event.at,
            kind=event.kind,
            visibility=Visibility(event.visibility),
            actor_display=event.actor_display,
            text=event.text,
            data=json.loads(event.data or "{}"),
        )


class EventPage(BaseModel):
    total: int
    items: list[EventRead]


class AttachmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    visibility: Visibility
    uploaded_at: datetime


class OutcomeCreate(RequestBody):
    kind: OutcomeKind
    people: int = Field(default=1, ge=1, le=100_000)
    achieved_on: date | None = Field(default=None, description="Defaults to today.")
    amount: Decimal | None = Field(
        default=None, gt=0, le=Decimal("1e12"), max_digits=16, decimal_places=2
    )
    currency: str | None = Field(default=None, min_length=3, max_length=3, examples=["KRW"])
    description: str | None = Field(default=None, max_length=2000)


class PersonLink(RequestBody):
    person_id: uuid.UUID


class HelpRequestCreate(RequestBody):
    """A citizen's request for help, with or without an account."""

    category: str = Field(max_length=24, examples=CATEGORY_EXAMPLES)
    subcategory: str | None = Field(default=None, max_length=40)
    summary: str = Summary
    country: str = Field(min_length=2, max_length=2, examples=["KR"])
    subdivision: str | None = Field(default=None, max_length=6)
    city: str | None = Field(default=None, max_length=120, examples=["Seoul"])
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    name: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=32, examples=["+821012345678"])
    contact_email: EmailStr | None = None
    death_penalty: bool = False
    danger_to_life: bool = False


class RepresentationRef(BaseModel):
    code: str
    name: str
    hotline: str | None


class HelpRequestCreated(BaseModel):
    id: uuid.UUID
    reference: str
    status: CaseStatus
    representation: RepresentationRef

    @classmethod
    def from_outcome(cls, outcome: HelpRequestOutcome) -> HelpRequestCreated:
        """The answer to a help request: its reference and the post that will call back."""
        post = outcome.representation
        return cls(
            id=outcome.case.id,
            reference=outcome.case.reference,
            status=CaseStatus(outcome.case.status),
            representation=RepresentationRef(code=post.code, name=post.name, hotline=post.hotline),
        )


class SharedNote(BaseModel):
    at: datetime
    text: str | None


class MyHelpRequest(BaseModel):
    id: uuid.UUID
    reference: str
    category: str
    status: CaseStatus
    created_at: datetime
    updated_at: datetime
    representation_code: str
    shared_notes: list[SharedNote]

    @classmethod
    def from_request(cls, request: MyRequest) -> MyHelpRequest:
        """A citizen's request with the notes shared with them."""
        return cls(
            id=request.case.id,
            reference=request.case.reference,
            category=request.case.category,
            status=CaseStatus(request.case.status),
            created_at=request.case.created_at,
            updated_at=request.case.updated_at,
            representation_code=request.case.representation_code,
            shared_notes=[SharedNote(at=n.at, text=n.text) for n in request.shared_notes],
        )


class RepresentationFigures(BaseModel):
    representation_code: str
    cases_resolved: int
    death_penalty_saved: int
    financial_recovered_idr: int
    hostages_freed: int
    people_repatriated: int


class OutcomeStatsRead(BaseModel):
    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    representation: str | None
    cases_resolved: int
    death_penalty_saved: int
    financial_recovered_idr: int
    hostages_freed: int
    people_repatriated: int
    by_representation: list[RepresentationFigures]

    @classmethod
    def from_figures(cls, figures: OutcomeStats, representation: str | None) -> OutcomeStatsRead:
        """The period's figures in total and per representation."""
        return cls(
            date_from=figures.date_from,
            date_to=figures.date_to,
            representation=representation,
            **{name: getattr(figures.total, name) for name in FIGURES},
            by_representation=[
                RepresentationFigures(
                    representation_code=code, **{n: getattr(f, n) for n in FIGURES}
                )
                for code, f in figures.by_representation.items()
            ],
        )


class CategoryRead(BaseModel):
    code: str
    label: str
    priority: Priority
    first_response_hours: int
    resolution_hours: int
    pause_while_waiting: bool
    subcategories: list[dict[str, str]]

    @classmethod
    def from_category(cls, category: Category, language: str) -> CategoryRead:
        """A taxonomy category in ``language`` (English where a label is missing)."""
        return cls(
            code=category.code,
            label=category.label(language),
            priority=category.priority,
            first_response_hours=category.first_response_hours,
            resolution_hours=category.resolution_hours,
            pause_while_waiting=category.pause_while_waiting,
            subcategories=[
                {"code": s.code, "label": s.labels.get(language) or s.labels["en"]}
                for s in category.subcategories
            ],
        )
