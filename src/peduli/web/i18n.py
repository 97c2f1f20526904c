"""Languages of the pages: catalogues, the reader's language, and locale-aware formatting.

Catalogues are gettext ``.po`` files in ``peduli/locale/<lang>/LC_MESSAGES/<area>.po``, one
per area (``core`` for domain messages, ``citizen``, ``officer``, ``shared``) so that people
working on different pages never edit the same file. All areas of a language are merged
into one catalogue when first needed.
"""

from __future__ import annotations

from datetime import date, datetime

from babel import Locale, dates, numbers
from fastapi import Request, Response

# The catalogues are loaded by ``core.i18n`` (messages written outside a request, e.g. to
# staff in their own language, use them too); pages use them from here.
from peduli.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, LOCALE_DIR, translations

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LOCALE_DIR", "translations"]

LANGUAGE_COOKIE = "peduli_lang"
# What each language is called in itself, for the language picker.
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English", "zh": "中文", "fr": "Français"}
# Babel locales used for formatting dates, numbers and money.
BABEL_LOCALES = {"id": "id_ID", "en": "en_GB", "zh": "zh_Hans_CN", "fr": "fr_FR"}


def _accepted(header: str) -> list[str]:
    """Languages of an Accept-Language header, most wanted first."""
    weighted = []
    for index, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, index, tag.strip().lower().split("-")[0]))
    return [tag for _, _, tag in sorted(weighted) if tag]


def negotiate(request: Request) -> str:
    """The user's choice (made by this request's form, ?lang= or the cookie), then
    Accept-Language, then Indonesian."""
    chosen = (
        getattr(request.state, "chosen_language", None)
        or request.query_params.get("lang")
        or request.cookies.get(LANGUAGE_COOKIE)
    )
    if chosen in LANGUAGES:
        return chosen
    for language in _accepted(request.headers.get("accept-language", "")):
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


def choose(request: Request, language: str | None) -> str | None:
    """Answer this request in ``language``, which its form just chose (keep it for the next
    ones with ``remember``); None, and no change, when it is not one of ours."""
    if language not in LANGUAGES:
        return None
    request.state.chosen_language = language
    return language


def remember(response: Response, language: str) -> None:
    """Keep the reader's language in its cookie for a year."""
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")


def babel_locale(language: str) -> Locale:
    return Locale.parse(BABEL_LOCALES.get(language, BABEL_LOCALES[DEFAULT_LANGUAGE]))


def format_date(value: date | datetime | None, language: str, style: str = "medium") -> str:
    """A date as a reader of ``language`` writes it (17 Mei 2026, 2026年5月17日 …)."""
    if value is None:
        return ""
    return dates.format_date(value, format=style, locale=babel_locale(language))


def format_datetime(value: datetime | None, language: str, timezone: str = "UTC") -> str:
    if value is None:
        return ""
    return dates.format_datetime(
        value, format="medium", tzinfo=dates.get_timezone(timezone), locale=babel_locale(language)
    )


def format_number(value: float | int, language: str) -> str:
    return numbers.format_decimal(value, locale=babel_locale(language))


def format_money(value: float | int, currency: str, language: str) -> str:
    return numbers.format_currency(value, currency, locale=babel_locale(language))
