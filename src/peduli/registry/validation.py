"""Turn a self-report or stay change into normalised values, or every problem at once.

All rules that are national (NIK, passport, phone home region) come from the country
profile; geography (countries, subdivisions, boundaries) from the reference package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from peduli.core.errors import FieldProblem, require_valid
from peduli.core.i18n import _
from peduli.core.names import name_problems
from peduli.reference import countries, geo
from peduli.reference.profile import CountryProfile
from peduli.registry.models import Purpose
from peduli.registry.schemas import SelfReportCreate, StayFields

# Reports may be made ahead of travel; further ahead than this is most likely a typo.
MAX_ARRIVAL_AHEAD = timedelta(days=366)
OLDEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True)
class Identity:
    """Normalised identifiers and contacts of a reporting citizen."""

    nik: str | None
    passport: str | None
    phone: str | None
    email: str | None
    emergency_phone: str | None


def _problem(field: str, code: str, message: str, hint: str) -> FieldProblem:
    return FieldProblem(field=field, code=code, message=message, hint=hint)


def stay_problems(stay: StayFields, *, today: date) -> list[FieldProblem]:
    """Every problem with where and when a stay is, at once."""
    problems: list[FieldProblem] = []
    country = stay.country.upper()
    if not countries.is_country(country):
        problems.append(
            _problem(
                "country",
                "unknown_country",
                _("'{value}' is not an ISO 3166-1 country code.").format(value=stay.country),
                _("Use the two-letter code, e.g. KR for South Korea, MY for Malaysia."),
            )
        )
    elif country == "ID":
        problems.append(
            _problem(
                "country",
                "home_country",
                _("A stay abroad cannot be in Indonesia."),
                _("Give the country where you live or work now."),
            )
        )
    elif stay.subdivision and not countries.is_subdivision(country, stay.subdivision.upper()):
        problems.append(
            _problem(
                "subdivision",
                "unknown_subdivision",
                _("'{value}' is not a subdivision of {country}.").format(
                    value=stay.subdivision, country=countries.named_country(country)
                ),
                _("Use an ISO 3166-2 code such as MY-12, or leave it empty."),
            )
        )
    problems += _coordinate_problems(stay, country)
    problems += _date_problems(stay, today=today)
    if stay.purpose == Purpose.WORK and stay.sector is None:
        problems.append(
            _problem(
                "sector",
                "sector_required",
                _("The sector is required for a stay for work."),
                _("Choose the sector you work in, e.g. domestic_work or manufacturing."),
            )
        )
    return problems


def _coordinate_problems(stay: StayFields, country: str) -> list[FieldProblem]:
    if (stay.latitude is None) != (stay.longitude is None):
        missing = "longitude" if stay.longitude is None else "latitude"
        return [
            _problem(
                missing,
                "coordinate_pair",
                _("Latitude and longitude go together; one of them is missing."),
                _("Give both, or neither (the city is then used)."),
            )
        ]
    if stay.latitude is None or stay.longitude is None or not countries.is_country(country):
        return []
    if geo.point_in_country(country, stay.latitude, stay.longitude):
        return []
    return [
        _problem(
            "latitude",
            "outside_country",
            _("The location ({lat:.4f}, {lon:.4f}) is not in {country}.").format(
                lat=stay.latitude, lon=stay.longitude, country=countries.named_country(country)
            ),
            _("Check the country, or that latitude and longitude are not swapped."),
        )
    ]


def _date_problems(stay: StayFields, *, today: date) -> list[FieldProblem]:
    problems = []
    if stay.arrival_date > today + MAX_ARRIVAL_AHEAD:
        problems.append(
            _problem(
                "arrival_date",
                "too_far_ahead",
                _("The arrival date is more than a year ahead."),
                _("Check the year of the arrival date."),
            )
        )
    if stay.planned_end_date and stay.planned_end_date < stay.arrival_date:
        problems.append(
            _problem(
                "planned_end_date",
                "before_arrival",
                _("The planned end date is before the arrival date."),
                _("Give a planned end on or after the arrival date, or leave it empty."),
            )
        )
    return problems


def identity_problems(
    report: SelfReportCreate, profile: CountryProfile, *, today: date
) -> tuple[Identity, list[FieldProblem]]:
    """Normalise identifiers and contacts with the profile's rules; collect every problem."""
    problems = name_problems(report.full_name, field="full_name") + name_problems(
        report.emergency_contact_name, field="emergency_contact_name"
    )
    if not report.nik and not report.passport_number:
        problems.append(
            _problem(
                "nik",
                "identifier_required",
                _("Give your NIK or your passport number (or both)."),
                _("The NIK is on your KTP or family card (KK); the passport number on page 2."),
            )
        )
    nik = profile.normalize_national_id(report.nik) if report.nik else None
    if nik:
        problems += profile.validate_national_id(
            nik, date_of_birth=report.date_of_birth, sex=report.sex, field="nik"
        )
    passport = (
        profile.normalize_passport(report.passport_number) if report.passport_number else None
    )
    if passport:
        problems += profile.validate_passport(passport, field="passport_number")
    if not OLDEST_BIRTH <= report.date_of_birth <= today:
        problems.append(
            _problem(
                "date_of_birth",
                "implausible_birth_date",
                _("The date of birth must be in the past."),
                _("Write it as YYYY-MM-DD, e.g. 1990-05-17."),
            )
        )
    if report.language not in profile.languages:
        problems.append(
            _problem(
                "language",
                "unsupported_language",
                _("'{value}' is not a language Peduli speaks.").format(value=report.language),
                _("Use one of: {choices}.").format(choices=", ".join(profile.languages)),
            )
        )
    phone, phone_problems = _phone(profile, report.phone, report.country, "phone")
    emergency, emergency_problems = _phone(
        profile,
        report.emergency_contact_phone,
        profile.home_phone_region,
        "emergency_contact_phone",
    )
    problems += phone_problems + emergency_problems
    email = str(report.email).lower() if report.email else None
    if not phone and not email and not phone_problems:
        problems.append(
            _problem(
                "phone",
                "contact_required",
                _("Give a phone number or an email address so we can reach you."),
                _("A phone number with country code is best, e.g. +82 10 1234 5678."),
            )
        )
    identity = Identity(
        nik=nik, passport=passport, phone=phone, email=email, emergency_phone=emergency
    )
    return identity, problems


def _phone(
    profile: CountryProfile, value: str | None, region: str, field: str
) -> tuple[str | None, list[FieldProblem]]:
    if not value:
        return None, []
    return profile.normalize_phone(value, default_region=region.upper(), field=field)


def validate_report(report: SelfReportCreate, profile: CountryProfile, *, today: date) -> Identity:
    """Validate a whole self-report; raise one error listing every bad field."""
    identity, problems = identity_problems(report, profile, today=today)
    require_valid(problems + stay_problems(report, today=today))
    return identity
