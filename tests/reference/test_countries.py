"""Countries, subdivisions and time zones from pycountry and tzdata."""

from __future__ import annotations

import zoneinfo

from peduli.core.i18n import _, in_language
from peduli.reference import countries


def test_every_iso_country_is_listed_with_names() -> None:
    listed = countries.all_countries()
    assert len(listed) >= 249
    assert [c.code for c in listed] == sorted(c.code for c in listed)
    germany = countries.get_country("DE")
    assert germany is not None
    assert germany.name == "Germany"
    assert germany.name_id == "Jerman"


def test_is_country() -> None:
    assert countries.is_country("KR")
    assert countries.is_country("TW")
    assert not countries.is_country("XX")
    assert not countries.is_country("kr")


def test_subdivisions() -> None:
    codes = {s.code for s in countries.subdivisions("MY")}
    assert {"MY-01", "MY-12", "MY-13"} <= codes
    assert countries.is_subdivision("MY", "MY-12")
    assert not countries.is_subdivision("MY", "SA-02")
    assert countries.subdivisions("XX") == []


def test_subdivision_lineage_walks_up_to_the_region() -> None:
    assert countries.subdivision_lineage("PH", "PH-DAS") == ["PH-DAS", "PH-11"]
    assert countries.subdivision_lineage("FR", "FR-13") == ["FR-13", "FR-PAC"]
    assert countries.subdivision_lineage("MY", "MY-99") == []


def test_timezones_of_a_country() -> None:
    assert countries.timezones("ID") == [
        "Asia/Jakarta",
        "Asia/Pontianak",
        "Asia/Makassar",
        "Asia/Jayapura",
    ]
    assert countries.timezones("KR") == ["Asia/Seoul"]
    assert "America/Los_Angeles" in countries.timezones("US")
    assert countries.timezones("XX") == []
    for zone in countries.timezones("AU"):
        zoneinfo.ZoneInfo(zone)


def test_a_country_in_a_message_is_named_in_the_readers_language() -> None:
    message = _("The location ({lat:.4f}, {lon:.4f}) is not in {country}.").format(
        lat=1.0, lon=2.0, country=countries.named_country("kr")
    )
    assert message == "The location (1.0000, 2.0000) is not in South Korea."
    assert in_language(message, "fr").endswith("Corée du Sud.")
    assert "韩国" in in_language(message, "zh")
    assert "Korea Selatan" in in_language(message, "id")
    assert "KR" not in in_language(message, "fr")
