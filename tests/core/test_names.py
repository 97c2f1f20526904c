"""Names of every script pass; control and bidirectional-override characters never do."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peduli.auth import accounts
from peduli.core.errors import ValidationFailed
from peduli.core.names import BIDI_CONTROLS, name_problems
from peduli.reference.profile import get_profile
from peduli.registry import validation
from tests.factories import report

REFUSED = sorted(BIDI_CONTROLS) + [chr(c) for c in range(0x20)] + ["\x7f", "\x85"]
# Letters, marks, spaces and punctuation of any script, as real names hold them.
name_text = st.text(
    st.characters(categories=["L", "M", "Zs", "Pd", "Po"], exclude_characters=BIDI_CONTROLS),
    min_size=1,
    max_size=60,
)


@given(name_text)
def test_names_in_any_script_are_accepted(name: str) -> None:
    assert name_problems(name, field="full_name") == []


@given(name_text, st.sampled_from(REFUSED), st.integers(min_value=0, max_value=60))
def test_a_control_or_bidi_character_anywhere_is_refused(name: str, char: str, at: int) -> None:
    problems = name_problems(name[:at] + char + name[at:], field="full_name")
    assert [(p.field, p.code) for p in problems] == [("full_name", "name_invalid_character")]
    assert f"U+{ord(char):04X}" in problems[0].message


def test_the_refused_set_is_controls_and_bidi_controls() -> None:
    assert all(unicodedata.bidirectional(c) in {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI",
                                                "RLI", "FSI", "PDI", "L", "R", "AL"}
               for c in BIDI_CONTROLS)  # fmt: skip
    assert name_problems("Siti Aminah", field="x") == []
    assert name_problems("عبد الله", field="x") == []  # right-to-left script, no override


def test_a_self_report_names_both_bad_names() -> None:
    bad = report(full_name="Siti \u202enimA", emergency_contact_name="Sri\nInjected: line")
    with pytest.raises(ValidationFailed) as refused:
        validation.validate_report(bad, get_profile(), today=bad.arrival_date)
    fields = {p.field for p in refused.value.problems if p.code == "name_invalid_character"}
    assert fields == {"full_name", "emergency_contact_name"}


@pytest.mark.usefixtures("clean_engine")
def test_a_staff_display_name_is_refused_too() -> None:
    from peduli.core.db import session_scope

    with session_scope() as session, pytest.raises(ValidationFailed) as refused:
        accounts.create_staff(
            session,
            email="new.officer@example.org",
            role="officer",
            representation_code="kbri-seoul",
            display_name="Budi \u2066Admin\u2069",
        )
    assert [p.field for p in refused.value.problems] == ["display_name"]
