"""Public reference endpoints: the representations directory and the country list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from peduli.api.access import PUBLIC
from peduli.core.errors import FieldProblem, require_valid
from peduli.core.i18n import _
from peduli.reference import countries
from peduli.reference.profile import get_profile
from peduli.reference.representations import (
    Directory,
    RepresentationKind,
    load_directory,
)
from peduli.reference.schemas import CountryRead, RepresentationRead

# Public reference data: every route here is open to anyone.
router = APIRouter(tags=["reference"], dependencies=[PUBLIC])

# Reference data changes with a release, not between requests: let caches keep it an hour.
CACHE_CONTROL = "public, max-age=3600"


def active_directory() -> Directory:
    """The representations directory of the configured country profile."""
    return load_directory(get_profile().representations_resource)


@router.get("/representations", response_model=list[RepresentationRead])
def list_representations(
    response: Response,
    country: Annotated[
        str | None,
        Query(description="Only posts serving citizens in this ISO 3166-1 alpha-2 country."),
    ] = None,
    kind: Annotated[RepresentationKind | None, Query()] = None,
) -> list[RepresentationRead]:
    """List the representations abroad with their jurisdiction (public, cacheable)."""
    directory = active_directory()
    if country is not None:
        country = _checked_country(country)
    posts = directory.for_country(country) if country else directory.all()
    response.headers["Cache-Control"] = CACHE_CONTROL
    return [RepresentationRead.of(p) for p in posts if kind is None or p.kind == kind]


@router.get("/countries", response_model=list[CountryRead])
def list_countries(response: Response) -> list[CountryRead]:
    """List ISO 3166-1 countries with their English and Indonesian names (public)."""
    response.headers["Cache-Control"] = CACHE_CONTROL
    return [CountryRead.of(c) for c in countries.all_countries()]


def _checked_country(code: str) -> str:
    upper = code.upper()
    if not countries.is_country(upper):
        require_valid(
            [
                FieldProblem(
                    "country",
                    "unknown_country",
                    _("'{code}' is not an ISO 3166-1 alpha-2 country code.").format(code=code),
                    _("Use two letters, like KR for South Korea; GET /api/v1/countries lists all."),
                )
            ]
        )
    return upper
