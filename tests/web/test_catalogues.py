"""Every message of every area is translated in every language, with the source's
placeholders; and a domain error reaches the page in the reader's language."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from fastapi.testclient import TestClient

from peduli.web import catalogues
from peduli.web.catalogues import AREAS, TRANSLATED_LANGUAGES, Area, Gap, gaps, po_path
from tests.auth.pages.test_citizen import HTML, form_of, sign_in

BAD_NIK = "3171011705900000"  # a valid shape whose serial 0000 is never issued
# The serial-number problem of a NIK, as a reader of each language sees it.
SERIAL_PROBLEM = {
    "id": ("Empat angka terakhir NIK adalah 0000", "Nomor urut dimulai dari 0001."),
    "en": ("The last four digits of the NIK are 0000", "Serial numbers start at 0001."),
    "zh": ("NIK 的最后四位是 0000", "序号从 0001 开始。"),
    "fr": ("Les quatre derniers chiffres du NIK sont 0000", "commencent à 0001."),
}


def _describe(found: list[Gap]) -> str:
    lines = [f"{g.area}/{g.language}: {g.problem}: {g.msgid!r}" for g in found[:40]]
    more = f"\n… and {len(found) - 40} more" if len(found) > 40 else ""
    return "\n".join(lines) + more + "\nRun `peduli i18n update`, then translate them."


@pytest.mark.parametrize("area", AREAS, ids=[a.name for a in AREAS])
def test_every_message_is_translated_with_its_placeholders(area: Area) -> None:
    found = list(gaps(area))
    assert not found, _describe(found)


@pytest.mark.parametrize("area", AREAS, ids=[a.name for a in AREAS])
def test_catalogues_hold_no_fuzzy_or_stale_entries(area: Area) -> None:
    """What the source no longer says, or a guess marked fuzzy, is not a translation."""
    source = {m.id for m in catalogues.extract(area) if m.id}
    for language in TRANSLATED_LANGUAGES:
        catalog = _read(po_path(area, language), language)
        entries = [m for m in catalog if m.id]
        assert not [m.id for m in entries if m.fuzzy], f"{area.name}/{language}: fuzzy"
        assert not [m.id for m in entries if m.id not in source], f"{area.name}/{language}: stale"
        assert not catalog.obsolete, f"{area.name}/{language}: obsolete entries"


def _read(path: Path, language: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def _french_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, area_name: str, msgid: str, string: str
) -> Area:
    """Point the catalogues at a copy of ``area_name`` whose French ``msgid`` is ``string``."""
    area = next(a for a in AREAS if a.name == area_name)
    for language in TRANSLATED_LANGUAGES:
        catalog = _read(po_path(area, language), language)
        if language == "fr":
            catalog[msgid].string = string
        target = tmp_path / language / "LC_MESSAGES" / f"{area_name}.po"
        target.parent.mkdir(parents=True)
        with target.open("wb") as handle:
            write_po(handle, catalog)
    monkeypatch.setattr(catalogues, "LOCALE_DIR", tmp_path)
    return area


def test_the_check_sees_a_missing_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    area = _french_changed(tmp_path, monkeypatch, "shared", "Skip to content", "")
    assert [(g.language, g.msgid, g.problem) for g in gaps(area)] == [
        ("fr", "Skip to content", "missing")
    ]


def test_the_check_sees_a_lost_placeholder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    msgid = "The NIK has {count} digits; a NIK has exactly 16 digits."
    area = _french_changed(tmp_path, monkeypatch, "core", msgid, "Ce NIK a {nombre} chiffres.")
    assert [(g.msgid, g.problem.split(":")[0]) for g in gaps(area)] == [
        (msgid, "placeholders differ")
    ]


@pytest.mark.parametrize("language", ["id", "en", "zh", "fr"])
def test_a_bad_nik_is_explained_in_the_page_language(client: TestClient, language: str) -> None:
    sign_in(client, f"nik.{language}@example.org", next_path="/lapor-diri")
    page = client.get(f"/lapor-diri?lang={language}", headers=HTML)
    fields = form_of(page.text, "/lapor-diri") | {
        "full_name": "Siti Aminah",
        "date_of_birth": "1990-05-17",
        "sex": "M",
        "nik": BAD_NIK,
        "go": "next",
    }
    answer = client.post("/lapor-diri", data=fields, headers=HTML)
    assert answer.status_code == 422, answer.text
    assert f'<html lang="{language}"' in answer.text
    message, hint = SERIAL_PROBLEM[language]
    assert message in answer.text and hint in answer.text
    if language != "en":
        assert SERIAL_PROBLEM["en"][0] not in answer.text
