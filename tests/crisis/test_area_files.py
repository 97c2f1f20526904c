"""Areas read from uploaded files: GeoJSON in its three wrappings, CAP, and bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peduli.core.errors import ValidationFailed
from peduli.crisis import area_files
from peduli.crisis.area import parse_area

SAMPLES = Path(__file__).parent / "cap_samples"
RING = [[101.6, 3.0], [101.8, 3.0], [101.8, 3.2], [101.6, 3.2], [101.6, 3.0]]
OTHER = [[103.6, 1.3], [103.9, 1.3], [103.9, 1.5], [103.6, 1.5], [103.6, 1.3]]


def _read(document: object) -> dict[str, object]:
    return area_files.read(json.dumps(document).encode()).area


def test_a_geometry_a_feature_and_a_collection_give_the_same_polygon() -> None:
    polygon = {"type": "Polygon", "coordinates": [RING]}
    feature = {"type": "Feature", "properties": {}, "geometry": polygon}
    collection = {"type": "FeatureCollection", "features": [feature]}
    assert _read(polygon) == _read(feature) == _read(collection) == polygon


def test_several_polygons_become_one_multipolygon_and_points_are_left_out() -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [RING]}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [101, 3]}},
            {"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [[OTHER]]}},
        ],
    }
    area = _read(collection)
    assert area == {"type": "MultiPolygon", "coordinates": [[RING], [OTHER]]}
    assert parse_area(area).kind == "polygon"


def test_circles_and_country_lists_pass_through() -> None:
    circle = {"circle": {"lat": 3.1, "lon": 101.7, "radius_km": 10}}
    assert _read(circle) == circle
    assert _read({"countries": ["MY"]}) == {"countries": ["MY"]}


def test_a_cap_alert_gives_its_area_and_the_alert() -> None:
    found = area_files.read(b"\xef\xbb\xbf\n" + (SAMPLES / "flood_polygon.xml").read_bytes())
    assert found.alert is not None and found.alert.title.startswith("Flood warning")
    assert parse_area(found.area).kind == "polygon"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"  ", "file_empty"),
        (b"{not json", "not_geojson"),
        (b"[1, 2]", "not_geojson"),
        (json.dumps({"type": "Point", "coordinates": [1, 2]}).encode(), "no_polygon"),
        (b"<alert>not cap</alert>", "not_cap"),
        ((SAMPLES / "xxe.xml").read_bytes(), "xml_forbidden"),
        (b"{" + b" " * area_files.MAX_BYTES + b"}", "too_large"),
    ],
)
def test_bad_files_are_refused_on_the_file_field(data: bytes, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        area_files.read(data)
    (problem,) = refused.value.problems
    assert (problem.field, problem.code) == ("area_file", code)
