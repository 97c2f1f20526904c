"""Reading safe / need help from a reply as people type it (crisis.reply_words, parse_reply)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peduli.crisis.models import Answer
from peduli.crisis.replies import NotAKeyword, parse_reply
from peduli.crisis.reply_words import FIRST_WORDS, HELP, SAFE, read

SAFE_REPLIES = [
    "AMAN", "aman.", "AMAN!!", "Saya aman pak", "Alhamdulillah kami sekeluarga aman",
    "Kami baik baik saja", "slamet", "safe", "I'm ok", "we are fine thanks",
    "je suis en sécurité", "SAIN ET SAUF", "Je vais bien", "我安全", "我们都平安", "我没事",
    "Selamat pagi, kami aman", "ｓａｆｅ",
]  # fmt: skip
HELP_REPLIES = [
    "TOLONG", "tolong saya", "Tolong!!! air naik", "butuh bantuan segera", "need help pls",
    "HELP", "SOS", "à l'aide", "AU SECOURS", "救命", "请帮忙", "tidak aman, tolong",
    "aman, tapi tolong kirim air", "I am safe but my friend needs help",
]  # fmt: skip
NOT_SAFE = ["tidak aman", "belum aman", "not safe", "I am not really safe", "我不安全",
            "Je ne suis pas en sécurité", "NOT OK"]  # fmt: skip
NO_ANSWER = ["hello", "selamat pagi", "Selamat malam pak", "siapa ini?", "", "   ", "?!",
             "what is this", "1 2 3 4 5 6 7 8 9 aman"]  # fmt: skip


@pytest.mark.parametrize("text", SAFE_REPLIES)
def test_safe_words_anywhere_in_the_first_words_in_every_language(text: str) -> None:
    assert parse_reply(text)[0] == Answer.SAFE


@pytest.mark.parametrize("text", HELP_REPLIES)
def test_a_call_for_help_wins_over_a_safe_word(text: str) -> None:
    assert parse_reply(text)[0] == Answer.NEED_HELP


@pytest.mark.parametrize("text", NOT_SAFE)
def test_a_negated_safe_word_is_a_call_for_help(text: str) -> None:
    assert parse_reply(text)[0] == Answer.NEED_HELP


@pytest.mark.parametrize("text", NO_ANSWER)
def test_greetings_and_other_texts_are_no_answer(text: str) -> None:
    with pytest.raises(NotAKeyword) as refused:
        parse_reply(text)
    assert refused.value.problems[0].code == "unknown_keyword"


def test_the_note_is_the_rest_after_an_opening_keyword_else_the_whole_reply() -> None:
    assert parse_reply("TOLONG air naik") == (Answer.NEED_HELP, "air naik")
    assert parse_reply("AMAN!!") == (Answer.SAFE, None)
    assert parse_reply("安全 在家") == (Answer.SAFE, "在家")
    assert parse_reply("Saya aman pak") == (Answer.SAFE, "Saya aman pak")


def _accented(text: str) -> str:
    """Every letter with an acute accent on it, as a phone keyboard's long press gives."""
    return unicodedata.normalize(
        "NFC", "".join(c + "\u0301" if c.isascii() and c.isalpha() else c for c in text)
    )


KEYWORDS = sorted(" ".join(phrase) for phrase in SAFE | HELP if phrase[0].isascii())
FILLER = st.sampled_from(["saya", "kami", "pak", "bu", "sekarang", "di", "rumah", "we", "are"])


@given(
    before=st.lists(FILLER, max_size=FIRST_WORDS - 4),
    keyword=st.sampled_from(KEYWORDS),
    after=st.lists(FILLER, max_size=5),
    punctuation=st.sampled_from(["", ".", "!!", ",", "?!", " :)"]),
    casing=st.sampled_from([str.upper, str.lower, str.title, str.swapcase]),
    accents=st.booleans(),
)
def test_case_accents_and_punctuation_never_change_the_answer(
    before: list[str],
    keyword: str,
    after: list[str],
    punctuation: str,
    casing: Callable[[str], str],
    accents: bool,
) -> None:
    plain = " ".join([*before, keyword + punctuation, *after])
    expected = read(plain)
    assert expected is not None, plain
    typed = casing(_accented(plain) if accents else plain)
    found = read(typed)
    assert found is not None and found.answer == expected.answer, typed


@given(st.text(max_size=300))
def test_any_text_is_an_answer_or_not_a_keyword_never_a_crash(text: str) -> None:
    try:
        answer, note = parse_reply(text)
    except NotAKeyword:
        return
    assert answer in (Answer.SAFE, Answer.NEED_HELP)
    assert note is None or note in text.strip()
