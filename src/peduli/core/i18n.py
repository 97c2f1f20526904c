"""Translatable messages that survive formatting.

Domain code writes ``_("'{value}' is not a country code.").format(value=code)``; the result
is a ``Message``: a plain ``str`` in English (what the API returns), which also remembers its
message id and parameters so that pages can translate it into the reader's language later
(``translate(message, gettext)``). Babel extracts ``_`` calls from the source.

Messages for a known reader written outside a request — an alert to the officer on duty,
a reminder to the officer who made a referral — are written in that reader's language:
``in_language`` for one message, ``localized`` for a set-based ``INSERT … SELECT`` whose
readers' languages are a column (a message, or texts already written per language).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from sqlalchemy import ColumnElement, String, case, literal
from sqlalchemy.orm import QueryableAttribute

LOCALE_DIR = Path(__file__).parent.parent / "locale"
LANGUAGES = ("id", "en", "zh", "fr")
DEFAULT_LANGUAGE = "id"


class Message(str):
    """An English message that keeps its gettext id and format parameters."""

    msgid: str
    params: Mapping[str, Any]
    parts: tuple[str, ...]

    def __new__(
        cls, text: str, msgid: str | None = None, params: Mapping[str, Any] | None = None
    ) -> Message:
        message = super().__new__(cls, text)
        message.msgid = text if msgid is None else msgid
        message.params = dict(params or {})
        message.parts = ()
        return message

    def __add__(self, other: str) -> Message:
        """Join two sentences; each part is still translated on its own."""
        joined = Message(str(self) + str(other))
        joined.parts = (self, other)
        return joined

    def format(self, *args: Any, **kwargs: Any) -> Message:
        """Fill named placeholders; keeps the id so the message can still be translated."""
        if args:
            raise TypeError("messages take named placeholders only, e.g. {value}")
        return Message(str.format(self.msgid, **kwargs), self.msgid, {**self.params, **kwargs})


class Named(str):
    """A code in a message (a country) that readers see by its name in their language.

    ``names(language)`` gives the name; the English text of a message shows the English one.
    """

    names: Callable[[str], str]

    def __new__(cls, code: str, names: Callable[[str], str]) -> Named:
        named = super().__new__(cls, code)
        named.names = names
        return named

    def __format__(self, spec: str) -> str:
        return format(self.names("en"), spec)


def _(message: str) -> Message:
    """Mark ``message`` for translation; it is English until a page translates it."""
    return Message(message)


def translate(text: str, gettext: Callable[[str], str], language: str = "en") -> str:
    """Render ``text`` in a reader's language when it is a ``Message``; else return it.

    ``language`` names the codes in it (``Named``): a country by its name in that language.
    """
    if not isinstance(text, Message):
        return text
    if text.parts:
        return "".join(translate(part, gettext, language) for part in text.parts)
    translated = gettext(text.msgid)
    # A parameter may itself be a message ("…: there is no month 90"): translate it too.
    params = {key: _parameter(value, gettext, language) for key, value in text.params.items()}
    try:
        return translated.format(**params) if params else translated
    except (KeyError, IndexError, ValueError):
        # A broken translation must never hide the message: fall back to English.
        return str(text)


def _parameter(value: Any, gettext: Callable[[str], str], language: str) -> Any:
    if isinstance(value, Message):
        return translate(value, gettext, language)
    if isinstance(value, Named):
        return value.names(language)
    return value


@lru_cache
def translations(language: str) -> Translations:
    """The merged catalogue of one language (English source strings when none exists).

    Catalogues are gettext ``.po`` files in ``peduli/locale/<lang>/LC_MESSAGES/<area>.po``,
    one per area; all areas of a language are merged when first needed.
    """
    merged = Translations()
    for po_path in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        merged.merge(Translations(fp=buffer))
    return merged


def known_language(language: str | None) -> str:
    """``language`` if the platform speaks it, else Indonesian."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def in_language(text: str, language: str | None) -> str:
    """``text`` (a ``Message``) in ``language``; Indonesian for an unknown language."""
    reader = known_language(language)
    return translate(text, translations(reader).gettext, reader)


def localized(
    text: Message | Mapping[str, str],
    language: ColumnElement[Any] | QueryableAttribute[Any],
) -> ColumnElement[str]:
    """SQL for ``text`` in the language of each row's reader (the ``language`` column):
    a CASE over the platform's languages, Indonesian for any other value or none.

    ``text`` is a message, translated here, or texts already written for every language
    (a crisis broadcast's own wording). A message's placeholders stay as they are
    (``{reference}``), for the query to fill in per row."""
    texts = (
        {code: in_language(text, code) for code in LANGUAGES} if isinstance(text, Message) else text
    )
    return case(
        *[
            (language == code, literal(texts[code], String))
            for code in LANGUAGES
            if code != DEFAULT_LANGUAGE
        ],
        else_=literal(texts[DEFAULT_LANGUAGE], String),
    )


def language_name(code: str | None, reader: str) -> str | None:
    """The name of language ``code`` in the reader's language ("Indonesian", "印度尼西亚语"):
    how staff read the language a person speaks (the language picker shows each language's
    own name instead). None when no code is given."""
    if not code:
        return None
    reader_locale = {"zh": "zh_Hans"}.get(reader, reader)
    try:
        return Locale.parse(code).get_language_name(Locale.parse(reader_locale))
    except (ValueError, UnknownLocaleError):
        return code
