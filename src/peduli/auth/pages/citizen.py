"""Citizen sign-in pages: ask for a one-time code, enter it, get a new session; sign out.

The pages work without JavaScript. The address travels in POST bodies only, never in a
URL. A failed code rolls the request back (the form runner, ``web.forms``) so that the wrong
guess is still counted (the code service records it after the rollback).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Cookie, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from peduli.api.deps import (
    OWN,
    PUBLIC,
    SESSION_COOKIE,
    ClientIp,
    CurrentActor,
    DbSession,
    DeviceCookie,
    OptionalActor,
    set_session_cookie,
)
from peduli.auth import codes, service
from peduli.auth.actor import Role
from peduli.core.config import get_settings
from peduli.core.errors import FieldProblem, PeduliError, TooManyRequests, ValidationFailed
from peduli.web import i18n
from peduli.web.forms import run_form
from peduli.web.rendering import anonymous_csrf_ok, render

router = APIRouter(include_in_schema=False)

SIGN_IN_PATH = "/masuk"
DEFAULT_AFTER_SIGN_IN = "/saya"
STAGE_FIELDS = {"address": "address", "code": "code"}  # the field each stage shows
DEMO_ENVIRONMENTS = frozenset({"development", "demo", "test"})
SessionCookie = Annotated[str | None, Cookie(alias=SESSION_COOKIE)]
NextField = Annotated[str, Form(max_length=300)]
GoField = Annotated[str, Form(max_length=20)]  # "language" when the picker sent the form
LangField = Annotated[str, Form(max_length=8)]


def safe_next(target: str | None) -> str:
    """Only a path on this site (no ``//host`` or scheme) may follow a sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return DEFAULT_AFTER_SIGN_IN


def sign_in_url(next_path: str) -> str:
    """Where to send a signed-out citizen who wanted ``next_path``."""
    return f"{SIGN_IN_PATH}?next={quote(next_path, safe='/')}"


def _page(
    request: Request, stage: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    return render(
        request,
        "citizen/sign_in.html",
        {
            "stage": stage,
            "signed_in": False,
            "demo": get_settings().environment in DEMO_ENVIRONMENTS,
            "minutes": get_settings().otp_ttl_minutes,
            "address": "",
            "problem": None,
            "failure": None,
            "retry_minutes": None,
            "picker_form": f"{stage}-form",
            **context,
        },
        status_code=status_code,
    )


def _failure(
    request: Request, stage: str, error: PeduliError, context: dict[str, Any]
) -> HTMLResponse:
    """Show what went wrong next to the field (or at the top), keeping what was typed."""
    visible = STAGE_FIELDS[stage]
    problem = None
    if isinstance(error, ValidationFailed) and error.problems[0].field == visible:
        problem = error.problems[0]
    elif stage == "code" and error.status == HTTPStatus.UNAUTHORIZED:
        problem = FieldProblem("code", error.code, error.detail)
    retry = None
    if isinstance(error, TooManyRequests):
        retry = max(1, -(-error.retry_after_seconds // 60))
    page = _page(
        request,
        stage,
        {
            **context,
            "problem": problem,
            "failure": None if problem else error,
            "retry_minutes": retry,
        },
        status_code=error.status,
    )
    if retry:
        page.headers["Retry-After"] = str(retry * 60)
    return page


def _bad_form_token(request: Request, stage: str, context: dict[str, Any]) -> HTMLResponse:
    problem = FieldProblem("csrf_token", "form.expired", "")
    return _page(request, stage, {**context, "problem": problem}, status_code=403)


@router.get(SIGN_IN_PATH, response_class=HTMLResponse, dependencies=[PUBLIC])
def sign_in_form(
    request: Request,
    actor: OptionalActor,
    next_path: Annotated[str | None, Query(alias="next", max_length=300)] = None,
) -> Response:
    """Ask for the email address or phone number the code goes to."""
    if actor is not None and actor.role == Role.CITIZEN:
        return RedirectResponse(safe_next(next_path), status_code=303)
    return _page(request, "address", {"next": safe_next(next_path)})


@router.post(SIGN_IN_PATH, response_class=HTMLResponse, dependencies=[PUBLIC])
def send_code(
    request: Request,
    db: DbSession,
    ip: ClientIp,
    device: DeviceCookie = None,
    address: Annotated[str, Form(max_length=320)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next_path: NextField = DEFAULT_AFTER_SIGN_IN,
    go: GoField = "",
    lang: LangField = "",
) -> Response:
    """Send a code to the address (same answer whether or not it is known)."""
    context = {"address": address.strip(), "next": safe_next(next_path)}
    if not anonymous_csrf_ok(request, csrf_token):
        return _bad_form_token(request, "address", context)
    if go == "language":
        return _in_language(request, lang, "address", context)
    return run_form(
        db,
        lambda: codes.request_code(
            db, address=address, ip=ip, device_token=device, language=i18n.negotiate(request)
        ),
        done=lambda _sent: _page(request, "code", context),
        refused=lambda refusal: _failure(request, "address", refusal.error, context),
    )


@router.post(f"{SIGN_IN_PATH}/kode", response_class=HTMLResponse, dependencies=[PUBLIC])
def enter_code(
    request: Request,
    db: DbSession,
    ip: ClientIp,
    previous: SessionCookie = None,
    device: DeviceCookie = None,
    address: Annotated[str, Form(max_length=320)] = "",
    code: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next_path: NextField = DEFAULT_AFTER_SIGN_IN,
    go: GoField = "",
    lang: LangField = "",
) -> Response:
    """Check the code; on success start a new session and go where the citizen was going."""
    context = {"address": address.strip(), "next": safe_next(next_path)}
    if not anonymous_csrf_ok(request, csrf_token):
        return _bad_form_token(request, "code", context)
    if go == "language":
        return _in_language(request, lang, "code", context)
    return run_form(
        db,
        lambda: service.citizen_sign_in(
            db,
            address=address,
            code=code,
            ip=ip,
            previous_session_token=previous,
            device_token=device,
        ),
        done=lambda signed_in: _signed_in(signed_in, context["next"]),
        refused=lambda refusal: _failure(request, "code", refusal.error, context),
    )


def _in_language(
    request: Request, language: str, stage: str, context: dict[str, Any]
) -> HTMLResponse:
    """The language picker sent the stage's form: the same stage, as typed, in ``language``."""
    chosen = i18n.choose(request, language)
    page = _page(request, stage, context)
    if chosen:
        i18n.remember(page, chosen)
    return page


def _signed_in(signed_in: service.SignedIn, next_page: str) -> RedirectResponse:
    """On to where the citizen was going, in a new session."""
    response = RedirectResponse(next_page, status_code=303)
    set_session_cookie(response, signed_in.session.token, signed_in.device_token)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/keluar", dependencies=[OWN])
def sign_out(db: DbSession, actor: CurrentActor, cookie: SessionCookie = None) -> RedirectResponse:
    """End the session (the form's CSRF token is checked by the actor dependency)."""
    service.sign_out(db, session_token=cookie, actor=actor)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
