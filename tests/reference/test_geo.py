"""Point-in-country checks on Natural Earth boundaries, and great-circle distance."""

from __future__ import annotations

import time

import pytest

from peduli.reference.geo import distance_km, has_boundary, point_in_country

# Capitals and other cities of 20 countries (latitude, longitude).
INSIDE = [
    ("KR", 37.5665, 126.9780),  # Seoul
    ("KR", 35.1796, 129.0756),  # Busan
    ("JP", 35.6762, 139.6503),  # Tokyo
    ("JP", 34.6937, 135.5023),  # Osaka
    ("MY", 3.1390, 101.6869),  # Kuala Lumpur
    ("MY", 4.2447, 117.8912),  # Tawau
    ("SA", 24.7136, 46.6753),  # Riyadh
    ("SA", 21.4858, 39.1925),  # Jeddah
    ("HK", 22.3193, 114.1694),  # Kowloon
    ("TW", 25.0330, 121.5654),  # Taipei
    ("TW", 22.6273, 120.3014),  # Kaohsiung
    ("SG", 1.3521, 103.8198),
    ("AE", 25.2048, 55.2708),  # Dubai
    ("QA", 25.2854, 51.5310),  # Doha
    ("NL", 52.3676, 4.9041),  # Amsterdam
    ("US", 40.7128, -74.0060),  # New York
    ("US", 21.3069, -157.8583),  # Honolulu
    ("AU", -33.8688, 151.2093),  # Sydney
    ("AU", -12.4634, 130.8456),  # Darwin
    ("CN", 23.1291, 113.2644),  # Guangzhou
    ("DE", 52.5200, 13.4050),  # Berlin
    ("GB", 51.5074, -0.1278),  # London
    ("EG", 30.0444, 31.2357),  # Cairo
    ("BR", -15.7939, -47.8828),  # Brasília
    ("RU", 55.7558, 37.6173),  # Moscow
    ("RU", 64.7333, 177.5167),  # Anadyr, east of the antimeridian split
    ("FJ", -18.1416, 178.4419),  # Suva
    ("NZ", -41.2865, 174.7762),  # Wellington
]

OUTSIDE = [
    ("JP", 37.5665, 126.9780),  # Seoul is not in Japan
    ("MY", 24.7136, 46.6753),  # Riyadh is not in Malaysia
    ("KR", 35.6762, 139.6503),  # Tokyo is not in Korea
    ("SA", 3.1390, 101.6869),  # Kuala Lumpur is not in Saudi Arabia
    ("US", 51.5074, -0.1278),  # London is not in the US
    ("AU", 1.3521, 103.8198),  # Singapore is not in Australia
    ("ID", 0.0, -30.0),  # mid-Atlantic
    ("TW", 39.9042, 116.4074),  # Beijing is not in Taiwan
]


@pytest.mark.parametrize(("country", "lat", "lon"), INSIDE)
def test_cities_are_inside_their_country(country: str, lat: float, lon: float) -> None:
    assert point_in_country(country, lat, lon)


@pytest.mark.parametrize(("country", "lat", "lon"), OUTSIDE)
def test_wrong_pairs_are_rejected(country: str, lat: float, lon: float) -> None:
    assert not point_in_country(country, lat, lon)


@pytest.mark.parametrize(
    ("country", "lat", "lon"),
    [
        ("SG", 1.2650, 103.8200),  # Sentosa / harbour waters south of the island
        ("MY", 5.9804, 116.0500),  # Kota Kinabalu waterfront, just offshore
        ("NL", 52.1000, 4.2000),  # a few km off the Scheveningen beach
        ("HK", 22.2000, 114.1500),  # between Lamma and Hong Kong Island
        ("ID", -8.5000, 115.0000),  # just off Bali
    ],
)
def test_coastal_points_are_accepted(country: str, lat: float, lon: float) -> None:
    assert point_in_country(country, lat, lon)


def test_a_point_far_out_at_sea_is_rejected() -> None:
    # ~200 km west of the Dutch coast: well beyond the tolerance.
    assert not point_in_country("NL", 52.1, 1.3)


def test_territories_natural_earth_merges_are_checked_against_their_state() -> None:
    assert point_in_country("RE", -21.1151, 55.5364)  # Réunion
    assert point_in_country("GF", 4.9224, -52.3135)  # Cayenne
    assert not point_in_country("RE", 1.3521, 103.8198)  # still not Singapore


def test_countries_without_a_boundary_accept_rather_than_reject() -> None:
    assert not has_boundary("ZZ")
    assert point_in_country("ZZ", 0.0, 0.0)


def test_small_states_have_boundaries() -> None:
    for code in ("TV", "GI", "VA", "MC", "SM", "NR"):
        assert has_boundary(code), code
    assert point_in_country("TV", -8.5211, 179.1983)  # Funafuti
    assert point_in_country("VA", 41.9029, 12.4534)


def test_checks_are_fast() -> None:
    point_in_country("US", 40.7, -74.0)  # load the shape once
    start = time.perf_counter()
    for _ in range(1000):
        point_in_country("US", 40.7, -74.0)
        point_in_country("JP", 37.5665, 126.9780)
    per_check_ms = (time.perf_counter() - start) / 2000 * 1000
    assert per_check_ms < 1.0


def test_distance_km() -> None:
    assert distance_km(0, 0, 0, 0) == 0
    # Jakarta to Singapore, centre to centre, is about 900 km.
    assert 880 < distance_km(-6.2088, 106.8456, 1.3521, 103.8198) < 920
    # A quarter of the equator.
    assert distance_km(0, 0, 0, 90) == pytest.approx(10007.5, rel=1e-3)


def test_the_map_boundaries_are_one_simplified_feature_collection() -> None:
    import json

    import shapely
    from shapely.geometry import shape

    from peduli.reference.geo import countries_geojson

    raw = countries_geojson()
    assert len(raw) < 2_000_000  # simplified: the map loads it whole
    features = {f["id"]: f for f in json.loads(raw)["features"]}
    assert {"MY", "KR", "SA", "ID"} <= set(features)
    malaysia = shape(features["MY"]["geometry"])
    assert malaysia.contains(shapely.Point(101.6869, 3.1390))  # Kuala Lumpur
    assert not malaysia.contains(shapely.Point(126.9780, 37.5665))  # Seoul
