"""The broadcast templates: one per crisis kind, translated, and short enough for one SMS."""

from __future__ import annotations

import pytest

from peduli.core.config import get_settings
from peduli.core.i18n import LANGUAGES
from peduli.crisis import links, message_templates
from peduli.crisis.models import CrisisKind
from peduli.notify.segments import Encoding, measure

# A production address: longer than the tests' own, and what the counts must hold for.
PRODUCTION_URL = "https://peduli.kemlu.go.id"


@pytest.fixture
def production_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "public_url", PRODUCTION_URL)


@pytest.mark.parametrize("kind", list(CrisisKind))
def test_every_kind_has_its_template_in_every_language(kind: CrisisKind) -> None:
    texts = message_templates.default_messages(kind)
    assert set(texts) == set(LANGUAGES)
    assert all(texts.values())
    # Translated, not the English source shown in three more languages.
    assert len({texts["en"], texts["id"], texts["zh"], texts["fr"]}) == 4
    assert texts["en"] == str(message_templates.TEMPLATES[kind])


@pytest.mark.usefixtures("production_url")
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", list(CrisisKind))
def test_the_default_sms_fits_one_segment(kind: CrisisKind, lang: str) -> None:
    text = message_templates.default_messages(kind)[lang]
    sms = message_templates.sample_sms(text, lang)
    assert sms.endswith(f"{PRODUCTION_URL}/c/{links.token_for(message_templates.SAMPLE_RECIPIENT)}")
    length = measure(sms)
    # Chinese as UCS-2 (70), the others as GSM-7 (160): no French letter outside GSM-7.
    assert length.encoding == (Encoding.UCS2 if lang == "zh" else Encoding.GSM7)
    assert length.segments == 1, (len(sms), sms)
    assert message_templates.sms_lengths({lang: text, "id": text})[lang] == length


@pytest.mark.usefixtures("production_url")
def test_the_largest_token_counted_is_sixteen_characters() -> None:
    token = links.token_for(message_templates.SAMPLE_RECIPIENT)
    assert len(token) == 16 and len(links.token_for(message_templates.SAMPLE_RECIPIENT + 1)) == 17
    # What the answer line and the link leave to a Chinese text in one SMS.
    assert 70 - message_templates.overhead("zh").units >= 12


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
