"""Render a page in the reader's language, with what every page needs in its context."""

from __future__ import annotations

import secrets
from functools import lru_cache, partial
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from peduli.core import csrf
from peduli.core.i18n import translate
from peduli.reference import places
from peduli.web import i18n
from peduli.web.templating import make_environment

ANONYMOUS_CSRF_COOKIE = "peduli_csrf"


@lru_cache
def templates_for(language: str) -> Jinja2Templates:
    """One Jinja environment per language, its catalogue installed (thread-safe by design)."""
    env = make_environment()
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    return Jinja2Templates(env=env)


def compile_every_page() -> None:
    """Compile every template in every language, and read every language's country names,
    before the first request (``api.app.create_server_app``).

    ``peduli serve`` forks its server processes from the process that built the app. A
    process started again after a crash otherwise compiled each template and read the
    country names of each language on its first requests, and under a crisis's load its
    first pages took 4-5 s (the load test's slowest pages after a kill). Compiled in the
    parent, they are every fork's from its start.
    """
    for language in i18n.LANGUAGES:
        env = templates_for(language).env
        for name in env.list_templates(extensions=["html"]):
            env.get_template(name)
        places.country_choices(language)


def form_csrf_token(request: Request) -> str:
    """The token a page puts in its forms: the session's, else a double-submit cookie's."""
    session_token = getattr(request.state, "csrf_token", None)
    if session_token:
        return str(session_token)
    existing = request.cookies.get(ANONYMOUS_CSRF_COOKIE)
    if existing:
        return existing
    token: str = getattr(request.state, "new_anonymous_csrf", None) or secrets.token_urlsafe(24)
    request.state.new_anonymous_csrf = token
    return token


def anonymous_csrf_ok(request: Request, submitted: str | None) -> bool:
    """Check a signed-out form's token against its cookie (double submit)."""
    cookie = request.cookies.get(ANONYMOUS_CSRF_COOKIE)
    token = csrf.unmask(submitted) if submitted else ""
    return bool(cookie and token and secrets.compare_digest(cookie, token))


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    personal: bool = True,
) -> HTMLResponse:
    """Render ``name`` in the negotiated language; personal pages are never cached."""
    language = i18n.negotiate(request)
    catalogue = i18n.translations(language)
    page_context = {
        "lang": language,
        "languages": i18n.LANGUAGE_NAMES,
        "t": partial(translate, gettext=catalogue.gettext, language=language),
        "format_date": partial(i18n.format_date, language=language),
        "format_datetime": partial(i18n.format_datetime, language=language),
        "format_number": partial(i18n.format_number, language=language),
        "csrf_token": csrf.mask(form_csrf_token(request)),
        "current_path": request.url.path,
        **(context or {}),
    }
    response = templates_for(language).TemplateResponse(
        request, name, page_context, status_code=status_code
    )
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language, Cookie"
    if personal:
        response.headers["Cache-Control"] = "no-store"
    chosen = request.query_params.get("lang")
    if chosen in i18n.LANGUAGES and chosen != request.cookies.get(i18n.LANGUAGE_COOKIE):
        one_year = 365 * 24 * 3600
        response.set_cookie(i18n.LANGUAGE_COOKIE, chosen, max_age=one_year, samesite="lax")
    new_token = getattr(request.state, "new_anonymous_csrf", None)
    if new_token:
        response.set_cookie(
            ANONYMOUS_CSRF_COOKIE, new_token, httponly=True, samesite="lax", path="/"
        )
    return response
