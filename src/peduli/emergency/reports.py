"""What a report of an emergency must say before anyone acts on it: a country that a
representation serves, a call-back number, and a name when nobody signed in gave one.

Shared by the SOS (page and API) and the officer's hotline-call form.
"""

from __future__ import annotations

from dataclasses import dataclass

from peduli.cases import service as cases_service
from peduli.core.errors import FieldProblem, ValidationFailed, require_valid
from peduli.core.i18n import _
from peduli.core.names import name_problems
from peduli.emergency.schemas import EmergencyCreate
from peduli.reference import countries, geo
from peduli.reference.places import directory
from peduli.reference.representations import Representation


@dataclass(frozen=True)
class CheckedReport:
    """What an SOS says once checked: the cleaned contacts and the post that serves it."""

    name: str | None
    phone: str | None
    whatsapp: str | None
    country: str
    representation: Representation


def check(data: EmergencyCreate, *, need_name: bool) -> CheckedReport:
    """Every problem of an SOS at once, one per field (shared by the page and the API)."""
    problems: list[FieldProblem] = []
    country = (data.country or "").upper() or None
    if country is None and data.latitude is not None and data.longitude is not None:
        country = _country_at(data.latitude, data.longitude)
    if country is not None and country not in countries.country_codes():
        problems.append(
            FieldProblem(
                "country",
                "unknown_country",
                _("There is no country with this code."),
                _("Use the two-letter ISO code, e.g. KR for South Korea, or pick from the list."),
            )
        )
        country = None
    elif country is None:
        problems.append(
            FieldProblem(
                "country",
                "country_required",
                _("Tell us which country you are in."),
                _("Pick the country, or allow the browser to share your location."),
            )
        )
    phone, phone_problems = cases_service.normalize_phone(data.phone, field="phone", region=country)
    whatsapp, wa_problems = cases_service.normalize_phone(
        data.whatsapp, field="whatsapp", region=country
    )
    problems += phone_problems + wa_problems
    if not phone and not whatsapp and not phone_problems and not wa_problems:
        problems.append(
            FieldProblem(
                "phone",
                "callback_required",
                _("Give a phone or WhatsApp number so the officer on duty can call you back."),
                _("With the country code if you can, e.g. +82 10 1234 5678."),
            )
        )
    name = (data.name or "").strip() or None
    problems += name_problems(name, field="name")
    if need_name and name is None:
        problems.append(
            FieldProblem(
                "name", "name_required", _("Tell us your name."), _("The name people call you.")
            )
        )
    representation = None
    if country is not None:
        representation = directory().resolve(
            country=country, city=data.city, latitude=data.latitude, longitude=data.longitude
        )
        if representation is None:
            problems.append(
                FieldProblem(
                    "country",
                    "no_representation",
                    _("No representation serves this country."),
                    _("Call the ministry's hotline, or the local emergency number."),
                )
            )
    require_valid(problems)
    assert country is not None and representation is not None
    return CheckedReport(name, phone, whatsapp, country, representation)


def problems_of(data: EmergencyCreate, *, need_name: bool) -> list[FieldProblem]:
    """The problems of an SOS without acting on it (a form shows them all at once)."""
    try:
        check(data, need_name=need_name)
    except ValidationFailed as failure:
        return failure.problems
    return []


def _country_at(latitude: float, longitude: float) -> str | None:
    """The served country containing the point, if exactly one does."""
    found = [
        code
        for code in directory().covered_countries()
        if geo.has_boundary(code) and geo.point_in_country(code, latitude, longitude)
    ]
    return found[0] if len(found) == 1 else None
