"""The SMS length counter: encodings, the extension table, and segment boundaries."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from peduli.notify.segments import GSM_BASIC, GSM_EXTENSION, Encoding, measure

basic = st.text(alphabet=sorted(GSM_BASIC), max_size=700)
gsm = st.text(alphabet=sorted(GSM_BASIC | GSM_EXTENSION), max_size=700)
chinese = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=400
)


def test_boundaries_of_gsm7_and_ucs2() -> None:
    assert measure("").segments == 0
    assert (measure("a" * 160).encoding, measure("a" * 160).segments) == (Encoding.GSM7, 1)
    assert measure("a" * 161).segments == 2
    assert measure("a" * 306).segments == 2
    assert measure("a" * 307).segments == 3
    assert measure("你" * 70).segments == 1
    assert measure("你" * 71).segments == 2
    assert measure("你" * 134).segments == 2
    assert measure("你" * 135).segments == 3


def test_the_extension_table_counts_double() -> None:
    assert measure("€" * 80).units == 160
    assert measure("€" * 80).segments == 1
    assert measure("€" + "a" * 159).segments == 2
    # An escape pair is never cut: 152 plain septets leave one, so the euro starts part 2.
    assert measure("a" * 152 + "€" + "a" * 153).segments == 3


def test_one_character_outside_gsm7_makes_the_whole_text_ucs2() -> None:
    french = "Restez à l'abri, évitez la côte."  # ô is not in GSM-7
    assert measure(french).encoding == Encoding.UCS2
    assert measure("Restez a l'abri, evitez la cote.").encoding == Encoding.GSM7
    assert measure("😀").units == 2


@given(basic)
def test_plain_gsm7_segments_follow_160_and_153(text: str) -> None:
    length = measure(text)
    assert length.encoding == Encoding.GSM7
    assert length.units == len(text)
    expected = 0 if not text else 1 if len(text) <= 160 else -(-len(text) // 153)
    assert length.segments == expected


@given(gsm)
def test_every_part_holds_what_it_may(text: str) -> None:
    length = measure(text)
    assert length.units == len(text) + sum(c in GSM_EXTENSION for c in text)
    if length.segments > 1:
        # Never fewer parts than the units need, and at most one more per unit lost at an
        # escape pair kept whole.
        assert -(-length.units // 153) <= length.segments <= -(-length.units // 152)
    assert (length.segments == 1) == (0 < length.units <= 160)


@given(chinese)
def test_chinese_segments_follow_70_and_67(text: str) -> None:
    length = measure(text)
    assert length.encoding == Encoding.UCS2
    expected = 1 if len(text) <= 70 else -(-len(text) // 67)
    assert length.segments == expected


@given(gsm, st.text(min_size=1, max_size=1).filter(lambda c: c not in GSM_BASIC | GSM_EXTENSION))
def test_adding_text_never_costs_fewer_segments(text: str, other: str) -> None:
    assert measure(text + "a").segments >= measure(text).segments
    assert measure(text + other).encoding == Encoding.UCS2
