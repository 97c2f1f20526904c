"""The synthetic population: valid identifiers, realistic spread, deterministic, duplicates."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from functools import cache

import phonenumbers
import pytest

from peduli.demo.population import Citizen, Population
from peduli.reference.geo import point_in_country
from peduli.reference.profile import get_profile
from peduli.registry import validation
from peduli.registry.matching import NAME_SIMILARITY_THRESHOLD, name_similarity
from peduli.registry.schemas import SelfReportCreate

TODAY = date(2026, 11, 24)


@cache
def sample(count: int = 20_000, seed: int = 11) -> tuple[Citizen, ...]:
    return tuple(Population(seed=seed, today=TODAY).citizens(count))


def test_every_nik_validates_with_the_profile_and_encodes_birth_date_and_sex() -> None:
    profile = get_profile()
    with_nik = [c for c in sample()[:5000] if c.nik]
    assert len(with_nik) > 4900
    for citizen in with_nik:
        problems = profile.validate_national_id(
            citizen.nik or "",
            date_of_birth=citizen.date_of_birth,
            sex=citizen.sex,  # type: ignore[arg-type]
        )
        assert problems == [], (citizen.nik, problems)
    assert len({c.nik for c in with_nik}) == len(with_nik), "NIKs are unique"


def test_every_passport_is_valid_and_unique() -> None:
    profile = get_profile()
    passports = [c.passport for c in sample() if c.passport]
    assert len(passports) == len(sample())
    assert all(re.fullmatch(r"[A-Z][0-9]{7}", p) for p in passports)
    assert all(profile.validate_passport(p) == [] for p in passports[:2000])
    assert len(set(passports)) == len(passports)


def test_every_phone_is_a_valid_e164_mobile_of_the_host_country_or_home() -> None:
    home = get_profile().home_phone_region
    regions = Counter()
    for citizen in sample()[:5000]:
        number = phonenumbers.parse(citizen.phone)
        assert phonenumbers.is_valid_number(number), citizen.phone
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == (
            citizen.phone
        )
        region = phonenumbers.region_code_for_number(number)
        assert region in {citizen.country, home}, (citizen.country, citizen.phone)
        regions[region == citizen.country] += 1
        emergency = phonenumbers.parse(citizen.emergency_contact_phone)
        assert phonenumbers.region_code_for_number(emergency) == home
    assert regions[True] > 0.9 * 5000, "most citizens use a number of the host country"


def test_coordinates_lie_inside_their_country() -> None:
    for citizen in sample()[:4000]:
        assert point_in_country(citizen.country, citizen.latitude, citizen.longitude), citizen


def test_every_citizen_is_a_valid_self_report() -> None:
    profile = get_profile()
    for citizen in sample()[:400]:
        report = SelfReportCreate.model_validate(citizen.report())
        validation.validate_report(report, profile, today=TODAY)  # raises on any problem


def test_the_same_seed_gives_the_same_people_and_another_seed_others() -> None:
    first = list(Population(seed=42, today=TODAY).citizens(300))
    again = list(Population(seed=42, today=TODAY).citizens(300))
    other = list(Population(seed=43, today=TODAY).citizens(300))
    assert first == again
    assert [c.full_name for c in first] != [c.full_name for c in other]


def test_batches_give_the_same_people_as_one_stream() -> None:
    stream = list(Population(seed=5, today=TODAY).citizens(1000))
    batched = [c for b in Population(seed=5, today=TODAY).batches(1000, 128) for c in b]
    assert batched == stream


def test_a_city_puts_everyone_near_it_and_a_city_nobody_lives_in_is_refused() -> None:
    people = list(Population(seed=11, today=TODAY, city="kuala lumpur").citizens(300))
    assert {(c.country, c.city, c.subdivision) for c in people} == {("MY", "Kuala Lumpur", "MY-14")}
    assert all(abs(c.latitude - 3.139) < 0.06 and abs(c.longitude - 101.687) < 0.06 for c in people)
    with pytest.raises(ValueError, match="Atlantis"):
        Population(seed=11, today=TODAY, city="Atlantis")


def test_countries_are_weighted_like_reality() -> None:
    shares = Counter(c.country for c in sample())
    total = len(sample())
    assert 0.27 < shares["MY"] / total < 0.33
    assert 0.11 < shares["SA"] / total < 0.15
    top = [country for country, _n in shares.most_common(6)]
    assert top[:4] == ["MY", "SA", "TW", "HK"]
    assert {"SG", "JP"} <= set(top)
    assert len(shares) > 30, "a long tail of countries"


def test_purposes_and_sectors_follow_each_country() -> None:
    def share(country: str, sector: str) -> float:
        people = [c for c in sample() if c.country == country]
        return sum(c.sector == sector for c in people) / len(people)

    assert share("HK", "domestic_work") > 0.75
    assert share("MY", "plantation") > 0.2
    assert share("KR", "manufacturing") > 0.5
    assert share("TW", "fishing_crew") > 0.05
    assert all(c.sex == "M" for c in sample() if c.sector == "fishing_crew")
    domestic = [c for c in sample() if c.sector == "domestic_work"]
    assert sum(c.sex == "F" for c in domestic) / len(domestic) > 0.9
    students = [c for c in sample() if c.country in {"NL", "EG"}]
    assert sum(c.purpose == "study" for c in students) / len(students) > 0.3


def test_names_have_their_real_variety() -> None:
    names = [c.full_name for c in sample()]
    words = Counter(w for n in names for w in n.split())
    assert sum(" " not in n for n in names) > 0.05 * len(names), "single names"
    assert words["Moh."] and words["M."] and words["Muhammad"], "Muhammad forms"
    assert any("oe" in n or "Dj" in n for n in names), "old spellings"
    assert words["binti"] and words["bin"]
    assert words["Wayan"] or words["Made"] or words["Nyoman"] or words["Ketut"]
    assert words["Siregar"] or words["Simanjuntak"] or words["Nasution"], "Batak marga"
    assert words["Andi"] and (words["Lalu"] or words["Baiq"])
    assert len(set(names)) > 0.5 * len(names)


def test_second_reports_repeat_an_earlier_citizen_with_a_spelling_variant() -> None:
    citizens = sample()
    seconds = [c for c in citizens if c.duplicate_of is not None]
    assert 0.002 * len(citizens) < len(seconds) < 0.008 * len(citizens)
    profile = get_profile()
    for second in seconds:
        first = citizens[second.duplicate_of or 0]
        assert second.nik is None and second.passport != first.passport
        assert second.date_of_birth == first.date_of_birth
        similarity = name_similarity(
            profile.name_key(first.full_name), profile.name_key(second.full_name)
        )
        assert similarity >= NAME_SIMILARITY_THRESHOLD
    assert any(
        s.full_name != first.full_name.upper()
        for s in seconds
        for first in [citizens[s.duplicate_of or 0]]
    ), "not only capitals"


@pytest.mark.parametrize("count", [1, 2])
def test_small_populations_work(count: int) -> None:
    assert len(list(Population(seed=1, today=TODAY).citizens(count))) == count
