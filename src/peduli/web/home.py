"""The home page: what Peduli does, and the hotline of the post that serves a place."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.api.deps import PUBLIC, DbSession, OptionalActor
from peduli.auth.actor import Actor, Role
from peduli.reference import countries
from peduli.reference.places import country_choices, country_name, directory, hotline_of
from peduli.registry.models import Stay, StayStatus
from peduli.web.i18n import negotiate
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])


def _active_stay(session: Session, actor: Actor | None) -> Stay | None:
    """The signed-in citizen's latest active stay, which sets the page's default place."""
    if actor is None or actor.role != Role.CITIZEN or actor.person_id is None:
        return None
    return session.scalar(
        select(Stay)
        .where(Stay.person_id == actor.person_id, Stay.status == StayStatus.ACTIVE)
        .order_by(Stay.arrival_date.desc())
        .limit(1)
    )


CountryQuery = Annotated[str | None, Query(max_length=2)]
CityQuery = Annotated[str | None, Query(max_length=120)]


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    db: DbSession,
    actor: OptionalActor,
    country: CountryQuery = None,
    city: CityQuery = None,
) -> HTMLResponse:
    """What Peduli does, and the 24-hour hotline of the post serving the chosen place."""
    stay = _active_stay(db, actor)
    if country is None and stay is not None:
        country, city = stay.country, stay.city
    code = (country or "").strip().upper()
    place = city.strip() if city else None
    representation = (
        directory().resolve(country=code, city=place) if countries.is_country(code) else None
    )
    return render(
        request,
        "citizen/home.html",
        {
            "signed_in": actor is not None and actor.role == Role.CITIZEN,
            "country": code,
            "city": place or "",
            "country_label": country_name(code, negotiate(request)),
            "choices": country_choices(negotiate(request)),
            "representation": representation,
            "hotline": hotline_of(representation),
        },
        personal=stay is not None,
    )
