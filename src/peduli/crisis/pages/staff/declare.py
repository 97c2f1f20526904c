"""Declare a crisis on a page: title, kind, severity, posts and the area.

The area is picked from lists (countries; the provinces of a country, listed on asking),
uploaded as a GeoJSON or CAP file, or drawn on a map. The map is progressive enhancement:
a script served by the app (Leaflet, no tile server; the country boundaries come from
``/officer/crises/map/countries.geojson``) writes the drawn shape as GeoJSON into a hidden
field. Without JavaScript the lists and the upload work alone. An uploaded file takes the
place of a drawn shape, and a drawn shape the place of the lists.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from peduli.api.deps import DbSession, staff_page
from peduli.auth import policy
from peduli.auth.actor import Actor
from peduli.auth.roles import CRISIS_DECLARERS
from peduli.core.errors import FieldProblem, NotFound, PeduliError, ValidationFailed
from peduli.core.i18n import _
from peduli.crisis import area_files, cap, labels, service
from peduli.crisis.models import Crisis
from peduli.crisis.schemas import CrisisCreate
from peduli.reference import geo, places
from peduli.web import desk
from peduli.web.desk import SignedIn
from peduli.web.forms import run_form
from peduli.web.i18n import negotiate

router = APIRouter(include_in_schema=False, dependencies=[staff_page(CRISIS_DECLARERS)])

NEW = "/officer/crises/new"
COUNTRIES_GEOJSON = "/officer/crises/map/countries.geojson"
PROVINCES_GEOJSON = "/officer/crises/map/provinces/{country}.geojson"
Short = Annotated[str, Form(max_length=200)]
Codes = Annotated[list[str], Form(max_length=300)]
# The map reads the boundaries once a day at most; the ETag answers a revalidation with 304.
MAP_CACHE = "private, max-age=86400"
TITLE_MAX = 200
DESCRIPTION_MAX = 4000


@dataclass
class DeclareForm:
    """What the officer typed, kept when the form comes back with problems."""

    title: str = ""
    kind: str = ""
    severity: str = ""
    description: str = ""
    posts: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    subdivisions: list[str] = field(default_factory=list)
    province_country: str = ""
    area_geojson: str = ""


def _form_page(
    request: Request,
    staff: Actor,
    form: DeclareForm,
    *,
    problems: dict[str, FieldProblem] | None = None,
    failure: PeduliError | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    language = negotiate(request)
    every_post = policy.post_scope(staff).every_post
    listed = form.province_country.upper()
    provinces = places.subdivision_choices(listed, language) if listed else []
    chosen = [
        (code, places.subdivision_name(code, language))
        for code in form.subdivisions
        if code not in {c for c, _name in provinces}
    ]
    return desk.page(
        request,
        "crisis/declare.html",
        staff,
        {
            "form": form,
            "problems": problems or {},
            "failure": failure,
            "kinds": [(code, labels.KINDS[code]) for code in labels.KINDS],
            "severities": [(code, labels.SEVERITIES[code]) for code in labels.SEVERITIES],
            "every_post": every_post,
            "posts": desk.representation_choices() if every_post else [],
            "countries": places.country_choices(language),
            "provinces": provinces,
            "chosen_provinces": chosen,
            "province_country_name": places.country_name(listed, language) if listed else "",
            "countries_url": COUNTRIES_GEOJSON + "?v=" + _countries_etag(),
            "provinces_url": PROVINCES_GEOJSON,
        },
        status_code=status_code,
    )


@router.get(NEW, response_class=HTMLResponse)
def declare_form(request: Request, staff: SignedIn) -> Response:
    """The empty declare form."""
    return _form_page(request, staff, DeclareForm())


@router.post(NEW, response_class=HTMLResponse)
async def declare(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    title: Annotated[str, Form(max_length=2000)] = "",
    kind: Short = "",
    severity: Short = "",
    description: Annotated[str, Form(max_length=40_000)] = "",
    posts: Codes | None = None,
    countries: Codes | None = None,
    subdivisions: Codes | None = None,
    province_country: Short = "",
    area_geojson: Annotated[str, Form(max_length=2_000_000)] = "",
    area_file: Annotated[UploadFile | None, File()] = None,
    go: Short = "declare",
) -> Response:
    """List a country's provinces (``go=provinces``), or declare and land on the board."""
    form = DeclareForm(
        title=title.strip(),
        kind=kind,
        severity=severity,
        description=description.strip(),
        posts=list(posts or []),
        countries=list(countries or []),
        subdivisions=list(subdivisions or []),
        province_country=province_country.strip(),
        area_geojson=area_geojson.strip(),
    )
    if go == "provinces":
        return _form_page(request, staff, form)
    uploaded = b""
    if area_file is not None and area_file.filename:
        uploaded = await area_file.read(area_files.MAX_BYTES + 1)
    return await run_in_threadpool(
        lambda: run_form(
            db,
            lambda: _declare(db, form, uploaded, staff),
            done=lambda crisis: RedirectResponse(f"/officer/crises/{crisis.id}", status_code=303),
            refused=lambda refusal: _form_page(
                request,
                staff,
                form,
                problems=_on_fields(refusal.problems, _source(form, uploaded)),
                failure=refusal.failure,
                status_code=refusal.status,
            ),
        )
    )


def _declare(db: Session, form: DeclareForm, uploaded: bytes, staff: Actor) -> Crisis:
    """Declare what the form says; an uploaded CAP alert declared before opens its crisis."""
    body, alert = _body(form, uploaded)
    return service.declare(db, body=body, actor=staff, alert=alert)


def _source(form: DeclareForm, uploaded: bytes) -> str:
    """Which field the area comes from: the file, the map, or the lists."""
    if uploaded:
        return "area_file"
    if form.area_geojson:
        return "area_geojson"
    return "countries"


