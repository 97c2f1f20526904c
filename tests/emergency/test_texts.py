"""Alert texts: whole sentences in the reader's language, names not codes, no identifiers."""

from __future__ import annotations

import pytest

from peduli.emergency import texts
from peduli.emergency.models import EmergencyKind

CALLER = texts.Caller("Siti Aminah", "+821012345678", "Ansan", "KR", "id")


@pytest.mark.parametrize("language", ["id", "en", "zh", "fr"])
def test_every_kind_has_a_staff_name_in_every_language(language: str) -> None:
    names = {texts.kind_name(kind.value, language) for kind in EmergencyKind}
    assert len(names) == len(EmergencyKind), "one name per kind"
    assert not names & {kind.value for kind in EmergencyKind}, "no raw codes"
    if language != "en":
        english = {texts.kind_name(kind.value, "en") for kind in EmergencyKind}
        assert not names & english, "translated"


def test_an_alert_names_the_post_kind_and_caller_in_the_readers_language() -> None:
    said = texts.alert(
        reference="KBRI-SEOUL-2026-000007", kind="detained", post="kbri-seoul", step=0,
        hq=False, caller=CALLER, link="https://peduli.example/officer/emergencies/x",
        language="en",
    )  # fmt: skip
    assert said.body.startswith(
        "Emergency KBRI-SEOUL-2026-000007 (arrest or detention) has just been reported to "
        "KBRI Seoul."
    )
    assert (
        "Call back Siti Aminah on +821012345678, in Ansan, South Korea; they asked for help "
        "in Indonesian." in said.body
    )
    assert "kbri-seoul" not in said.body and "detained" not in said.body
    assert said.sms.startswith("EMERGENCY KBRI-SEOUL-2026-000007 at KBRI Seoul, arrest or")


def test_what_is_not_known_is_said_so_in_a_sentence() -> None:
    nobody = texts.Caller(None, None, None, None, None)
    said = texts.alert(
        reference="R-1", kind="unheard-of", post="kbri-riyadh", step=2, hq=True, caller=nobody,
        link="L", language="fr",
    )  # fmt: skip
    assert "la personne (nom non indiqué)" in said.body and "aucun téléphone indiqué" in said.body
    assert "un lieu inconnu" in said.body and "une langue inconnue" in said.body
    assert "permanence du siège (étape 2)" in said.body and "KBRI Riyadh" in said.body


def test_language_names_are_in_the_readers_language() -> None:
    assert texts.language_name("id", "en") == "Indonesian"
    assert texts.language_name("fr", "id") == "Prancis"
    assert texts.language_name("en", "zh") == "英语"
    assert texts.language_name(None, "en") is None
