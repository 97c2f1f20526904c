"""The language picker: remember the reader's choice and go back to a page that can be shown.

The picker is a GET form to ``/language`` rather than to the current address, because the
current address may answer POST only (a form that was just sent). A link that names its
language (``?lang=en`` in an SMS or on a poster) is remembered too, so the pages after it
(the sign-in it may lead to, the form posted from it) stay in that language.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import MutableHeaders, QueryParams
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from peduli.api.deps import PUBLIC
from peduli.web import i18n

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])


def _showable(request: Request, path: str) -> bool:
    """A path on this site that answers GET (so the redirect never lands on a 405)."""
    if not path.startswith("/") or path.startswith("//"):
        return False
    scope = {"type": "http", "path": path, "method": "GET", "root_path": ""}
    return any(route.matches(scope)[0] == Match.FULL for route in request.app.routes)


@router.get("/language")
def choose_language(
    request: Request,
    lang: Annotated[str, Query(max_length=8)] = i18n.DEFAULT_LANGUAGE,
    next_path: Annotated[str, Query(alias="next", max_length=500)] = "/",
) -> RedirectResponse:
    """Keep the chosen language in a cookie and return to the page the reader was on."""
    target = next_path if _showable(request, next_path) else "/"
    response = RedirectResponse(target, status_code=303)
    if lang in i18n.LANGUAGES:
        i18n.remember(response, lang)
    return response


class RememberLanguageOfLink:
    """Keep the language a GET link names (``?lang=``) in the reader's cookie.

    Pure ASGI: it only adds a header to the response start, and only when the link's choice
    differs from the cookie, so every other request passes untouched.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chosen = _language_of_link(scope)
        if chosen is None:
            await self.app(scope, receive, send)
            return

        async def send_remembering(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("set-cookie", _language_cookie(chosen))
            await send(message)

        await self.app(scope, receive, send_remembering)


def _language_cookie(language: str) -> str:
    """The Set-Cookie value exactly as ``i18n.remember`` writes it for a page."""
    holder = Response()
    i18n.remember(holder, language)
    return holder.headers["set-cookie"]


def _language_of_link(scope: Scope) -> str | None:
    """The language a GET request's query names, when it is ours and not yet remembered."""
    if scope["type"] != "http" or scope["method"] != "GET" or b"lang=" not in scope["query_string"]:
        return None
    chosen = QueryParams(scope["query_string"]).get("lang")
    if chosen not in i18n.LANGUAGES:
        return None
    cookies = Request(scope).cookies
    return None if cookies.get(i18n.LANGUAGE_COOKIE) == chosen else chosen
