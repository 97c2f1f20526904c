"""Indonesian name keys: the forms and spellings of one name share one key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peduli.reference.profiles.indonesia import INDONESIA
from peduli.reference.profiles.indonesian_names import fold_spelling, name_key, name_tokens

MUHAMMAD_FORMS = [
    "Muhammad",
    "Mohammad",
    "Mohamad",
    "Muhamad",
    "Mohammed",
    "Mochammad",
    "Mochamad",
    "Muchammad",
    "Mukhammad",
    "Moh.",
    "Moch.",
    "Muh.",
    "Mhd.",
    "Mohd",
    "M.",
    "M",
]
YUSUF_FORMS = ["Yusuf", "Jusuf", "Yoesoef", "Joesoef", "YUSUF"]


class TestFamilies:
    @pytest.mark.parametrize(
        "names",
        [
            ("Muhammad Yusuf", "Moh. Jusuf", "M. Yoesoef", "Mochammad Joesoef", "Moh.Jusuf"),
            ("Soekarno", "Sukarno"),
            ("Soeharto", "Suharto"),
            ("Djoko", "Joko"),
            ("Tjahjo", "Cahyo"),
            ("Chairul Tandjung", "Khairul Tanjung"),
            ("Njoman Soedarsono", "Nyoman Sudarsono"),
            ("Sjahrir", "Syahrir"),
            ("Siti Nurhaliza", "Hj. Siti Nurhaliza, S.Kom.", "SITI  NURHALIZA", "siti-nurhaliza"),
            ("Joko Widodo", "Ir. H. Joko Widodo", "Djoko Widodo, S.T., M.M."),
            ("Ma'ruf Amin", "Prof. Dr. K.H. Ma’ruf Amin", "KH Maruf Amin"),
            ("André Wijaya", "Andre Widjaja"),
        ],
    )
    def test_variants_share_one_key(self, names: tuple[str, ...]) -> None:
        keys = {name_key(name) for name in names}
        assert len(keys) == 1, keys

    @given(st.sampled_from(MUHAMMAD_FORMS), st.sampled_from(YUSUF_FORMS))
    def test_every_muhammad_yusuf_form(self, muhammad: str, yusuf: str) -> None:
        assert name_key(f"{muhammad} {yusuf}") == "muhammad yusuf"

    @pytest.mark.parametrize(
        ("name", "key"),
        [
            ("M. Yoesoef", "muhammad yusuf"),
            ("Soekarno", "sukarno"),
            ("Tjahjo Koemolo", "cahyo kumolo"),
            ("Dr. Ir. H. Djoko Santoso, M.Sc., Ph.D.", "yoko santoso"),
            ("Sri Mulyani Indrawati", "sri mulyani indrawati"),
        ],
    )
    def test_documented_examples(self, name: str, key: str) -> None:
        assert name_key(name) == key


class TestKeepsWhatIsAName:
    def test_single_name_stays_one_token(self) -> None:
        assert name_tokens("Sukarno") == ["sukarno"]
        assert name_tokens("Boediono") == ["budiono"]

    def test_word_order_is_kept(self) -> None:
        assert name_key("Yusuf Muhammad") == "yusuf muhammad"

    def test_undotted_degree_lookalike_is_a_name(self) -> None:
        assert name_key("Ma Ying") == "ma ying"
        assert name_key("Budi, MA") == "budi"

    def test_different_people_keep_different_keys(self) -> None:
        assert name_key("Budi Santoso") != name_key("Budi Susanto")
        assert name_key("Siti Aminah") != name_key("Siti Aisyah")

    def test_only_titles_gives_an_empty_key(self) -> None:
        assert name_key("Dr. H.") == ""
        assert name_key("") == ""


class TestProperties:
    @given(st.text())
    def test_idempotent_on_any_text(self, name: str) -> None:
        assert name_key(name_key(name)) == name_key(name)

    @given(
        st.lists(
            st.sampled_from(
                [*MUHAMMAD_FORMS, *YUSUF_FORMS, "Dr.", "Hj.", "S.Kom.", ",", "Tjokro", "Ny."]
            ),
            max_size=6,
        )
    )
    def test_idempotent_on_name_like_text(self, words: list[str]) -> None:
        name = " ".join(words)
        assert name_key(name_key(name)) == name_key(name)

    @given(st.text(alphabet="abcdehjknostuy", max_size=12))
    def test_fold_spelling_is_idempotent(self, word: str) -> None:
        assert fold_spelling(fold_spelling(word)) == fold_spelling(word)

    @given(st.text())
    def test_key_is_lowercase_single_spaced(self, name: str) -> None:
        key = name_key(name)
        assert key == " ".join(key.split())
        assert "." not in key
        assert "," not in key


def test_profile_uses_the_indonesian_rules() -> None:
    assert INDONESIA.name_key("Moh. Jusuf") == "muhammad yusuf"
    assert INDONESIA.name_tokens("Moh. Jusuf") == ["muhammad", "yusuf"]
