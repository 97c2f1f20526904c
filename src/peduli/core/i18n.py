"""Translatable messages that survive formatting.

Domain code writes ``_("'{value}' is not a country code.").format(value=code)``; the result
is a ``Message``: a plain ``str`` in English (what the API returns), which also remembers its
message id and parameters so that pages can translate it into the reader's language later
(``translate(message, gettext)``). Babel extracts ``_`` calls from the source.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


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


def _(message: str) -> Message:
    """Mark ``message`` for translation; it is English until a page translates it."""
    return Message(message)


def translate(text: str, gettext: Callable[[str], str]) -> str:
    """Render ``text`` in a reader's language when it is a ``Message``; else return it."""
    if not isinstance(text, Message):
        return text
    if text.parts:
        return "".join(translate(part, gettext) for part in text.parts)
    translated = gettext(text.msgid)
    # A parameter may itself be a message ("…: there is no month 90"): translate it too.
    params = {
        key: translate(value, gettext) if isinstance(value, Message) else value
        for key, value in text.params.items()
    }
    try:
        return translated.format(**params) if params else translated
    except (KeyError, IndexError, ValueError):
        # A broken translation must never hide the message: fall back to English.
        return str(text)