def _body(form: DeclareForm, uploaded: bytes) -> tuple[CrisisCreate, cap.CapDraft | None]:
    """The declaration the form makes, and the CAP alert it comes from if one was uploaded;
    a problem with the area names the field it came from."""
    fields: dict[str, Any] = {
        "title": form.title,
        "kind": form.kind,
        "severity": form.severity,
        "description": form.description,
    }
    area: dict[str, Any] = {}
    alert: cap.CapDraft | None = None
    area_problems: list[FieldProblem] = []
    try:
        area, fields, alert = _area(form, uploaded, fields)
    except ValidationFailed as refused:
        area_problems = list(refused.problems)
    problems = _typed_problems(fields) + area_problems
    if not area and not area_problems:
        problems.append(
            FieldProblem(
                "countries",
                "area_missing",
                _("Choose the area: pick countries or provinces, draw it or upload a file."),
            )
        )
    if problems:
        raise ValidationFailed(problems)
    body = CrisisCreate(
        **{**fields, "description": fields["description"] or None},
        area=area,
        representation_codes=form.posts or None,
    )
    return body, alert


def _typed_problems(fields: dict[str, Any]) -> list[FieldProblem]:
    """Title, kind and severity, each checked with words that say what to do."""
    problems = []
    if len(fields["title"]) < 3:
        problems.append(
            FieldProblem(
                "title", "title_missing", _("Give the crisis a title of 3 characters or more.")
            )
        )
    elif len(fields["title"]) > TITLE_MAX:
        problems.append(
            FieldProblem(
                "title",
                "title_too_long",
                _("Shorten the title to {max} characters or fewer.").format(max=TITLE_MAX),
            )
        )
    if len(fields["description"] or "") > DESCRIPTION_MAX:
        problems.append(
            FieldProblem(
                "description",
                "description_too_long",
                _("Shorten the description to {max} characters or fewer.").format(
                    max=DESCRIPTION_MAX
                ),
            )
        )
    if fields["kind"] not in labels.KINDS:
        problems.append(FieldProblem("kind", "kind_missing", _("Choose the kind of crisis.")))
    if fields["severity"] not in labels.SEVERITIES:
        problems.append(
            FieldProblem("severity", "severity_missing", _("Choose how severe the crisis is."))
        )
    return problems


def _area(
    form: DeclareForm, uploaded: bytes, fields: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], cap.CapDraft | None]:
    """The area from the file, the map or the lists ({} for none), and the CAP alert it
    came from; a CAP alert also fills the typed fields left empty."""
    source = _source(form, uploaded)
    if source == "area_file":
        found = area_files.read(uploaded)
        if found.alert is not None:
            alert = found.alert
            taken = {
                "title": alert.title,
                "kind": alert.kind.value,
                "severity": alert.severity.value,
                "description": alert.description or "",
            }
            fields = {k: v or taken[k] for k, v in fields.items()}
        return found.area, fields, found.alert
    if source == "area_geojson":
        return _drawn(form.area_geojson), fields, None
    if form.countries or form.subdivisions:
        return {"countries": form.countries, "subdivisions": form.subdivisions}, fields, None
    return {}, fields, None


def _drawn(raw: str) -> dict[str, Any]:
    try:
        drawn = json.loads(raw)
    except json.JSONDecodeError:
        drawn = None
    if not isinstance(drawn, dict):
        raise ValidationFailed(
            [FieldProblem("area_geojson", "area_invalid", _("Draw the area again."))]
        )
    return drawn


def _on_fields(problems: dict[str, FieldProblem], source: str) -> dict[str, FieldProblem]:
    """Each problem on the form field it belongs to (``area.countries[2]`` → ``countries``)."""
    placed: dict[str, FieldProblem] = {}
    for name, problem in problems.items():
        if name.startswith("area.subdivisions"):
            key = "subdivisions"
        elif name.startswith("area") and source == "countries":
            key = "countries"
        elif name.startswith("area"):
            key = source
        elif name.startswith("representation_codes"):
            key = "posts"
        else:
            key = name
        placed.setdefault(key, problem)
    return placed


@cache
def _countries_etag() -> str:
    return hashlib.sha256(geo.countries_geojson()).hexdigest()[:16]


def _cached_geojson(request: Request, body: bytes) -> Response:
    """``body`` with an ETag and a day's caching; a matching If-None-Match gets a 304."""
    etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
    headers = {"ETag": etag, "Cache-Control": MAP_CACHE, "Vary": "Cookie, Accept-Language"}
    if request.headers.get("If-None-Match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/geo+json", headers=headers)


@router.get(COUNTRIES_GEOJSON)
def countries_geojson(request: Request, staff: SignedIn) -> Response:
    """Every country's boundary as GeoJSON, the background of the crisis map (cached)."""
    return _cached_geojson(request, geo.countries_geojson())


@cache
def _provinces_geojson(country: str, language: str) -> bytes:
    named = [
        {
            **f,
            "properties": {"country": country, "name": places.subdivision_name(f["id"], language)},
        }
        for f in geo.province_features(country) or []
    ]
    return json.dumps({"type": "FeatureCollection", "features": named}).encode()


@router.get(PROVINCES_GEOJSON)
def provinces_geojson(request: Request, staff: SignedIn, country: str) -> Response:
    """One country's provinces as GeoJSON (id: ISO 3166-2 code, name in the reader's
    language), drawn when the officer picks or zooms into that country (cached)."""
    code = country.upper()
    if geo.province_features(code) is None:
        raise NotFound(_("No province boundaries are known for this country."))
    return _cached_geojson(request, _provinces_geojson(code, negotiate(request)))
