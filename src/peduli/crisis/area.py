"""Crisis areas: parsing what a client declares, and covering it with H3 cells for targeting.

Three shapes are accepted: a GeoJSON ``Polygon`` or ``MultiPolygon`` geometry, a circle
(``{"circle": {"lat", "lon", "radius_km"}}``) and whole countries or subdivisions
(``{"countries": ["MY"], "subdivisions": ["TH-10"]}``). Validation names every bad part.
A circle of radius 0 is a point, as CAP 1.2 defines it (an epicentre, a building): it is
covered by the one cell it lies in, and only a stay at that very place falls inside it.

Targeting narrows with the cells at the stays' resolution
(``registry.report_records.H3_RESOLUTION``) and decides with the exact shape: a cell wholly
inside needs no further test; a stay in a border cell is tested exactly in SQL (haversine
for a circle, even-odd ray casting over the ring edges for a polygon). An area too large for
a cell list is narrowed by its bounding box.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import h3
import pycountry
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping

from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.core.i18n import _
from peduli.reference.geo import EARTH_RADIUS_KM, KM_PER_DEGREE, distance_km
from peduli.registry.report_records import H3_RESOLUTION

MAX_RADIUS_KM = 2000.0
MAX_VERTICES = 20_000
MAX_CELLS = 250_000  # beyond this an area is narrowed by its bounding box instead
# The farthest a point of a resolution-8 cell lies from the cell's centre, with margin.
CELL_RADIUS_KM = 0.6
CIRCLE_VERTICES = 96


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Area:
    """A parsed area; ``geometry`` is set for polygons and circles (as a polygon), not points."""

    kind: str  # polygon | circle | countries
    geojson: dict[str, Any]
    geometry: Polygon | MultiPolygon | None = None
    center: tuple[float, float] | None = None  # (lat, lon)
    radius_km: float | None = None
    countries: tuple[str, ...] = ()
    subdivisions: tuple[str, ...] = ()
    bounds: tuple[float, float, float, float] | None = None  # south, west, north, east


@dataclass
class Cover:
    """What targeting joins: the covering cells (``inside`` or border) and the ring edges."""

    cells: dict[str, bool] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    by_bounding_box: bool = False


def _problem(where: str, code: str, message: str, hint: str = "") -> ValidationFailed:
    return ValidationFailed([FieldProblem(field=where, code=code, message=message, hint=hint)])


def parse_area(raw: Any, *, where: str = "area") -> Area:
    """Turn the declared area into an ``Area``, or raise naming what is wrong with it."""
    if not isinstance(raw, Mapping):
        raise _problem(
            where,
            "area_invalid",
            _("The area must be a JSON object."),
            _('Send a GeoJSON Polygon, {"circle": {...}} or {"countries": [...]}.'),
        )
    if "circle" in raw:
        return _circle(raw["circle"], where=f"{where}.circle")
    if "countries" in raw or "subdivisions" in raw:
        return _countries(raw, where=where)
    if raw.get("type") in ("Polygon", "MultiPolygon"):
        return _polygon(raw, where=where)
    raise _problem(
        where,
        "area_invalid",
        _("The area is not a Polygon, a MultiPolygon, a circle or a list of countries."),
        _('Send a GeoJSON Polygon, {"circle": {...}} or {"countries": [...]}.'),
    )


def _number(value: Any, *, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _problem(where, "not_a_number", _("This must be a number."))
    if not low <= float(value) <= high:
        raise _problem(
            where,
            "out_of_range",
            _("This must lie between {low} and {high}.").format(low=low, high=high),
        )
    return float(value)


def _circle(raw: Any, *, where: str) -> Area:
    if not isinstance(raw, Mapping) or set(raw) - {"lat", "lon", "radius_km"}:
        raise _problem(
            where,
            "circle_invalid",
            _("A circle has exactly the numbers lat, lon and radius_km."),
        )
    lat = _number(raw.get("lat"), where=f"{where}.lat", low=-90, high=90)
    lon = _number(raw.get("lon"), where=f"{where}.lon", low=-180, high=180)
    radius = _number(raw.get("radius_km"), where=f"{where}.radius_km", low=0, high=MAX_RADIUS_KM)
    lat_span = radius / KM_PER_DEGREE
    lon_span = lat_span / max(math.cos(math.radians(lat)), 0.01)
    bounds = (lat - lat_span, lon - lon_span, lat + lat_span, lon + lon_span)
    return Area(
        kind="circle",
        geojson={"circle": {"lat": lat, "lon": lon, "radius_km": radius}},
        geometry=circle_polygon(lat, lon, radius) if radius > 0 else None,
        center=(lat, lon),
        radius_km=radius,
        bounds=bounds,
    )


def circle_polygon(lat: float, lon: float, radius_km: float) -> Polygon:
    """The circle as a polygon (longitude, latitude) just outside it, for the cell cover."""
    angular = radius_km / EARTH_RADIUS_KM
    phi, lam = math.radians(lat), math.radians(lon)
    ring = []
    for i in range(CIRCLE_VERTICES):
        bearing = 2 * math.pi * i / CIRCLE_VERTICES
        # Destination point; the polygon's chords cut inside, hence the 2 % margin.
        d = angular * 1.02
        phi2 = math.asin(
            math.sin(phi) * math.cos(d) + math.cos(phi) * math.sin(d) * math.cos(bearing)
        )
        lam2 = lam + math.atan2(
            math.sin(bearing) * math.sin(d) * math.cos(phi),
            math.cos(d) - math.sin(phi) * math.sin(phi2),
        )
        ring.append((math.degrees(lam2), max(-89.9, min(89.9, math.degrees(phi2)))))
    return Polygon(ring)


def _codes(raw: Any, *, where: str) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw) or len(raw) > 300:
        raise _problem(where, "codes_invalid", _("This must be a list of codes."))
    return [c.strip().upper() for c in raw]


def _countries(raw: Mapping[str, Any], *, where: str) -> Area:
    if set(raw) - {"countries", "subdivisions"}:
        raise _problem(where, "area_invalid", _("Only countries and subdivisions may be given."))
    countries = _codes(raw.get("countries"), where=f"{where}.countries")
    subdivisions = _codes(raw.get("subdivisions"), where=f"{where}.subdivisions")
    problems = [
        FieldProblem(
            field=f"{where}.countries[{i}]",
            code="unknown_country",
            message=_("There is no country with the code {code}.").format(code=code[:10]),
            hint=_("Use ISO 3166-1 alpha-2 codes such as MY or SA."),
        )
        for i, code in enumerate(countries)
        if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None
    ]
    problems += [
        FieldProblem(
            field=f"{where}.subdivisions[{i}]",
            code="unknown_subdivision",
            message=_("There is no subdivision with the code {code}.").format(code=code[:10]),
            hint=_("Use ISO 3166-2 codes such as MY-10."),
        )
        for i, code in enumerate(subdivisions)
        if pycountry.subdivisions.get(code=code) is None
    ]
    if not countries and not subdivisions:
        problems.append(
            FieldProblem(
                field=f"{where}.countries",
                code="empty",
                message=_("Name at least one country or subdivision."),
            )
        )
    if problems:
        raise ValidationFailed(problems)
    geojson: dict[str, Any] = {"countries": sorted(set(countries))}
    if subdivisions:
        geojson["subdivisions"] = sorted(set(subdivisions))
    return Area(
        kind="countries",
        geojson=geojson,
        countries=tuple(sorted(set(countries))),
        subdivisions=tuple(sorted(set(subdivisions))),
    )


def _positions(ring: Any, *, where: str) -> list[tuple[float, float]]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise _problem(
            where,
            "ring_invalid",
            _("A ring needs at least four positions, the last one repeating the first."),
        )
    points = []
    for i, position in enumerate(ring):
        if not isinstance(position, list) or len(position) < 2:
            raise _problem(
                f"{where}[{i}]", "position_invalid", _("A position is [longitude, latitude].")
            )
        lon = _number(position[0], where=f"{where}[{i}][0]", low=-180, high=180)
        lat = _number(position[1], where=f"{where}[{i}][1]", low=-90, high=90)
        points.append((lon, lat))
    if points[0] != points[-1]:
        raise _problem(where, "ring_not_closed", _("A ring's last position must repeat its first."))
    return points


def _polygon(raw: Mapping[str, Any], *, where: str) -> Area:
    coordinates = raw.get("coordinates")
    polygons = [coordinates] if raw["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise _problem(
            f"{where}.coordinates",
            "coordinates_invalid",
            _("The coordinates are missing or empty."),
        )
    parts: list[Polygon] = []
    vertices = 0
    for p, rings in enumerate(polygons):
        path = f"{where}.coordinates" if raw["type"] == "Polygon" else f"{where}.coordinates[{p}]"
        if not isinstance(rings, list) or not rings:
            raise _problem(path, "coordinates_invalid", _("A polygon is a list of rings."))
        parsed = [_positions(ring, where=f"{path}[{r}]") for r, ring in enumerate(rings)]
        vertices += sum(len(r) for r in parsed)
        parts.append(Polygon(parsed[0], parsed[1:]))
    if vertices > MAX_VERTICES:
        raise _problem(
            f"{where}.coordinates",
            "too_many_vertices",
            _("The area has more than {max} positions; simplify it.").format(max=MAX_VERTICES),
        )
    geometry: Polygon | MultiPolygon = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    if not geometry.is_valid or geometry.area <= 0:
        raise _problem(
            f"{where}.coordinates",
            "polygon_invalid",
            _("The polygon crosses itself, has no area or its parts overlap."),
            _("Draw each ring without self-intersection; holes inside their outer ring."),
        )
    west, south, east, north = geometry.bounds
    centroid = geometry.centroid
    return Area(
        kind="polygon",
        geojson=mapping(geometry) | {"type": raw["type"]},
        geometry=geometry,
        center=(centroid.y, centroid.x),
        bounds=(south, west, north, east),
    )


def area_from_stored(kind: str, geojson: str) -> Area:
    """Rebuild the ``Area`` of a stored crisis."""
    return parse_area(_jsonable(json.loads(geojson)))


def _jsonable(value: Any) -> Any:
    """Tuples (shapely's mapping) read back as lists."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def to_json(area: Area) -> str:
    return json.dumps(_jsonable(area.geojson), separators=(",", ":"))


def _estimated_cells(area: Area) -> float:
    assert area.geometry is not None
    south, _west, north, _east = area.bounds or (0, 0, 0, 0)
    mid = math.cos(math.radians((south + north) / 2))
    km2 = area.geometry.area * KM_PER_DEGREE * KM_PER_DEGREE * max(mid, 0.01)
    return km2 / h3.average_hexagon_area(H3_RESOLUTION, unit="km^2")


def _h3_shape(geometry: Polygon | MultiPolygon) -> h3.H3Shape:
    def poly(p: Polygon) -> h3.LatLngPoly:
        outer = [(y, x) for x, y in p.exterior.coords[:-1]]
        holes = [[(y, x) for x, y in ring.coords[:-1]] for ring in p.interiors]
        return h3.LatLngPoly(outer, *holes)

    if isinstance(geometry, Polygon):
        return poly(geometry)
    return h3.LatLngMultiPoly(*(poly(p) for p in geometry.geoms))


def cover(area: Area) -> Cover:
    """The cells (and edges) targeting joins against; nothing for countries."""
    result = Cover()
    if area.kind == "circle" and area.center is not None and not area.radius_km:
        # A point: the one cell it lies in, never wholly inside (the exact test decides).
        result.cells = {h3.latlng_to_cell(*area.center, H3_RESOLUTION): False}
        return result
    if area.geometry is None:
        return result
    if area.kind == "polygon":
        result.edges = list(ring_edges(area.geometry))
    if _estimated_cells(area) > MAX_CELLS:
        result.by_bounding_box = True
        return result
    shape_ = _h3_shape(area.geometry)
    overlap = h3.polygon_to_cells_experimental(shape_, H3_RESOLUTION, contain="overlap")
    if area.kind == "circle":
        assert area.center is not None and area.radius_km is not None
        lat, lon = area.center
        limit = area.radius_km - CELL_RADIUS_KM
        for cell in overlap:
            clat, clon = h3.cell_to_latlng(cell)
            result.cells[cell] = distance_km(lat, lon, clat, clon) <= limit
    else:
        full = set(h3.polygon_to_cells_experimental(shape_, H3_RESOLUTION, contain="full"))
        result.cells = {cell: cell in full for cell in overlap}
    return result


def ring_edges(geometry: Polygon | MultiPolygon) -> Iterator[Edge]:
    """Every non-horizontal edge of every ring (horizontal ones never cross a ray)."""
    polygons = [geometry] if isinstance(geometry, Polygon) else list(geometry.geoms)
    for polygon in polygons:
        for ring in (polygon.exterior, *polygon.interiors):
            coords = list(ring.coords)
            for (x1, y1), (x2, y2) in itertools.pairwise(coords):
                if y1 != y2:
                    yield Edge(x1, y1, x2, y2)


def contains(area: Area, latitude: float, longitude: float) -> bool:
    """The exact decision in Python (the reference targeting is checked against in tests)."""
    if area.kind == "circle":
        assert area.center is not None and area.radius_km is not None
        return distance_km(area.center[0], area.center[1], latitude, longitude) <= area.radius_km
    if area.kind == "polygon":
        assert area.geometry is not None
        return bool(shapely.contains_xy(area.geometry, longitude, latitude))
    return False


__all__ = ["Area", "Cover", "Edge", "area_from_stored", "contains", "cover", "parse_area"]
