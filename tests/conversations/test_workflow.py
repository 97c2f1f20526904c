"""SOS words in any case and accents among the first words; WhatsApp's 24-hour window."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from peduli.conversations import workflow
from peduli.core.db import utcnow

WORDS = ["sos", "tolong", "bantu", "darurat", "help", "au secours", "救命", "Secours"]
ORDINARY = st.sampled_from(["pak", "saya", "mohon", "ini", "je", "please", "di", "Ansan"])


def _accented(text: str, marks: list[bool]) -> str:
    """``text`` with a combining acute accent on the letters ``marks`` picks."""
    return "".join(
        c + ("\u0301" if mark and c.isalpha() else "") for c, mark in zip(text, marks, strict=False)
    )


@given(
    word=st.sampled_from(WORDS),
    before=st.lists(ORDINARY, max_size=workflow.FIRST_WORDS - 2),
    after=st.lists(ORDINARY, max_size=5),
    upper=st.lists(st.booleans(), min_size=12, max_size=12),
    marks=st.lists(st.booleans(), min_size=12, max_size=12),
    punctuation=st.sampled_from(["", "!", "!!", ",", "..."]),
)
def test_an_sos_word_among_the_first_words_in_any_case_and_accent(
    word: str, before: list[str], after: list[str], upper: list[bool], marks: list[bool],
    punctuation: str,
) -> None:  # fmt: skip
    cased = "".join(
        c.upper() if u else c.lower() for c, u in zip(word, upper + [False] * 20, strict=False)
    )
    written = unicodedata.normalize("NFC", _accented(cased, marks + [False] * 20))
    text = " ".join([*before, written + punctuation, *after])
    assert workflow.asks_for_help(text), text


@given(st.lists(ORDINARY, min_size=workflow.FIRST_WORDS, max_size=8))
def test_an_sos_word_after_the_first_words_is_ordinary_talk(words: list[str]) -> None:
    assert not workflow.asks_for_help(" ".join([*words, "tolong"]))


def test_ordinary_messages_ask_for_nothing() -> None:
    for text in ("Selamat siang, paspor saya hilang", "Bonjour, je voudrais un visa", "你好",
                 "Terima kasih atas bantuannya kemarin, semua baik", "", None):  # fmt: skip
        assert not workflow.asks_for_help(text), text


def test_thanks_for_the_help_is_no_call_for_it_but_a_plain_call_still_is() -> None:
    for text in ("Thanks for the help!", "Terima kasih atas bantuan Bapak", "Merci, help reçu"):
        assert not workflow.asks_for_help(text), text
    for text in ("Terima kasih, tolong saya lagi", "Thanks, help me please", "Thanks. SOS"):
        assert workflow.asks_for_help(text), text


def test_whatsapp_answers_freely_for_24_hours_after_the_citizen_wrote() -> None:
    now = utcnow()
    assert workflow.in_service_window("whatsapp", now - timedelta(hours=23, minutes=59), now)
    assert not workflow.in_service_window("whatsapp", now - timedelta(hours=24), now)
    assert not workflow.in_service_window("whatsapp", None, now)
    assert workflow.in_service_window("telegram", now - timedelta(days=30), now)
    assert workflow.in_service_window("sms", None, now)
