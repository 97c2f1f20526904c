"""The names of the statistics' codes in the reader's language: countries (pycountry's
translations), posts (their own names), provinces (Indonesian names), purposes, sectors, sexes,
age bands and flows."""

from __future__ import annotations

from peduli.cases import taxonomy
from peduli.core.i18n import Message, _, in_language
from peduli.reference import places
from peduli.reference.countries import country_name
from peduli.reference.profiles.indonesia import PROVINCES

PURPOSES: dict[str, Message] = {
    "work": _("Work"),
    "study": _("Study"),
    "family": _("Family"),
    "tourism": _("Tourism"),
    "other": _("Other purpose"),
}
SECTORS: dict[str, Message] = {
    "domestic_work": _("Domestic work"),
    "caregiving": _("Caregiving"),
    "plantation": _("Plantation"),
    "manufacturing": _("Manufacturing"),
    "construction": _("Construction"),
    "fishing_crew": _("Fishing crew"),
    "hospitality": _("Hospitality"),
    "agriculture": _("Agriculture"),
    "healthcare": _("Healthcare"),
    "office_professional": _("Office and professional"),
    "other": _("Other sector"),
    "": _("No sector (not working)"),
}
SEXES: dict[str, Message] = {"M": _("Male"), "F": _("Female")}
FLOWS: dict[str, Message] = {
    "arrival": _("Arrivals"),
    "departure": _("Departures"),
    "self_report": _("Self-reports"),
}
BY: dict[str, Message] = {
    "country": _("Country"),
    "representation": _("Representation"),
    "purpose": _("Purpose of stay"),
    "sector": _("Sector of work"),
    "sex": _("Sex"),
    "age_band": _("Age band"),
    "province": _("Home province"),
}
PRIORITIES: dict[str, Message] = {
    "critical": _("Critical"),
    "high": _("High"),
    "normal": _("Normal"),
    "low": _("Low"),
}
SLA_STATES: dict[str, Message] = {
    "overdue": _("Overdue"),
    "due_soon": _("Due within a day"),
    "on_time": _("On time"),
}
UNKNOWN = _("Not known")


def label(by: str, key: str, language: str) -> str:
    """The name of ``key`` (a value of dimension ``by``) for a reader of ``language``."""
    if by == "country":
        return country_name(key, language) if key else in_language(UNKNOWN, language)
    if by == "representation":
        post = places.representation_by_code(key)
        return post.name if post else (key or in_language(UNKNOWN, language))
    if by == "province":
        return PROVINCES.get(key) or in_language(UNKNOWN, language)
    if by == "age_band":
        return key
    table = {"purpose": PURPOSES, "sector": SECTORS, "sex": SEXES}.get(by, {})
    message = table.get(key)
    return in_language(message, language) if message is not None else key


def case_label(kind: str, key: str, language: str) -> str:
    """A case category, priority or SLA state for a reader of ``language``."""
    if kind == "category":
        category = taxonomy.load().get(key)
        return category.label(language) if category else key
    message = (PRIORITIES if kind == "priority" else SLA_STATES).get(key)
    return in_language(message, language) if message is not None else key


def dimension_name(by: str, language: str) -> str:
    """The name of a breakdown (``by``) for a reader of ``language``."""
    return in_language(BY[by], language)


def flow_name(kind: str, language: str) -> str:
    """The name of a flow (arrivals, departures, self-reports)."""
    return in_language(FLOWS[kind], language)
