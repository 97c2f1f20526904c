"""Reply templates an officer picks, in the citizen's language (id, en, zh, fr).

``reopen`` is the one approved as a WhatsApp template message: outside the 24-hour window
it is the only thing that may be sent, and the citizen's answer opens the window again.
"""

from __future__ import annotations

from peduli.core.i18n import Message, _, in_language

TEMPLATES: dict[str, Message] = {
    "received": _(
        "We have received your message. An officer of the representation will answer you here "
        "as soon as possible."
    ),
    "call_back": _(
        "An officer will call you back on this number shortly. Please keep your phone on."
    ),
    "share_location": _(
        "Please share your location in this chat so that we can send help to the right place."
    ),
    "reopen": _(
        "This is the Indonesian representation answering your message. Please reply to this "
        "message so that we can continue the conversation."
    ),
}
# Approved by WhatsApp for sending outside the customer-service window.
APPROVED_OUTSIDE_WINDOW = frozenset({"reopen"})


def template_text(name: str, language: str | None) -> str:
    """The template ``name`` in ``language`` (Indonesian when the language is unknown)."""
    return in_language(TEMPLATES[name], language)
