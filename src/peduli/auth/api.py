"""HTTP edge of authentication: staff and citizen sign-in, sessions, TOTP, API tokens."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Cookie, Depends, Response, status
from fastapi.responses import JSONResponse

from peduli.api.deps import (
    OWN,
    PUBLIC,
    SESSION_COOKIE,
    ClientIp,
    CurrentActor,
    DbSession,
    DeviceCookie,
    set_session_cookie,
)
from peduli.api.language import RequestLanguage
from peduli.api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_BASE
from peduli.auth import accounts, codes, schemas, service, sessions, tokens
from peduli.auth.actor import Actor
from peduli.auth.models import ApiToken, AuthSession
from peduli.core.config import get_settings
from peduli.core.i18n import _


def _no_store(response: Response) -> None:
    """Everything here is personal: never cache it anywhere."""
    response.headers["Cache-Control"] = "no-store"


router = APIRouter(prefix="/auth", tags=["auth"], dependencies=[Depends(_no_store)])
SessionCookie = Annotated[str | None, Cookie(alias=SESSION_COOKIE, include_in_schema=False)]


def _session_read(row: AuthSession, signed_in: Actor) -> schemas.SessionRead:
    return schemas.SessionRead(
        kind="citizen" if row.citizen_account_id else "staff",
        account_id=signed_in.account_id,
        role=signed_in.role.value,
        display=signed_in.display,
        representation_code=signed_in.representation_code,
        person_id=signed_in.person_id,
        csrf_token=row.csrf_token,
        expires_at=row.expires_at,
        idle_timeout_minutes=int(sessions.idle_timeout(row).total_seconds() // 60),
    )


def _signed_in(response: Response, result: service.SignedIn) -> schemas.SessionRead:
    set_session_cookie(response, result.session.token, result.device_token)
    return _session_read(result.session.row, result.actor)


def _enrolment_problem(error: service.EnrolmentRequired) -> JSONResponse:
    body = {
        "type": PROBLEM_TYPE_BASE + error.code,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "code": error.code,
        "enrolment_token": error.enrolment_token,
    }
    return JSONResponse(
        body,
        status_code=error.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"Cache-Control": "no-store"},
    )


@router.post(
    "/login",
    response_model=schemas.SessionRead,
    dependencies=[PUBLIC],
    responses={
        401: {"description": "Wrong email, password or code"},
        403: {"description": "The second factor must be set up first (totp_enrolment_required)"},
        429: {"description": "Too many failed sign-ins; see Retry-After"},
    },
)
def login(
    body: schemas.LoginRequest,
    response: Response,
    db: DbSession,
    ip: ClientIp,
    cookie: SessionCookie = None,
    device: DeviceCookie = None,
) -> schemas.SessionRead | JSONResponse:
    """Staff sign-in with password and TOTP code; sets the session cookie."""
    try:
        result = service.sign_in(
            db,
            email=body.email,
            password=body.password,
            totp_code=body.totp,
            ip=ip,
            previous_session_token=cookie,
            device_token=device,
        )
    except service.EnrolmentRequired as error:
        return _enrolment_problem(error)
    return _signed_in(response, result)


@router.post("/totp/enrol", response_model=schemas.TotpEnrolmentRead, dependencies=[PUBLIC])
def totp_enrol(body: schemas.EnrolmentRequest, db: DbSession) -> schemas.TotpEnrolmentRead:
    """The key for the authenticator app (URI, QR code) of an account that must enrol."""
    enrolment = service.begin_enrolment(db, enrolment_token=body.enrolment_token)
    return schemas.TotpEnrolmentRead(
        otpauth_uri=enrolment.otpauth_uri,
        secret=enrolment.secret,
        qr_png_base64=enrolment.qr_png_base64,
    )


@router.post("/totp/confirm", response_model=schemas.SessionRead, dependencies=[PUBLIC])
def totp_confirm(
    body: schemas.EnrolmentConfirm,
    response: Response,
    db: DbSession,
    ip: ClientIp,
    cookie: SessionCookie = None,
) -> schemas.SessionRead:
    """Confirm the new second factor with its first code; signs in."""
    result = service.confirm_enrolment(
        db,
        enrolment_token=body.enrolment_token,
        totp_code=body.totp,
        ip=ip,
        previous_session_token=cookie,
    )
    return _signed_in(response, result)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, dependencies=[OWN])
def logout(
    response: Response, db: DbSession, actor: CurrentActor, cookie: SessionCookie = None
) -> None:
    """End the current session (needs the X-CSRF-Token header)."""
    service.sign_out(db, session_token=cookie, actor=actor)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/session", response_model=schemas.SessionRead, dependencies=[OWN])
def current_session(
    db: DbSession, actor: CurrentActor, cookie: SessionCookie = None
) -> schemas.SessionRead:
    """Who is signed in, and the CSRF token for unsafe requests."""
    row = service.current_session(db, session_token=cookie)
    return _session_read(row, actor)


@router.post("/citizen/code", status_code=status.HTTP_202_ACCEPTED, dependencies=[PUBLIC])
def citizen_code(
    body: schemas.CitizenCodeRequest,
    db: DbSession,
    ip: ClientIp,
    language: RequestLanguage,
    device: DeviceCookie = None,
) -> schemas.CitizenCodeSent:
    """Send a one-time sign-in code to an email address or a phone (same answer for all).

    The code's message is in the caller's language (``?lang=``, the language cookie, then
    Accept-Language; Indonesian otherwise)."""
    codes.request_code(db, address=body.address, ip=ip, device_token=device, language=language)
    minutes = get_settings().otp_ttl_minutes
    return schemas.CitizenCodeSent(
        detail=_(
            "If this address can receive messages, a code is on its way. "
            "Enter it within {minutes} minutes."
        ).format(minutes=minutes),
        expires_in_minutes=minutes,
    )


@router.post("/citizen/verify", response_model=schemas.SessionRead, dependencies=[PUBLIC])
def citizen_verify(
    body: schemas.CitizenVerify,
    response: Response,
    db: DbSession,
    ip: ClientIp,
    cookie: SessionCookie = None,
    device: DeviceCookie = None,
) -> schemas.SessionRead:
    """Sign a citizen in with the code they received; sets the session cookie."""
    result = service.citizen_sign_in(
        db,
        address=body.address,
        code=body.code,
        ip=ip,
        previous_session_token=cookie,
        device_token=device,
    )
    return _signed_in(response, result)


def _token_read(row: ApiToken) -> schemas.TokenRead:
    return schemas.TokenRead(
        id=row.id,
        prefix=row.prefix,
        scopes=row.scopes.split(),
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


# Tokens are made from a staff session only (accounts.create_token_for refuses a token).
@router.post("/tokens", status_code=status.HTTP_201_CREATED, dependencies=[OWN])
def create_token(
    body: schemas.TokenCreate, db: DbSession, actor: CurrentActor
) -> schemas.TokenCreated:
    """Create an API token for yourself (HQ administrators: for an agency account)."""
    issued = accounts.create_token_for(
        db, actor=actor, email=body.email, scopes=body.scopes, days=body.days
    )
    return schemas.TokenCreated(**_token_read(issued.row).model_dump(), token=issued.token)


@router.get("/tokens", dependencies=[OWN])
def list_tokens(db: DbSession, actor: CurrentActor) -> list[schemas.TokenRead]:
    """Your API tokens, newest first (never their secrets)."""
    return [_token_read(row) for row in tokens.list_for(db, account_id=actor.account_id)]


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[OWN])
def revoke_token(token_id: uuid.UUID, db: DbSession, actor: CurrentActor) -> None:
    """Revoke an API token at once."""
    accounts.revoke_token(db, token_id=token_id, actor=actor)
