"""The blocking keys a person carries: a name of common tokens is keyed by its birth year
or day only with its place of birth."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from peduli.reference.profile import get_profile
from peduli.registry.linkage.keys import COMMON_TOKEN, link_keys
from peduli.registry.linkage.names import token_frequency

BORN = date(1999, 3, 12)


def test_a_distinctive_name_is_keyed_by_its_birth_year_and_day() -> None:
    keys = link_keys("Yosefina Pattiasina", BORN, None, "F", "Kota Ambon")
    assert token_frequency("pattiasina") < COMMON_TOKEN
    assert keys.name_year == "1999:pattiasina:yosefina"
    assert keys.name_day == "0312:pattiasina:yosefina"


def test_a_name_of_common_tokens_is_keyed_by_year_and_day_with_its_place_of_birth() -> None:
    keys = link_keys("Umi Kalsum", BORN, None, "F", "Kab. Bantul")
    assert min(token_frequency("umi"), token_frequency("kalsum")) >= COMMON_TOKEN
    assert keys.name_year == "1999:kalsum:umi@bantul"
    assert keys.name_day == "0312:kalsum:umi@bantul"
    assert link_keys("Umi Kalsum", BORN, None, "F", "Bantul").name_year == keys.name_year


def test_a_name_of_common_tokens_without_a_place_keeps_only_its_whole_birth_date_keys() -> None:
    keys = link_keys("Umi Kalsum", BORN, None, "F", None)
    assert (keys.name_year, keys.name_day) == (None, None)
    assert {keys.token_a, keys.token_b} == {"umi", "kalsum"}
    assert keys.initials == "1999-03-12:F:ku"


def test_one_rare_token_among_common_ones_is_enough_for_the_year_and_day_keys() -> None:
    keys = link_keys("Siti Umi Pattiasina", BORN, None, "F", None)
    assert keys.name_year == "1999:pattiasina:umi"
    assert keys.name_day == "0312:pattiasina:umi"


def test_only_a_distinctive_name_is_keyed_by_its_regency() -> None:
    nik = "3402015203990001"
    assert link_keys("Yosefina Pattiasina", BORN, nik, "F", None).region is not None
    assert link_keys("Umi Kalsum", BORN, nik, "F", "Bantul").region is None


@given(name=st.text(st.sampled_from("aiu mkst.'MHSY"), min_size=1, max_size=60))
def test_keys_from_the_name_key_a_caller_has_are_the_keys_of_the_name(name: str) -> None:
    folded = get_profile().name_key(name)

    assert link_keys(name, BORN, "3171015203990001", "F", "Bantul", name_key=folded) == (
        link_keys(name, BORN, "3171015203990001", "F", "Bantul")
    )
