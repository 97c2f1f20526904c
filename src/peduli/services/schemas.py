"""Shapes of the services: a catalogue entry as published (validated when HQ publishes it)
and the API's bodies and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from peduli.core.i18n import LANGUAGES
from peduli.core.schemas import RequestBody

Code = Field(min_length=2, max_length=40, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")


class Channel(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"
    BOTH = "both"


class ApplyingFor(StrEnum):
    SELF = "self"
    CHILD = "child"
    RELATIVE = "relative"


class Texts(BaseModel):
    """One text in every language of the platform (never a raw code)."""

    id: str = Field(min_length=1, max_length=1000)
    en: str = Field(min_length=1, max_length=1000)
    zh: str = Field(min_length=1, max_length=1000)
    fr: str = Field(min_length=1, max_length=1000)

    def get(self, language: str) -> str:
        """The text in ``language`` (English for a language the platform lacks)."""
        return str(getattr(self, language if language in LANGUAGES else "en"))


class Requirement(BaseModel):
    """One document, who brings it, and whether it must be uploaded to apply online."""

    document: str = Field(min_length=2, max_length=40, pattern=r"^[a-z_]+$")
    who: str = Field(min_length=2, max_length=40, pattern=r"^[a-z_]+$")
    upload: bool
    label: Texts
    who_label: Texts


class ServiceDefinition(BaseModel):
    """One service of the catalogue, as HQ publishes it."""

    code: str = Code
    group: Literal["passport", "civil_status", "legalisation", "certificate", "citizenship"]
    channel: Channel
    fee_usd: Decimal = Field(ge=0, le=10000, decimal_places=2)
    sla_working_days: int = Field(ge=1, le=60)
    applying_for: list[ApplyingFor] = Field(min_length=1)
    name: Texts
    eligibility: Texts
    requirements: list[Requirement] = Field(max_length=20)

    @field_validator("requirements")
    @classmethod
    def _distinct(cls, value: list[Requirement]) -> list[Requirement]:
        if len({r.document for r in value}) != len(value):
            raise ValueError("each document is listed once")
        return value

    @property
    def fee_usd_cents(self) -> int:
        return int(self.fee_usd * 100)

    @property
    def online(self) -> bool:
        return self.channel != Channel.IN_PERSON


class ServiceRead(BaseModel):
    """A service as the public catalogue shows it, in the reader's language."""

    code: str
    version: int
    group: str
    channel: Channel
    name: str
    eligibility: str
    applying_for: list[ApplyingFor]
    fee_usd: Decimal
    sla_working_days: int
    requirements: list[dict[str, str | bool]]
    local_note: str | None = None
    fee_local: Decimal | None = None
    local_currency: str | None = None


class PaymentChoice(StrEnum):
    ONLINE = "online"
    COUNTER = "counter"


class ApplicationCreate(RequestBody):
    """An application by the signed-in citizen; their details come from their record."""

    service: str = Field(min_length=2, max_length=40, examples=["passport-renewal"])
    applying_for: ApplyingFor = ApplyingFor.SELF
    beneficiary_name: str | None = Field(default=None, max_length=200)
    payment: PaymentChoice = PaymentChoice.ONLINE
    details_confirmed: bool = Field(
        description="The applicant confirms the details the registry holds about them."
    )


class DocumentRead(BaseModel):
    id: uuid.UUID
    requirement: str
    filename: str
    content_type: str
    size_bytes: int


class ApplicationRead(BaseModel):
    """An application as its applicant sees it."""

    id: uuid.UUID
    reference: str
    service: str
    service_version: int
    representation_code: str
    state: str
    applying_for: str
    submitted_at: datetime
    due_at: datetime
    fee_usd: Decimal
    local_currency: str | None
    fee_local: Decimal | None
    payment_method: str
    payment_state: str
    payment_reference: str | None
    refusal_reason: str | None
    officer_note: str | None
    documents: list[DocumentRead]
    next_actions: list[str]


class PaymentNotification(BaseModel):
    """What the payment gateway posts when a virtual account is paid."""

    reference: str = Field(min_length=4, max_length=24)
    amount_cents: int = Field(ge=0)
    currency: str = Field(min_length=3, max_length=3)
    paid_at: datetime


class ReportRow(BaseModel):
    representation_code: str
    service_code: str
    received: int
    open: int
    completed: int
    completed_on_time: int
    overdue_open: int
    on_time_share: float | None
