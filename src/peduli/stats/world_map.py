"""The world map of the dashboard as server-drawn SVG: the shipped country boundaries
(``reference.geo``), simplified for a page, projected plate carrée, each country shaded by its
count. No tiles, scripts or fonts from outside; it prints as it shows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from peduli.reference import geo

# About a fifth of a degree: under a pixel on a map a thousand pixels wide.
TOLERANCE_DEGREES = 0.2
SOUTH, NORTH = -58.0, 84.0  # Antarctica left out; the viewBox is cut to these
VIEWBOX = f"0 {90 - NORTH:g} 360 {NORTH - SOUTH:g}"
# Counts from 1 shaded in classes by powers of ten: 1–9, 10–99, … and the last open-ended.
CLASS_FLOORS = (1, 10, 100, 1_000, 10_000, 100_000)


def _rings(geometry: BaseGeometry) -> list[list[tuple[float, float]]]:
    polygons = getattr(geometry, "geoms", [geometry])
    rings: list[list[tuple[float, float]]] = []
    for polygon in polygons:
        if polygon.is_empty or polygon.geom_type != "Polygon":
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            rings.append([(x, y) for x, y in ring.coords])
    return rings


def _path(geometry: BaseGeometry) -> str:
    parts = []
    for ring in _rings(geometry):
        if len(ring) < 4 or max(y for _, y in ring) < SOUTH:
            continue
        points = " ".join(f"{x + 180:.1f} {90 - y:.1f}" for x, y in ring)
        parts.append(f"M{points}Z")
    return "".join(parts)


@cache
def country_paths() -> dict[str, str]:
    """Every country's outline as an SVG path (``d``), by ISO alpha-2 code."""
    features = json.loads(geo.countries_geojson())["features"]
    paths: dict[str, str] = {}
    for feature in features:
        geometry = shape(feature["geometry"])
        simple = shapely.simplify(geometry, TOLERANCE_DEGREES, preserve_topology=True)
        drawn = _path(simple)
        if drawn:
            paths[feature["id"]] = drawn
    return paths


def shade(count: int) -> int:
    """The class of a count: 0 for none, then 1 … len(CLASS_FLOORS)."""
    return sum(1 for floor in CLASS_FLOORS if count >= floor)


@dataclass(frozen=True)
class Country:
    code: str
    path: str
    count: int
    shade: int


def countries(counts: dict[str, int]) -> list[Country]:
    """The map's countries with their counts and shades (counted ones drawn last, on top)."""
    drawn = [
        Country(code, path, counts.get(code, 0), shade(counts.get(code, 0)))
        for code, path in country_paths().items()
    ]
    return sorted(drawn, key=lambda country: (country.shade, country.code))


def legend(counts: dict[str, int]) -> list[tuple[int, int, int | None]]:
    """(shade, from, to) of each class up to the largest count (``to`` None: and more)."""
    top = shade(max(counts.values(), default=0))
    classes = []
    for index, floor in enumerate(CLASS_FLOORS[:top], start=1):
        ceiling = CLASS_FLOORS[index] - 1 if index < len(CLASS_FLOORS) else None
        classes.append((index, floor, ceiling))
    return classes
