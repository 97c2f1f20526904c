"""What the open-data tables' codes mean, in the reader's language (pages, files)."""

from __future__ import annotations

from peduli.core.i18n import Message, _, in_language
from peduli.reference.countries import country_name
from peduli.reference.places import representation_by_code

DIMENSIONS: dict[str, Message] = {
    "country": _("Country"),
    "representation": _("Representation"),
    "purpose": _("Purpose of stay"),
    "sector": _("Sector of work"),
    "sex": _("Sex"),
    "age_band": _("Age band"),
}
_CATEGORIES: dict[str, dict[str, Message]] = {
    "purpose": {
        "work": _("Work"), "study": _("Study"), "family": _("Family"), "tourism": _("Tourism"),
        "other": _("Other purpose"),
    },
    "sector": {
        "domestic_work": _("Domestic work"), "caregiving": _("Caregiving"),
        "plantation": _("Plantation"), "manufacturing": _("Manufacturing"),
        "construction": _("Construction"), "fishing_crew": _("Fishing crew"),
        "hospitality": _("Hospitality"), "agriculture": _("Agriculture"),
        "healthcare": _("Healthcare"), "office_professional": _("Office and professional"),
        "other": _("Other sector"), "": _("No sector given (not working)"),
    },
    "sex": {"M": _("Male"), "F": _("Female")},
    "age_band": {
        "0-17": _("Under 18"), "18-24": _("18 to 24"), "25-34": _("25 to 34"),
        "35-44": _("35 to 44"), "45-54": _("45 to 54"), "55-64": _("55 to 64"),
        "65+": _("65 and older"),
    },
}  # fmt: skip
NO_POST = _("No representation covers the place")
TOTAL = _("All citizens abroad")


def category(dimension: str, code: str, language: str) -> str:
    """A cell's name: a country's or post's name, or the category in ``language``."""
    if dimension == "country":
        return country_name(code, language)
    if dimension == "representation":
        post = representation_by_code(code) if code else None
        return post.name if post else in_language(NO_POST, language)
    names = _CATEGORIES.get(dimension, {})
    return in_language(names[code], language) if code in names else code
