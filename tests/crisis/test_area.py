"""Area parsing: valid shapes are read; anything else is a ValidationFailed, never a crash."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peduli.core.errors import ValidationFailed
from peduli.crisis import area as areas
from tests.fuzzing import examples

json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)
coordinate = st.tuples(
    st.floats(min_value=-200, max_value=200) | st.just(float("nan")),
    st.floats(min_value=-100, max_value=100) | st.just(float("inf")),
)


def _parsed_or_refused(raw: Any) -> areas.Area | None:
    try:
        return areas.parse_area(raw)
    except ValidationFailed as refused:
        problems = refused.problems
    assert problems and all(p.field.startswith("area") for p in problems)
    return None


@given(json_values)
@settings(max_examples=examples(300), deadline=None)
def test_any_json_is_parsed_or_refused_with_named_fields(raw: Any) -> None:
    _parsed_or_refused(raw)


@given(st.dictionaries(st.sampled_from(["lat", "lon", "radius_km", "x"]), json_values, max_size=4))
@settings(max_examples=examples(200), deadline=None)
def test_any_circle_is_parsed_or_refused(circle: dict[str, Any]) -> None:
    found = _parsed_or_refused({"circle": circle})
    if found is not None:
        assert found.radius_km is not None and 0.1 <= found.radius_km <= areas.MAX_RADIUS_KM


@given(st.lists(coordinate, min_size=0, max_size=8), st.booleans())
@settings(max_examples=examples(200), deadline=None)
def test_any_ring_is_parsed_or_refused(points: list[tuple[float, float]], close: bool) -> None:
    ring = [list(p) for p in points] + ([list(points[0])] if close and points else [])
    found = _parsed_or_refused({"type": "Polygon", "coordinates": [ring]})
    if found is not None:
        assert found.geometry is not None and found.geometry.is_valid and found.geometry.area > 0


@pytest.mark.parametrize(
    ("raw", "field", "code"),
    [
        ({"circle": {"lat": 91, "lon": 0, "radius_km": 5}}, "area.circle.lat", "out_of_range"),
        (
            {"circle": {"lat": 1, "lon": 2, "radius_km": "5"}},
            "area.circle.radius_km",
            "not_a_number",
        ),
        ({"countries": ["XX"]}, "area.countries[0]", "unknown_country"),
        (
            {"countries": [], "subdivisions": ["MY-99"]},
            "area.subdivisions[0]",
            "unknown_subdivision",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            "area.coordinates",
            "polygon_invalid",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]},
            "area.coordinates[0]",
            "ring_not_closed",
        ),
        ({"type": "Point", "coordinates": [0, 0]}, "area", "area_invalid"),
    ],
)
def test_bad_areas_name_the_field(raw: dict[str, Any], field: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        areas.parse_area(raw)
    assert (refused.value.problems[0].field, refused.value.problems[0].code) == (field, code)


def test_circle_cover_marks_only_wholly_inside_cells_inside() -> None:
    area = areas.parse_area({"circle": {"lat": 3.139, "lon": 101.687, "radius_km": 5}})
    cover = areas.cover(area)
    inside = [c for c, whole in cover.cells.items() if whole]
    border = [c for c, whole in cover.cells.items() if not whole]
    assert inside and border
    import h3

    for cell in inside:
        for lat, lon in h3.cell_to_boundary(cell):
            assert areas.contains(area, lat, lon)
