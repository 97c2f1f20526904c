"""The broadcast templates: one per crisis kind, translated, and short enough for one SMS."""

from __future__ import annotations

import pytest

from peduli.core.i18n import LANGUAGES
from peduli.crisis import message_templates
from peduli.crisis.models import CrisisKind
from peduli.notify.segments import Encoding

# A production address is longer than the test one: the templates must fit with it too.
LONGER_ADDRESS = len("https://peduli.kemlu.go.id") - len("http://127.0.0.1:8000")


@pytest.mark.parametrize("kind", list(CrisisKind))
def test_every_kind_has_its_template_in_every_language(kind: CrisisKind) -> None:
    texts = message_templates.default_messages(kind)
    assert set(texts) == set(LANGUAGES)
    assert all(texts.values())
    # Translated, not the English source shown in three more languages.
    assert len({texts["en"], texts["id"], texts["zh"], texts["fr"]}) == 4
    assert texts["en"] == str(message_templates.TEMPLATES[kind])


@pytest.mark.parametrize("kind", list(CrisisKind))
def test_the_default_sms_fits_one_segment_where_it_can(kind: CrisisKind) -> None:
    lengths = message_templates.sms_lengths(message_templates.default_messages(kind))
    for lang in ("id", "en", "fr"):
        assert lengths[lang].encoding == Encoding.GSM7, lang  # no letter outside GSM-7
        assert lengths[lang].units + LONGER_ADDRESS <= 160, lang
        assert lengths[lang].segments == 1, lang
    # Chinese goes as UCS-2: the answer line and the link alone pass 70 characters, so one
    # segment cannot be had; the message never adds a third.
    assert message_templates.overhead("zh").units > 70
    assert lengths["zh"].encoding == Encoding.UCS2
    assert lengths["zh"].segments == 2
    assert lengths["zh"].units + LONGER_ADDRESS <= 2 * 67


def test_an_unknown_kind_gets_the_general_template() -> None:
    assert message_templates.default_messages("meteor") == message_templates.default_messages(
        CrisisKind.OTHER
    )


def test_the_measured_sms_is_the_text_with_answer_line_and_link() -> None:
    sms = message_templates.sample_sms("Gempa kuat.", "id")
    assert sms.startswith("Gempa kuat.\nBalas AMAN atau TOLONG")
    assert "/c/" in sms
    lengths = message_templates.sms_lengths({"id": "Gempa kuat.", "en": ""})
    # An empty language is sent the Indonesian text (with its own answer line).
    assert lengths["en"].characters == len(message_templates.sample_sms("Gempa kuat.", "en"))
