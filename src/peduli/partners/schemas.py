"""Request and response shapes of the partner registry, referrals and delegations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from peduli.core.schemas import RequestBody
from peduli.partners.models import MemberRole, PartnerKind

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


class MemberCreated(MemberRead):
    """Shown once: the generated password and the authenticator key's URI."""

    password: str
    totp_uri: str
