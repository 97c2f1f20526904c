"""Indonesian names as token sets: titles, Muhammad, old spellings, patronymic markers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from peduli.registry.linkage.comparisons import Outcome, compare_name
from peduli.registry.linkage.names import name_tokens, rarest, token_frequency


def test_titles_are_stripped_and_muhammad_folded() -> None:
    assert name_tokens("H. Moh. Jusuf") == name_tokens("Muhammad Yusuf")
    assert name_tokens("Hj. Siti Aminah") == ("siti", "aminah")
    assert name_tokens("Ir. Dr. Mhd. Ali") == name_tokens("Muh. Ali") == ("muhammad", "ali")


def test_old_spellings_fold_into_the_new() -> None:
    assert name_tokens("Soekarno") == name_tokens("Sukarno")
    assert name_tokens("Djoko Tjahjono") == name_tokens("Joko Cahyono")
    assert name_tokens("Chairul") == name_tokens("Khairul")
    assert name_tokens("Sjahrir") == name_tokens("Syahrir")


def test_bin_binti_putra_putri_only_separate() -> None:
    assert name_tokens("Ahmad bin Abdullah") == ("ahmad", "abdullah")
    assert name_tokens("Siti binti Hasan") == ("siti", "hasan")
    assert name_tokens("Made Putra Wijaya") == name_tokens("Made Wijaya")


def test_word_order_does_not_matter_and_a_dropped_name_is_close() -> None:
    assert compare_name(name_tokens("Yusuf Muhammad"), name_tokens("Muhammad Yusuf"))[0] == (
        Outcome.EXACT
    )
    outcome, agreeing = compare_name(
        name_tokens("Siti Maryam Wulandari binti Cholis"), name_tokens("Siti Wulandari")
    )
    assert outcome == Outcome.CLOSE
    assert set(agreeing) == {"siti", "wulandari"}


def test_a_mistyped_letter_is_close_another_name_different() -> None:
    assert compare_name(("rahmawati",), ("rahmawaty",))[0] == Outcome.CLOSE
    assert compare_name(("budi", "santoso"), ("agus", "salim"))[0] == Outcome.DIFFERENT


def test_common_tokens_are_frequent_and_never_chosen_for_blocking() -> None:
    assert token_frequency("muhammad") > 0.01
    assert token_frequency("siti") > 0.01
    assert token_frequency("nur") > 0.005
    assert token_frequency("pattiasinaxyz") < 0.0001
    assert rarest(name_tokens("Muhammad Nur Pattiasina"), 1) == ("pattiasina",)


NAMES = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz ABCDEJMOSTUY.,'-"), max_size=40
)


@given(NAMES)
def test_tokens_are_folded_unique_and_stable(full_name: str) -> None:
    tokens = name_tokens(full_name)
    assert len(tokens) == len(set(tokens))
    assert all(token == token.lower() and " " not in token for token in tokens)
    assert name_tokens(" ".join(tokens)) == tokens


@given(NAMES, NAMES)
def test_name_comparison_is_symmetric(a: str, b: str) -> None:
    assert (
        compare_name(name_tokens(a), name_tokens(b))[0]
        == compare_name(name_tokens(b), name_tokens(a))[0]
    )
