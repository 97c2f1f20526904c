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
