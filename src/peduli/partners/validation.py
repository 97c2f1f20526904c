"""Checks of a partner's fields that need reference data: places, provinces, contacts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from peduli.core.errors import FieldProblem, require_valid
from peduli.core.i18n import _
from peduli.reference import countries, places
from peduli.reference.profile import get_profile


@dataclass(frozen=True)
class PartnerFields:
    """The checked and normalised values."""

    country: str
    subdivisions: list[str]
    home_provinces: list[str]
    contact_email: str | None
    contact_phone: str | None


def _country_problems(representation_code: str, country: str) -> list[FieldProblem]:
    if not countries.is_country(country):
        return [
            FieldProblem(
                "country",
                "unknown_country",
                _("'{value}' is not a country code.").format(value=country),
                _("Use the two-letter ISO 3166 code, e.g. KR for South Korea."),
            )
        ]
    representation = places.representation_by_code(representation_code)
    served = {rule.country for rule in representation.jurisdiction} if representation else set()
    if country not in served:
        return [
            FieldProblem(
                "country",
                "outside_jurisdiction",
                _("The representation {code} does not serve this country.").format(
                    code=representation_code
                ),
                _("A partner works in a country its representation serves: {countries}.").format(
                    countries=", ".join(sorted(served))
                ),
            )
        ]
    return []


def check_partner_fields(
    *,
    representation_code: str,
    country: str,
    subdivisions: Sequence[str],
    home_provinces: Sequence[str],
    contact_email: str | None,
    contact_phone: str | None,
) -> PartnerFields:
    """Check every field at once; raise one ``ValidationFailed`` naming each bad one."""
    problems: list[FieldProblem] = []
    country = country.strip().upper()
    problems.extend(_country_problems(representation_code, country))
    clean_subdivisions = [code.strip().upper() for code in subdivisions]
    bad = [code for code in clean_subdivisions if not countries.is_subdivision(country, code)]
    if bad and not problems:
        problems.append(
            FieldProblem(
                "subdivisions",
                "unknown_subdivision",
                _("These are not subdivisions of {country}: {codes}.").format(
                    country=countries.named_country(country), codes=", ".join(bad)
                ),
                _("Use ISO 3166-2 codes, e.g. KR-41 for Gyeonggi-do."),
            )
        )
    profile = get_profile()
    provinces = [code.strip() for code in home_provinces]
    unknown = [
        code
        for code in provinces
        if not (code.isdigit() and len(code) == 2 and profile.home_province_name(code))
    ]
    if unknown:
        problems.append(
            FieldProblem(
                "home_provinces",
                "unknown_province",
                _("These are not province codes: {codes}.").format(codes=", ".join(unknown)),
                _("Use the two-digit codes that begin a NIK, e.g. 35 for Jawa Timur."),
            )
        )
    email = None
    if contact_email and contact_email.strip():
        try:
            email = validate_email(
                contact_email.strip(), check_deliverability=False
            ).normalized.lower()
        except EmailNotValidError:
            problems.append(
                FieldProblem(
                    "contact_email",
                    "email_invalid",
                    _("The contact email is not a valid address."),
                    _("Write it as name@example.org."),
                )
            )
    phone = None
    if contact_phone and contact_phone.strip():
        phone, phone_problems = profile.normalize_phone(
            contact_phone,
            default_region=country if countries.is_country(country) else None,
            field="contact_phone",
        )
        problems.extend(phone_problems)
    require_valid(problems)
    return PartnerFields(
        country=country,
        subdivisions=list(dict.fromkeys(clean_subdivisions)),
        home_provinces=sorted(set(provinces)),
        contact_email=email,
        contact_phone=phone,
    )
