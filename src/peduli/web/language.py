"""The language picker: remember the reader's choice and go back to a page that can be shown.

The picker is a GET form to ``/language`` rather than to the current address, because the
current address may answer POST only (a form that was just sent).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.routing import Match

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
