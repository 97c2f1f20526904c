"""Places by name in the reader's language: provinces (ISO 3166-2 subdivisions)."""

from __future__ import annotations

from peduli.reference import places


def test_a_countrys_provinces_are_listed_by_name_in_the_readers_language() -> None:
    malaysia = dict(places.subdivision_choices("MY", "zh"))
    assert malaysia["MY-10"] == "雪兰莪"
    assert len(malaysia) == 16  # 13 states and 3 federal territories
    assert places.subdivision_name("MY-10", "en") == "Selangor"
    assert places.subdivision_name("XX-99", "en") == "XX-99"


def test_indonesias_provinces_not_its_island_groups() -> None:
    indonesia = dict(places.subdivision_choices("ID", "id"))
    assert "ID-JK" in indonesia and "ID-BA" in indonesia
    assert "ID-JW" not in indonesia  # Jawa is a group of provinces
