"""Is a point inside a country? Natural Earth boundaries shipped with the package.

The boundaries come from ``data/country_boundaries.json.gz``, built by
``scripts/build_country_boundaries.py`` from the npm package ``world-atlas`` (Natural Earth
4.1.0, public domain). A point within ``TOLERANCE_KM`` of a country still counts as inside,
so that addresses on coasts and borders, and islets that the 1:50m scale leaves out, are
not rejected. Each country's shape is decoded and prepared on first use only.
"""

from __future__ import annotations

import base64
import gzip
import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import shapely
from shapely import Geometry, Point

TOLERANCE_KM = 25.0
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = 111.32

# Territories that Natural Earth draws as part of another state's shape: checked against
# that shape, which contains them (a generous check, never a rejection of every point).
INSIDE_OF = {
    "BQ": "NL",
    "BV": "NO",
    "SJ": "NO",
    "GF": "FR",
    "GP": "FR",
    "MQ": "FR",
    "RE": "FR",
    "YT": "FR",
    "TK": "NZ",
}


@dataclass(frozen=True)
class _Shape:
    geometry: Geometry
    bounds: tuple[float, float, float, float]


@cache
def _encoded() -> dict[str, str]:
    raw = resources.files("peduli.reference.data").joinpath("country_boundaries.json.gz")
    countries: dict[str, str] = json.loads(gzip.decompress(raw.read_bytes()))["countries"]
    return countries


@cache
def _shape(alpha2: str) -> _Shape | None:
    encoded = _encoded().get(INSIDE_OF.get(alpha2, alpha2))
    if encoded is None:
        return None
    geometry = shapely.from_wkb(base64.b64decode(encoded))
    shapely.prepare(geometry)
    return _Shape(geometry=geometry, bounds=tuple(geometry.bounds))


def has_boundary(alpha2: str) -> bool:
    """Whether a boundary is known for ``alpha2`` (Antarctic and uninhabited islets aside)."""
    return INSIDE_OF.get(alpha2, alpha2) in _encoded()


def point_in_country(alpha2: str, latitude: float, longitude: float) -> bool:
    """Whether the point lies in the country or within ``TOLERANCE_KM`` of it.

    A country without a known boundary accepts every point: there is nothing to check
    against, and refusing would make an address there impossible to record.
    """
    shape = _shape(alpha2)
    if shape is None:
        return True
    lat_margin = TOLERANCE_KM / KM_PER_DEGREE
    # Degrees of longitude shrink towards the poles; cap so the margin stays finite.
    lon_margin = lat_margin / max(math.cos(math.radians(latitude)), 0.1)
    west, south, east, north = shape.bounds
    if not (south - lat_margin <= latitude <= north + lat_margin):
        return False
    # Shapes crossing the antimeridian (Russia, Fiji, Kiribati...) span the whole range.
    if not (west - lon_margin <= longitude <= east + lon_margin):
        return False
    point = Point(longitude, latitude)
    if shape.geometry.contains(point):
        return True
    return bool(shapely.dwithin(shape.geometry, point, max(lat_margin, lon_margin)))


# The background map of the crisis declare page: simplified to a fiftieth of a degree
# (about 2 km) and a thousandth-degree grid, ~0.9 MB (~0.3 MB gzipped) for every country.
MAP_TOLERANCE_DEGREES = 0.02
MAP_GRID_DEGREES = 0.001


@cache
def countries_geojson() -> bytes:
    """Every country's boundary as one GeoJSON FeatureCollection (feature id: ISO alpha-2).

    Built once per process from the shipped boundaries; drawn behind the crisis map.
    """
    features = []
    for code, encoded in sorted(_encoded().items()):
        geometry = shapely.from_wkb(base64.b64decode(encoded))
        simple = shapely.set_precision(
            geometry.simplify(MAP_TOLERANCE_DEGREES, preserve_topology=True), MAP_GRID_DEGREES
        )
        if simple.is_empty:
            continue
        features.append(
            f'{{"type":"Feature","id":"{code}","properties":{{}},'
            f'"geometry":{shapely.to_geojson(simple)}}}'
        )
    return ('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}").encode()


@cache
def _provinces() -> dict[str, list[dict[str, Any]]]:
    raw = resources.files("peduli.reference.data").joinpath("province_boundaries.json.gz")
    by_country: dict[str, list[dict[str, Any]]] = json.loads(gzip.decompress(raw.read_bytes()))[
        "countries"
    ]
    return by_country


def province_features(alpha2: str) -> list[dict[str, Any]] | None:
    """The provinces of a country as GeoJSON features (id: ISO 3166-2 code), None if unknown.

    Natural Earth 1:10m admin-1 boundaries, merged into the provinces the declare page
    offers and simplified to about 1 km (``scripts/build_province_boundaries.py``).
    """
    return _provinces().get(alpha2.upper())


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres between two points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))
