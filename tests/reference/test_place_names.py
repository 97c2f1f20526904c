"""Every consulate's jurisdiction reached by the names people type (reference.place_names).

For each KJRI and KRI: every name of each subdivision it serves (local, English, Indonesian,
Chinese, Japanese... as pycountry ships them), each city it names and each alias of those
resolve to it when typed as the city; an alias for a state or a city goes where that state
or city goes.
"""

from __future__ import annotations

import pytest

from peduli.reference import place_names
from peduli.reference import representations as reps
from peduli.reference.places import directory as running_directory
from peduli.reference.representations import RepresentationKind, normalize_place

CONSULAR = (RepresentationKind.KJRI, RepresentationKind.KRI)


@pytest.fixture(scope="module")
def directory() -> reps.Directory:
    return running_directory()


def _consulates() -> list[reps.Representation]:
    return [p for p in running_directory().all() if p.kind in CONSULAR]


def _aliases() -> dict[str, dict[str, str]]:
    aliases: dict[str, dict[str, str]] = running_directory().source_aliases
    return aliases


def _typed_names(post: reps.Representation) -> set[tuple[str, str]]:
    """(country, name) a citizen may type as the city for a place this post serves."""
    names: set[tuple[str, str]] = {(post.country, post.city)}
    for rule in post.jurisdiction:
        names |= {(rule.country, city) for city in rule.cities}
        served = set(rule.subdivisions)
        names |= {
            (rule.country, form)
            for form, code in place_names.subdivision_names(rule.country).items()
            if code in served and not _overridden(rule.country, form)
        }
        targets = served | {normalize_place(c) for c in rule.cities}
        names |= {
            (rule.country, alias)
            for alias, target in _aliases().get(rule.country, {}).items()
            if target in targets or normalize_place(target) in targets
        }
    return names


def _overridden(country: str, name: str) -> bool:
    # An alias decides a name shared by a state and a better-known city ("Washington").
    return normalize_place(name) in {
        normalize_place(alias) for alias in _aliases().get(country, {})
    }


@pytest.mark.parametrize("post", _consulates(), ids=lambda p: p.code)
def test_every_name_of_a_consulates_jurisdiction_resolves_to_it(
    directory: reps.Directory, post: reps.Representation
) -> None:
    names = _typed_names(post)
    wrong = {
        (country, name): found.code if found else None
        for country, name in sorted(names)
        if (found := directory.resolve(country=country, city=name)) != post
    }
    assert len(names) >= 1
    assert wrong == {}


def test_names_in_several_scripts_reach_the_consulate(directory: reps.Directory) -> None:
    typed = {
        ("MY", "Sabah"): "kjri-kota-kinabalu",
        ("MY", "沙巴"): "kjri-kota-kinabalu",
        ("MY", "Sarawak"): "kjri-kuching",
        ("MY", "Johor"): "kjri-johor-bahru",
        ("MY", "JB"): "kjri-johor-bahru",
        ("MY", "Johor Baru"): "kjri-johor-bahru",
        ("MY", "KK"): "kjri-kota-kinabalu",
        ("MY", "Pulau Pinang"): "kjri-penang",
        ("MY", "Penang"): "kjri-penang",
        ("SA", "Jiddah"): "kjri-jeddah",
        ("SA", "Mekah"): "kjri-jeddah",
        ("SA", "مكة المكرمة"): "kjri-jeddah",
        ("JP", "大阪府"): "kjri-osaka",
        ("JP", "Fukuoka-ken"): "kjri-osaka",
        ("CN", "广东省"): "kjri-guangzhou",
        ("CN", "Guangdong Sheng"): "kjri-guangzhou",
        ("VN", "Sài Gòn"): "kjri-ho-chi-minh-city",
        ("TH", "สงขลา"): "kri-songkhla",
    }
    found = {
        place: getattr(directory.resolve(country=place[0], city=place[1]), "code", None)
        for place in typed
    }
    assert found == typed


def test_the_capitals_state_still_goes_to_the_embassy(directory: reps.Directory) -> None:
    for country, city, code in [
        ("MY", "Selangor", "kbri-kuala-lumpur"),
        ("MY", "Kuala Lumpur", "kbri-kuala-lumpur"),
        ("SA", "Ar Riyad", "kbri-riyadh"),
        ("US", "Washington", "kbri-washington"),
        ("JP", "東京都", "kbri-tokyo"),
    ]:
        post = directory.resolve(country=country, city=city)
        assert post is not None and post.code == code, (country, city)


def test_an_alias_that_points_nowhere_is_refused_at_load() -> None:
    document = {
        "representations": [
            {
                "code": "kbri-kuala-lumpur",
                "name": "KBRI Kuala Lumpur",
                "kind": "kbri",
                "country": "MY",
                "city": "Kuala Lumpur",
                "latitude": 3.1,
                "longitude": 101.7,
                "timezone": "Asia/Kuala_Lumpur",
                "jurisdiction": [{"country": "MY"}],
            }
        ],
        "aliases": {"MY": {"JB": "Johor Bahru", "Sabah": "MY-99"}, "XX": {"A": "MY-01"}},
    }
    with pytest.raises(reps.DirectoryInvalid) as raised:
        reps.build_directory(document, name="test.json")
    message = str(raised.value)
    assert "'JB' points to 'Johor Bahru'" in message
    assert "'Sabah' points to 'MY-99'" in message
    assert "'XX' is not an ISO 3166-1" in message
