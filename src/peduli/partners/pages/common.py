"""What the partner desk and the officers' partner pages share: the page frame with its
display helpers, and what a page shows after a refused form."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from peduli.auth.actor import Actor
from peduli.cases import taxonomy
from peduli.core.errors import PeduliError, ValidationFailed
from peduli.reference import places
from peduli.reference.profile import get_profile
from peduli.web.i18n import negotiate
from peduli.web.rendering import render


def refused_context(failure: PeduliError | None, form: dict[str, str] | None) -> dict[str, Any]:
    """What a page shows after a refused form: field problems next to their fields, any
    other refusal above the form, and what the reader had typed."""
    problems = (
        {p.field: p for p in failure.problems} if isinstance(failure, ValidationFailed) else {}
    )
    return {
        "failure": failure if failure and not problems else None,
        "problems": problems,
        "form": form or {},
    }


def _helpers(request: Request) -> dict[str, Any]:
    language = negotiate(request)
    tax = taxonomy.load()
    profile = get_profile()

    def category_label(code: str) -> str:
        found = tax.get(code)
        return found.label(language) if found else code

    def province_name(code: str | None) -> str:
        return (profile.home_province_name(code) or code or "") if code else ""

    def post_name(code: str | None) -> str:
        found = places.representation_by_code(code)
        return found.name if found else (code or "")

    return {
        "category_label": category_label,
        "province_name": province_name,
        "post_name": post_name,
        "country_name": lambda code: places.country_name(code, language),
        "categories": [(c.code, c.label(language)) for c in tax.categories.values()],
    }


def page(
    request: Request, name: str, staff: Actor, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render a partners template with the signed-in staff member and the display helpers."""
    return render(
        request, name, {"staff": staff, **_helpers(request), **context}, status_code=status_code
    )
