"""What a chat message means and what may be sent back: SOS words, the 24-hour window.

WhatsApp lets a business answer freely for 24 hours after the citizen's last message (the
customer-service window); outside it only an approved template may be sent. Telegram and
SMS have no such window.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from peduli.conversations.models import ChatChannel, Conversation

SERVICE_WINDOW = timedelta(hours=24)
# An SOS word counts among the first few words: "Pak tolong saya" asks for help too.
FIRST_WORDS = 4
# The usual words for help in the platform's languages, folded (upper case, no accents).
SOS_WORDS = frozenset(
    {"SOS", "TOLONG", "BANTU", "BANTUAN", "DARURAT", "HELP", "EMERGENCY", "MAYDAY",
     "救命", "求救", "救救我", "SECOURS", "URGENCE"}
)  # fmt: skip
# Phrases of more than one word, folded and without spaces.
SOS_PHRASES = ("AUSECOURS", "TOLONGSAYA", "HELPME", "AIDEZMOI")
# "Help" words that are also what people thank for ("Thanks for the help", "Terima kasih atas
# bantuan Bapak"): after a word of thanks they ask for nothing, unless a plain call does.
THANKED_FOR = frozenset({"HELP", "BANTU", "BANTUAN"})
THANKS = frozenset({"THANKS", "THANK", "THX", "TERIMA", "TERIMAKASIH", "MAKASIH", "MERCI"})


def fold(text: str) -> str:
    """Upper case without accents, so "Au secours", "AU SÉCOURS" and "au secours" agree."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^\w]+", fold(text)) if w]


def asks_for_help(text: str | None) -> bool:
    """Whether a message asks for help: an SOS word among its first words (Chinese, which
    has no spaces, anywhere in its first characters)."""
    if not text:
        return False
    words = _words(text)[:FIRST_WORDS]
    calls = [word for word in words if word in SOS_WORDS]
    thanked = any(word in THANKS for word in words) and set(calls) <= THANKED_FOR
    if calls and not thanked:
        return True
    joined = "".join(words)
    if any(phrase in joined for phrase in SOS_PHRASES):
        return True
    head = fold(text)[:12]
    return any(word in head for word in SOS_WORDS if not word.isascii())


def in_service_window(channel: str, last_inbound_at: datetime | None, now: datetime) -> bool:
    """Whether a free-text reply may be sent now (WhatsApp: 24 h after the citizen wrote)."""
    if channel != ChatChannel.WHATSAPP:
        return True
    return last_inbound_at is not None and now - last_inbound_at < SERVICE_WINDOW


def unanswered(conversation: Conversation) -> bool:
    """Whether the citizen wrote last and nobody has answered since."""
    inbound_at, outbound_at = conversation.last_inbound_at, conversation.last_outbound_at
    return inbound_at is not None and (outbound_at is None or outbound_at < inbound_at)
