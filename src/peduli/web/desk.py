"""The staff desk: the frame every domain's staff pages share (who is signed in, paging,
filters in links, names of places and posts)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from peduli.api.deps import OptionalActor
from peduli.auth.actor import Actor
from peduli.auth.pages.staff import staff_or_none
from peduli.core.paging import page_count
from peduli.reference import places
from peduli.web.i18n import negotiate
from peduli.web.rendering import render

T = TypeVar("T")
PER_PAGE_CHOICES = (25, 50, 100)


def _staff(actor: OptionalActor) -> Actor | None:
    return staff_or_none(actor)


# None when the reader must sign in first (pages answer with ``to_sign_in``).
Staff = Annotated[Actor | None, Depends(_staff)]


class SignInFirst(Exception):
    """A staff page reached without a staff session: the app answers with the sign-in page,
    which brings the reader back here (``auth.pages.staff.to_sign_in``)."""


def _signed_in(staff: Staff) -> Actor:
    if staff is None:
        raise SignInFirst
    return staff


# The signed-in staff member; a reader without a staff session is sent to sign in first.
SignedIn = Annotated[Actor, Depends(_signed_in)]


@dataclass(frozen=True)
class Pages:
    """One page of a list: never past the last page, never an unbounded list."""

    page: int
    per_page: int
    total: int

    @property
    def count(self) -> int:
        return page_count(self.total, self.per_page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def page_number(raw: str | None) -> int:
    """The page asked for in a link, as a number of at least 1 (junk means page 1)."""
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def clamp(page: int, per_page: int, total: int) -> Pages:
    """The asked page, moved back to the last one when the list is shorter."""
    last = page_count(total, per_page)
    return Pages(page=min(page, last), per_page=per_page, total=total)


def paged(
    fetch: Callable[[int, int], tuple[int, list[T]]], wanted: int, per_page: int
) -> tuple[Pages, list[T]]:
    """Fetch one page (``fetch(limit, offset)``); past the end, fetch the last page instead."""
    total, rows = fetch(per_page, (wanted - 1) * per_page)
    pages = clamp(wanted, per_page, total)
    if pages.page != wanted:
        total, rows = fetch(per_page, pages.offset)
    return pages, rows


def per_page_choice(raw: str | None) -> int:
    """25, 50 or 100 rows a page; anything else means 25."""
    try:
        value = int(raw or 0)
    except ValueError:
        return PER_PAGE_CHOICES[0]
    return value if value in PER_PAGE_CHOICES else PER_PAGE_CHOICES[0]


def parse_day(raw: str | None) -> tuple[date | None, bool]:
    """A date from a form field (YYYY-MM-DD); the flag says the text was not a date."""
    if not raw or not raw.strip():
        return None, False
    try:
        return date.fromisoformat(raw.strip()), False
    except ValueError:
        return None, True


def url_with(path: str, params: Mapping[str, Any]) -> Callable[..., str]:
    """A function giving ``path`` with the current parameters, some of them changed."""

    def build(**changes: Any) -> str:
        merged = {**params, **changes}
        query = urlencode({k: v for k, v in merged.items() if v not in (None, "")})
        return f"{path}?{query}" if query else path

    return build


def representation_choices() -> list[tuple[str, str]]:
    """(code, name) of every post, for the HQ filter."""
    posts = places.directory().all()
    return sorted(((p.code, p.name) for p in posts), key=lambda c: c[1])


def page(
    request: Request, name: str, staff: Actor, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render a staff page with the helpers its templates use."""
    language = negotiate(request)

    def post_name(code: str | None) -> str:
        found = places.representation_by_code(code)
        return found.name if found else (code or "")

    helpers = {
        "staff": staff,
        "country_name": lambda code: places.country_name(code, language),
        "post_name": post_name,
    }
    return render(request, name, {**helpers, **context}, status_code=status_code)
