"""Messages stay translatable after formatting."""

from __future__ import annotations

from peduli.core.i18n import Message, _, translate

CATALOGUE = {"'{value}' is not a country code.": "'{value}' bukan kode negara."}


def test_a_formatted_message_is_plain_english_for_the_api() -> None:
    message = _("'{value}' is not a country code.").format(value="XX")
    assert message == "'XX' is not a country code."
    assert isinstance(message, str)


def test_a_formatted_message_is_translated_with_its_parameters() -> None:
    message = _("'{value}' is not a country code.").format(value="XX")
    assert translate(message, lambda s: CATALOGUE.get(s, s)) == "'XX' bukan kode negara."


def test_a_broken_translation_falls_back_to_english() -> None:
    message = _("'{value}' is not a country code.").format(value="XX")
    assert translate(message, lambda s: "{oops}") == "'XX' is not a country code."


def test_plain_strings_pass_through() -> None:
    assert translate("as is", lambda s: "changed") == "as is"
    assert isinstance(_("x"), Message)


def test_joined_sentences_are_translated_part_by_part() -> None:
    catalogue = {"First.": "Pertama.", " Second {n}.": " Kedua {n}."}
    joined = _("First.") + _(" Second {n}.").format(n=2)
    assert joined == "First. Second 2."
    assert translate(joined, lambda s: catalogue.get(s, s)) == "Pertama. Kedua 2."


def test_a_message_inside_a_message_is_translated_too() -> None:
    catalogue = {
        "Not a date: {why}": "Bukan tanggal: {why}",
        "there is no month {m}.": "tidak ada bulan {m}.",
    }
    inner = _("there is no month {m}.").format(m=90)
    outer = _("Not a date: {why}").format(why=inner)
    assert translate(outer, lambda s: catalogue.get(s, s)) == "Bukan tanggal: tidak ada bulan 90."


def test_in_language_speaks_english_as_written_and_indonesian_when_unknown() -> None:
    from peduli.core.i18n import in_language

    message = _("Reply SAFE or HELP, or answer here:")
    assert in_language(message, "en") == str(message)
    assert in_language(message, "xx") == in_language(message, "id") != str(message)


def test_localized_picks_each_rows_text_from_texts_written_per_language() -> None:
    from sqlalchemy import create_engine, literal, select

    from peduli.core.i18n import localized

    texts = {"id": "Aman?", "en": "Safe?", "zh": "安全吗？", "fr": "En sécurité ?"}
    with create_engine("sqlite://").connect() as connection:
        chosen = [
            connection.scalar(select(localized(texts, literal(language))))
            for language in ("fr", "en", "xx", "zh")
        ]
    assert chosen == ["En sécurité ?", "Safe?", "Aman?", "安全吗？"]
