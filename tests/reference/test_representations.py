"""The Indonesian representations directory: the 132 + KDEI, jurisdiction and resolution."""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import resources

import pycountry
import pytest

from peduli.core.errors import NotFound
from peduli.reference import representations as reps
from peduli.reference.representations import (
    DirectoryInvalid,
    RepresentationKind,
    build_directory,
    load_directory,
)

FILE = "representations_id.json"
# The home country and uninhabited territories: nobody to serve, so no post.
EXPECTED_UNCOVERED = {"ID", "AQ", "BV", "GS", "HM", "IO", "TF", "UM"}


@pytest.fixture(scope="module")
def directory() -> reps.Directory:
    return load_directory(FILE)


def test_the_132_split_and_kdei_taipei(directory: reps.Directory) -> None:
    kinds = Counter(p.kind for p in directory.all())
    assert kinds[RepresentationKind.KBRI] == 95
    assert kinds[RepresentationKind.KJRI] == 30
    assert kinds[RepresentationKind.KRI] == 4
    assert kinds[RepresentationKind.PTRI] == 3
    assert sum(kinds[k] for k in ("kbri", "kjri", "kri", "ptri")) == 132
    taipei = directory.get("kdei-taipei")
    assert taipei.kind is RepresentationKind.KDEI
    assert taipei.country == "TW"


def test_permanent_missions_serve_no_citizens(directory: reps.Directory) -> None:
    missions = {p.code: p for p in directory.all() if p.kind is RepresentationKind.PTRI}
    assert set(missions) == {"ptri-new-york", "ptri-geneva", "ptri-asean"}
    assert missions["ptri-asean"].country == "ID"
    assert all(not p.jurisdiction for p in missions.values())


def test_codes_are_unique_kind_and_city_slug(directory: reps.Directory) -> None:
    codes = [p.code for p in directory.all()]
    assert len(codes) == len(set(codes))
    for post in directory.all():
        assert re.fullmatch(rf"{post.kind.value}-[a-z0-9]+(-[a-z0-9]+)*", post.code), post.code
    for code in ("kbri-seoul", "kjri-hong-kong", "kbri-kuala-lumpur", "ptri-geneva"):
        assert directory.get(code).code == code


def test_the_file_cites_its_source() -> None:
    raw = resources.files("peduli.reference.data").joinpath(FILE).read_text("utf-8")
    source = json.loads(raw)["source"]
    assert "Kemlu" in source["title"] or "Kementerian Luar Negeri" in source["title"]
    assert source["url"].startswith("https://kemlu.go.id")


def test_every_country_maps_to_exactly_one_post_or_is_reported(
    directory: reps.Directory,
) -> None:
    uncovered = set(directory.uncovered_countries())
    assert uncovered == EXPECTED_UNCOVERED
    for country in pycountry.countries:
        post = directory.resolve(country=country.alpha_2)
        if country.alpha_2 in uncovered:
            assert post is None
        else:
            assert post is not None, country.alpha_2
            defaults = [
                p
                for p in directory.for_country(country.alpha_2)
                if any(r.is_default and r.country == country.alpha_2 for r in p.jurisdiction)
            ]
            assert defaults == [post]


def test_default_post_of_the_host_country(directory: reps.Directory) -> None:
    assert directory.get("kbri-kuala-lumpur").is_default_for_country
    assert directory.get("kjri-hong-kong").is_default_for_country
    assert not directory.get("kjri-osaka").is_default_for_country
    assert directory.for_country("MY")[0].code == "kbri-kuala-lumpur"


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ({"country": "MY", "city": "Tawau"}, "kri-tawau"),
        ({"country": "MY", "subdivision": "MY-12", "city": "Lahad Datu"}, "kri-tawau"),
        ({"country": "MY", "subdivision": "MY-12", "city": "Sandakan"}, "kjri-kota-kinabalu"),
        ({"country": "MY", "subdivision": "MY-12"}, "kjri-kota-kinabalu"),
        ({"country": "MY", "subdivision": "MY-01"}, "kjri-johor-bahru"),
        ({"country": "MY", "subdivision": "MY-13"}, "kjri-kuching"),
        ({"country": "MY", "subdivision": "MY-07"}, "kjri-penang"),
        ({"country": "MY", "subdivision": "MY-14"}, "kbri-kuala-lumpur"),
        ({"country": "MY"}, "kbri-kuala-lumpur"),
        ({"country": "SA", "city": "Jeddah"}, "kjri-jeddah"),
        ({"country": "SA", "subdivision": "SA-02"}, "kjri-jeddah"),
        ({"country": "SA", "subdivision": "SA-04"}, "kbri-riyadh"),
        ({"country": "JP", "city": "Osaka"}, "kjri-osaka"),
        ({"country": "JP", "city": "ŌSAKA"}, "kjri-osaka"),
        ({"country": "JP", "subdivision": "JP-13"}, "kbri-tokyo"),
        ({"country": "HK", "city": "Kowloon"}, "kjri-hong-kong"),
        ({"country": "MO"}, "kjri-hong-kong"),
        ({"country": "TW", "city": "Taichung"}, "kdei-taipei"),
        ({"country": "US", "subdivision": "US-CA", "city": "Irvine"}, "kjri-los-angeles"),
        ({"country": "US", "subdivision": "US-CA", "city": "Fresno"}, "kjri-san-francisco"),
        ({"country": "US", "subdivision": "US-TX"}, "kjri-houston"),
        ({"country": "US", "subdivision": "US-DC"}, "kbri-washington"),
        ({"country": "AU", "subdivision": "AU-NT"}, "kri-darwin"),
        ({"country": "PH", "subdivision": "PH-DAS"}, "kjri-davao"),
        ({"country": "FR", "subdivision": "FR-13"}, "kjri-marseille"),
        ({"country": "CA", "subdivision": "CA-ON", "city": "Ottawa"}, "kbri-ottawa"),
        ({"country": "CA", "subdivision": "CA-ON", "city": "Toronto"}, "kjri-toronto"),
        ({"country": "KE"}, "kbri-nairobi"),
        ({"country": "UG"}, "kbri-nairobi"),
    ],
)
def test_resolve(directory: reps.Directory, place: dict[str, str], expected: str) -> None:
    post = directory.resolve(**place)  # type: ignore[arg-type]
    assert post is not None
    assert post.code == expected


