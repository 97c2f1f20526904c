"""Staff sign-in pages: password and authenticator code, first-time enrolment with a QR code,
sign-out. The rules live in ``auth.service``; these pages only ask and show.

A failed attempt rolls the request back (the form runner, ``web.forms``) so that the failure
is still counted towards the lockout and audited (the service records it after the rollback).
"""

from __future__ import annotations

from typing import Annotated, Any

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
    set_session_cookie,
)
from peduli.auth import service
from peduli.auth.actor import Actor
from peduli.core.errors import FieldProblem, PeduliError, TooManyRequests
from peduli.web.forms import Refusal, run_form
from peduli.web.i18n import LANGUAGE_COOKIE
from peduli.web.rendering import anonymous_csrf_ok, render

router = APIRouter(include_in_schema=False)

OFFICER_HOME = "/officer"
PARTNER_HOME = "/partner"  # community partners' pages (peduli.partners.pages.partner)
SIGN_IN_PATH = "/officer/sign-in"
SessionCookie = Annotated[str | None, Cookie(alias=SESSION_COOKIE)]
FormText = Annotated[str, Form(max_length=320)]
# Codes that concern the authenticator code field rather than the whole form.
_CODE_PROBLEMS = frozenset({"totp_required", "totp_replayed"})


def safe_next(target: str | None) -> str:
    """Only an officer or partner page of this site may follow a sign-in (no open redirect)."""
    home = target.startswith((OFFICER_HOME, PARTNER_HOME)) if target else False
    if target and home and "//" not in target and "\\" not in target:
        return target
    return OFFICER_HOME


def staff_or_none(actor: Actor | None) -> Actor | None:
    """The signed-in staff member, or None when the pages must send the reader to sign in."""
    return actor if actor is not None and actor.is_staff else None


def to_sign_in(request: Request) -> RedirectResponse:
    """Send a signed-out reader to the staff sign-in, then back to where they were going."""
    return RedirectResponse(f"{SIGN_IN_PATH}?next={request.url.path}", status_code=303)


def _sign_in_page(
    request: Request, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    page: dict[str, Any] = {
        "email": "",
        "next": OFFICER_HOME,
        "problems": {},
        "failure": None,
        "retry": None,
        "expired": False,
        "staff": None,
    }
    return render(request, "officer/sign_in.html", {**page, **context}, status_code=status_code)


def _failed_sign_in(request: Request, error: PeduliError, context: dict[str, Any]) -> HTMLResponse:
    """Show why the sign-in failed: next to the code field, or above the form."""
    problems: dict[str, FieldProblem] = {}
    failure: PeduliError | None = error
    if error.code in _CODE_PROBLEMS:
        problems["code"] = FieldProblem("code", error.code, error.detail)
        failure = None
    retry = None
    if isinstance(error, TooManyRequests):
        retry = max(1, -(-error.retry_after_seconds // 60))
    page = _sign_in_page(
        request,
        {**context, "problems": problems, "failure": failure, "retry": retry},
        status_code=error.status,
    )
    if retry:
        page.headers["Retry-After"] = str(retry * 60)
    return page


def _expired_form(request: Request, context: dict[str, Any]) -> HTMLResponse:
    return _sign_in_page(request, {**context, "expired": True}, status_code=403)


def _signed_in(result: service.SignedIn, next_path: str) -> RedirectResponse:
    response = RedirectResponse(safe_next(next_path), status_code=303)
    set_session_cookie(response, result.session.token, result.device_token)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get(SIGN_IN_PATH, response_class=HTMLResponse, dependencies=[PUBLIC])
def sign_in_form(
    request: Request, next_path: Annotated[str | None, Query(alias="next", max_length=300)] = None
) -> HTMLResponse:
    """Ask for email, password and the authenticator code."""
    return _sign_in_page(request, {"next": safe_next(next_path)})


def _enrol_page(
    request: Request,
    db: DbSession,
    *,
    token: str,
    next_path: str,
    problem: FieldProblem | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    enrolment = service.begin_enrolment(db, enrolment_token=token)
    secret = " ".join(enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4))
    context = {
        "enrolment": enrolment,
        "secret_groups": secret,
        "token": token,
        "next": next_path,
        "problems": {"code": problem} if problem else {},
        "staff": None,
    }
    return render(request, "officer/enrol.html", context, status_code=status_code)


@router.post(SIGN_IN_PATH, response_class=HTMLResponse, dependencies=[PUBLIC])
def sign_in(
    request: Request,
    db: DbSession,
    ip: ClientIp,
    previous: SessionCookie = None,
    device: DeviceCookie = None,
    email: FormText = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    code: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=300)] = OFFICER_HOME,
) -> Response:
    """Check password and code; a first sign-in continues with setting up the app."""
    context = {"email": email.strip(), "next": safe_next(next_path)}
    if not anonymous_csrf_ok(request, csrf_token):
        return _expired_form(request, context)

    def attempt() -> service.SignedIn | service.EnrolmentRequired:
        try:
            return service.sign_in(
                db,
                email=email,
                password=password,
                totp_code=code.replace(" ", "") or None,
                ip=ip,
                previous_session_token=previous,
                language=request.cookies.get(LANGUAGE_COOKIE),
                device_token=device,
            )
        except service.EnrolmentRequired as enrolment:
            return enrolment  # not a refusal: the sign-in goes on with setting up the app

    def signed_in_or_enrol(result: service.SignedIn | service.EnrolmentRequired) -> Response:
        if isinstance(result, service.EnrolmentRequired):
            return _enrol_page(request, db, token=result.enrolment_token, next_path=context["next"])
        return _signed_in(result, context["next"])

    return run_form(
        db,
        attempt,
        done=signed_in_or_enrol,
        refused=lambda refusal: _failed_sign_in(request, refusal.error, context),
    )


@router.post("/officer/enrol", response_class=HTMLResponse, dependencies=[PUBLIC])
def confirm_enrolment(
    request: Request,
    db: DbSession,
    ip: ClientIp,
    previous: SessionCookie = None,
    enrolment_token: Annotated[str, Form(max_length=300)] = "",
    code: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=300)] = OFFICER_HOME,
) -> Response:
    """Confirm the new authenticator with its first code; this also signs in."""
    next_page = safe_next(next_path)
    if not anonymous_csrf_ok(request, csrf_token):
        return _expired_form(request, {"next": next_page})

    def refused(refusal: Refusal) -> HTMLResponse:
        error = refusal.error
        if error.code in ("invalid_credentials", "totp_replayed"):
            problem = FieldProblem("code", error.code, error.detail)
            return _enrol_page(
                request,
                db,
                token=enrolment_token,
                next_path=next_page,
                problem=problem,
                status_code=error.status,
            )
        return _failed_sign_in(request, error, {"next": next_page})

    return run_form(
        db,
        lambda: service.confirm_enrolment(
            db,
            enrolment_token=enrolment_token,
            totp_code=code.replace(" ", ""),
            ip=ip,
            previous_session_token=previous,
        ),
        done=lambda result: _signed_in(result, next_page),
        refused=refused,
    )


@router.post("/officer/sign-out", dependencies=[OWN])
def sign_out(db: DbSession, actor: CurrentActor, cookie: SessionCookie = None) -> RedirectResponse:
    """End the session (the form's CSRF token is checked by the actor dependency)."""
    service.sign_out(db, session_token=cookie, actor=actor)
    response = RedirectResponse(SIGN_IN_PATH, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
