"""Crisis areas from uploaded files: a GeoJSON file or a CAP 1.2 alert.

A GeoJSON file may hold a geometry, a Feature or a FeatureCollection: its polygons become
one (Multi)Polygon, and what ``crisis.area`` accepts as is (a circle, a list of countries)
passes through. A CAP alert gives its area and, for the fields the officer left empty,
its headline, kind, severity and description. Every problem names the file field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.core.i18n import _
from peduli.crisis import area as areas
from peduli.crisis import cap

MAX_BYTES = 1_000_000
FIELD = "area_file"


@dataclass(frozen=True)
class UploadedArea:
    """The area a file declares, and the alert it came from when it was CAP."""

    area: dict[str, Any]
    alert: cap.CapDraft | None = None


def _refused(code: str, message: str, hint: str = "") -> ValidationFailed:
    return ValidationFailed([FieldProblem(field=FIELD, code=code, message=message, hint=hint)])


def read(data: bytes) -> UploadedArea:
    """The area of an uploaded GeoJSON or CAP file, or a ``ValidationFailed`` on the file."""
    if not data.strip():
        raise _refused("file_empty", _("The file is empty."))
    if len(data) > MAX_BYTES:
        raise _refused("too_large", _("The file is larger than 1 MB."))
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return _from_cap(text)
    return UploadedArea(area=_from_geojson(text))


def _from_cap(document: bytes) -> UploadedArea:
    try:
        alert = cap.parse(document)
    except ValidationFailed as error:
        first = error.problems[0]
        raise _refused(first.code, first.message, first.hint) from error
    return UploadedArea(area=json.loads(areas.to_json(alert.area)), alert=alert)


def _from_geojson(document: bytes) -> dict[str, Any]:
    try:
        raw = json.loads(document.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _refused(
            "not_geojson",
            _("The file is neither GeoJSON nor a CAP alert."),
            _("Upload a .geojson file with a polygon, or a CAP 1.2 alert (.xml)."),
        ) from error
    if not isinstance(raw, Mapping):
        raise _refused("not_geojson", _("The file is neither GeoJSON nor a CAP alert."))
    if "circle" in raw or "countries" in raw or "subdivisions" in raw:
        return dict(raw)
    polygons = list(_polygons(raw))
    if not polygons:
        raise _refused(
            "no_polygon",
            _("The file holds no polygon."),
            _("Points and lines have no area: draw the area as a polygon."),
        )
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _polygons(raw: Any) -> list[Any]:
    """The polygons' coordinates anywhere in a geometry, Feature or FeatureCollection."""
    if not isinstance(raw, Mapping):
        return []
    kind = raw.get("type")
    if kind == "FeatureCollection" and isinstance(raw.get("features"), list):
        return [p for feature in raw["features"] for p in _polygons(feature)]
    if kind == "Feature":
        return _polygons(raw.get("geometry"))
    if kind == "GeometryCollection" and isinstance(raw.get("geometries"), list):
        return [p for geometry in raw["geometries"] for p in _polygons(geometry)]
    if kind == "Polygon":
        return [raw.get("coordinates")]
    if kind == "MultiPolygon" and isinstance(raw.get("coordinates"), list):
        return list(raw["coordinates"])
    return []
