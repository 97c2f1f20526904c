"""Reading "I am safe" or "I need help" from the words a person typed back (SMS, chat).

People under stress do not start a reply with a keyword in capitals: they write "Saya aman
pak", "aman.", "je suis en sécurité", "我安全" or "need help pls". So the keywords of every
language the platform speaks are looked for among the first words, whatever their case,
accents or punctuation; Chinese, written without spaces, is read character by character.

Three rules decide between the answers, each on the side of safety:
- a call for help wins over a safe word in the same message ("aman, tapi tolong kirim air");
  "tolong" is also Indonesian for "please", so a polite "tolong dicatat saya aman" is read as
  a call for help too: an officer's call-back costs less than a missed call for help;
- a safe word after a negation ("tidak aman", "not safe", "pas en sécurité", "不安全") is
  "I need help", not "I am safe";
- a greeting is no answer ("selamat pagi" is "good morning", not "safe").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from peduli.crisis.models import Answer

# How many words (Chinese: characters) of a reply are searched for a keyword.
FIRST_WORDS = 8
# How many words before a safe word a negation turns it around ("not really safe").
NEGATION_REACH = 2

Phrase = tuple[str, ...]


def _phrases(*written: str) -> frozenset[Phrase]:
    """Keywords as written, each read into the words the reply is compared with."""
    return frozenset(tuple(words(keyword)) for keyword in written)


def strip_accents(text: str) -> str:
    """``text`` in compatibility form, case-folded, without accents ("SÉCURITÉ" → "securite")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# A Han character is a word of its own; any other word is a run of letters and digits.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(f"[{_HAN}]|[^\\W_{_HAN}]+")


def words(text: str) -> list[str]:
    """The words of ``text`` as compared with the keywords: folded, unaccented, no punctuation."""
    return _WORD.findall(strip_accents(text))


SAFE = _phrases(
    "aman", "selamat", "slamet", "salamet", "baik baik saja",  # id, jv, su
    "safe", "ok", "okay", "oke", "fine", "alright",  # en (and everyday id)
    "sauf", "sain et sauf", "en securite", "securite", "je vais bien",  # fr
    "安全", "平安", "没事", "沒事", "我很好",  # zh (simplified and traditional)
)  # fmt: skip
HELP = _phrases(
    "tolong", "tulung", "bantu", "bantuan", "darurat", "bahaya",  # id, jv, su
    "help", "sos", "emergency", "danger", "unsafe",  # en
    "aide", "aidez", "secours", "urgence",  # fr
    "求助", "救命", "救我", "帮助", "帮忙", "幫助", "幫忙", "紧急", "緊急", "危险", "危險",  # zh
)  # fmt: skip
NEGATIONS = frozenset(
    {"tidak", "tak", "gak", "ga", "nggak", "enggak", "belum", "kurang", "bukan", "ora", "teu",
     "not", "never", "pas", "non", "不", "没", "沒", "未"}
)  # fmt: skip
# Words after "selamat" that make it a greeting ("selamat pagi"), not "safe".
GREETINGS = frozenset(
    {"pagi", "siang", "sore", "malam", "datang", "jalan", "tinggal", "ulang", "hari", "idul"}
)


@dataclass(frozen=True)
class Reading:
    """What a reply says, and the note kept with it (None when it says nothing more)."""

    answer: Answer
    note: str | None


def read(text: str) -> Reading | None:
    """The answer a reply gives, or None when its first words hold no keyword."""
    first = words(text)[:FIRST_WORDS]
    found = _found(first, HELP)
    if found:
        return Reading(Answer.NEED_HELP, _note(text, found))
    safe = [start for start in _found(first, SAFE) if not _greeting(first, start)]
    if not safe:
        return None
    negated = any(NEGATIONS.intersection(first[max(0, s - NEGATION_REACH) : s]) for s in safe)
    return Reading(Answer.NEED_HELP if negated else Answer.SAFE, _note(text, safe))


def _found(first: Sequence[str], phrases: frozenset[Phrase]) -> list[int]:
    """Where in ``first`` a phrase of ``phrases`` starts."""
    return [
        start
        for start in range(len(first))
        for phrase in phrases
        if tuple(first[start : start + len(phrase)]) == phrase
    ]


def _greeting(first: Sequence[str], start: int) -> bool:
    return first[start] == "selamat" and start + 1 < len(first) and first[start + 1] in GREETINGS


def _note(text: str, starts: Sequence[int]) -> str | None:
    """The rest of a reply that opens with its keyword ("TOLONG air naik" → "air naik");
    the whole reply when the keyword sits among other words ("Saya aman pak")."""
    opening, *rest = text.split(maxsplit=1)
    if 0 in starts and _is_keyword(opening):
        return rest[0].strip() if rest else None
    return text.strip() or None


def _is_keyword(word: str) -> bool:
    phrase = tuple(words(word))
    return phrase in SAFE or phrase in HELP
