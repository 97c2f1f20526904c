"""Request and response bodies of the sign-in, session and token endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from peduli.core.schemas import RequestBody


class _Body(RequestBody):
    """Passwords, codes and addresses are taken exactly as typed: no trimming."""

    model_config = ConfigDict(str_strip_whitespace=False)


class LoginRequest(_Body):
    email: str = Field(min_length=3, max_length=254, examples=["officer@example.org"])
    password: str = Field(min_length=1, max_length=1024)
    totp: str | None = Field(
        default=None, max_length=10, description="The 6-digit code of the authenticator app."
    )


class EnrolmentRequest(_Body):
    enrolment_token: str = Field(min_length=1, max_length=300)


class EnrolmentConfirm(_Body):
    enrolment_token: str = Field(min_length=1, max_length=300)
    totp: str = Field(min_length=6, max_length=10)


class TotpEnrolmentRead(BaseModel):
    otpauth_uri: str
    secret: str = Field(description="The key in base32, for apps that cannot scan the QR code.")
    qr_png_base64: str = Field(description="The otpauth URI as a QR code (PNG, base64).")


class SessionRead(BaseModel):
    """Who is signed in, and the CSRF token to send as X-CSRF-Token on unsafe requests."""

    kind: Literal["staff", "citizen"]
    account_id: uuid.UUID
    role: str
    display: str
    representation_code: str | None = None
    person_id: uuid.UUID | None = None
    csrf_token: str
    expires_at: datetime
    idle_timeout_minutes: int


class CitizenCodeRequest(_Body):
    address: str = Field(
        min_length=3, max_length=254, description="An email address or a phone number."
    )


class CitizenCodeSent(BaseModel):
    detail: str
    expires_in_minutes: int


class CitizenVerify(_Body):
    address: str = Field(min_length=3, max_length=254)
    code: str = Field(min_length=6, max_length=6, pattern=r"^\d{6}$")


class TokenCreate(_Body):
    scopes: list[str] | None = Field(
        default=None, description="Omit for every scope the account's role may hold."
    )
    days: int | None = Field(default=None, ge=1, le=366)
    email: str | None = Field(
        default=None, description="HQ administrators only: the agency account to create it for."
    )


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenRead):
    token: str = Field(description="The secret; shown only now. Send as Authorization: Bearer.")