def test_a_city_outside_the_given_subdivision_does_not_match(directory: reps.Directory) -> None:
    # Tawau is a carve-out of Sabah: named with Selangor it is not KRI Tawau's.
    post = directory.resolve(country="MY", subdivision="MY-10", city="Tawau")
    assert post is not None
    assert post.code == "kbri-kuala-lumpur"


def test_resolve_by_coordinates_picks_the_nearest_post(directory: reps.Directory) -> None:
    def code(lat: float, lon: float) -> str:
        post = directory.resolve(country="MY", latitude=lat, longitude=lon)
        assert post is not None
        return post.code

    assert code(4.25, 117.9) == "kri-tawau"
    assert code(5.98, 116.07) == "kjri-kota-kinabalu"
    assert code(3.14, 101.69) == "kbri-kuala-lumpur"
    # A single-post country ignores coordinates.
    single = directory.resolve(country="KR", latitude=35.1, longitude=129.0)
    assert single is not None
    assert single.code == "kbri-seoul"


def test_uncovered_country_resolves_to_none(directory: reps.Directory) -> None:
    assert directory.resolve(country="AQ") is None
    assert directory.for_country("AQ") == []


def test_get_unknown_code_says_how_to_find_codes(directory: reps.Directory) -> None:
    with pytest.raises(NotFound, match="/api/v1/representations"):
        directory.get("kbri-atlantis")


def test_posts_have_zone_coordinates_and_e164_hotlines(directory: reps.Directory) -> None:
    for post in directory.all():
        assert post.hotline is None or re.fullmatch(r"\+[1-9]\d{6,14}", post.hotline)
        assert -90 <= post.latitude <= 90
    assert directory.get("kbri-seoul").timezone == "Asia/Seoul"


def _post(code: str, country: str, jurisdiction: list[dict]) -> dict:
    return {
        "code": code,
        "name": code.upper(),
        "kind": code.split("-")[0],
        "country": country,
        "city": "X",
        "latitude": 0,
        "longitude": 0,
        "timezone": "UTC",
        "jurisdiction": jurisdiction,
    }


@pytest.mark.parametrize(
    ("posts", "message"),
    [
        (
            [_post("kbri-a", "KR", [{"country": "KR"}]), _post("kbri-a", "JP", [])],
            "used twice",
        ),
        ([_post("kbri-a", "KR", [{"country": "KR"}, {"country": "ZZ"}])], "ZZ"),
        (
            [
                _post("kbri-a", "KR", [{"country": "KR"}]),
                _post("kjri-b", "KR", [{"country": "KR"}]),
            ],
            "two defaults",
        ),
        ([_post("kjri-b", "KR", [{"country": "KR", "subdivisions": ["KR-26"]}])], "no default"),
        (
            [
                _post("kbri-a", "KR", [{"country": "KR"}]),
                _post("kjri-b", "KR", [{"country": "KR", "subdivisions": ["KR-26"]}]),
                _post("kjri-c", "KR", [{"country": "KR", "subdivisions": ["KR-26"]}]),
            ],
            "claimed by kjri-b and kjri-c",
        ),
        ([_post("kbri-a", "KR", [{"country": "KR", "subdivisions": ["KR-XX"]}])], "KR-XX"),
        ([_post("kbri-Seoul", "KR", [{"country": "KR"}])], "city slug"),
    ],
)
def test_a_broken_file_fails_loudly(posts: list[dict], message: str) -> None:
    with pytest.raises(DirectoryInvalid, match=message):
        build_directory({"representations": posts}, name="broken.json")
