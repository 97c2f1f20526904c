"""Convert Natural Earth country boundaries from the npm package ``world-atlas`` into the
compact file ``src/peduli/reference/data/country_boundaries.json.gz`` used by
``peduli.reference.geo``.

Run once when the boundaries should be refreshed (the output is committed):

    cd /tmp && npm pack world-atlas && tar xzf world-atlas-*.tgz
    .venv/bin/python scripts/build_country_boundaries.py /tmp/package

Source: world-atlas 2.x (TopoJSON of Natural Earth 4.1.0 Admin 0 countries; ids are
ISO 3166-1 numeric codes). Natural Earth is in the public domain; world-atlas is under the
ISC licence. The 1:50m scale is used, with 1:10m for states too small for 1:50m.
"""

from __future__ import annotations

import base64
import gzip
import json
import sys
from pathlib import Path
from typing import Any

import pycountry
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.ops import unary_union

OUTPUT = (
    Path(__file__).resolve().parents[1] / "src/peduli/reference/data/country_boundaries.json.gz"
)
# Features without an ISO id that belong (for a tolerance check, not a political claim)
# to the territory of a coded state.
UNCODED_TO_ALPHA2 = {
    "Somaliland": ["SO"],
    "N. Cyprus": ["CY"],
    "Kosovo": ["RS"],
    "Siachen Glacier": ["IN", "PK"],
    "Indian Ocean Ter.": ["CC", "CX"],
}
# Both far below the ~25 km tolerance used at run time; they keep the file small and checks fast.
GRID = 1e-4  # ~11 m
SIMPLIFY = 0.01  # ~1 km


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Turn quantized, delta-encoded TopoJSON arcs into absolute lon/lat positions."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Stitch arcs (a negative index ~i means arc i reversed) into one closed ring."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def geometry(feature: dict[str, Any], arcs: list[list[tuple[float, float]]]) -> Any:
    """Build a valid shapely (multi)polygon from one TopoJSON geometry."""
    if feature["type"] == "Polygon":
        polygons = [feature["arcs"]]
    elif feature["type"] == "MultiPolygon":
        polygons = feature["arcs"]
    else:
        raise ValueError(f"unexpected geometry type {feature['type']}")
    parts = []
    for rings in polygons:
        # Quantization collapses a few islets of the 1:10m file to fewer than 4 points.
        shell, *holes = (ring(r, arcs) for r in rings)
        if len(shell) >= 4:
            parts.append(Polygon(shell, [h for h in holes if len(h) >= 4]))
    return shapely.make_valid(MultiPolygon(parts))


def features_by_alpha2(path: Path) -> dict[str, list[Any]]:
    """Map every alpha-2 code to the geometries that file holds for it."""
    topology = json.loads(path.read_text())
    arcs = decode_arcs(topology)
    by_numeric = {c.numeric: c.alpha_2 for c in pycountry.countries}
    out: dict[str, list[Any]] = {}
    for feature in topology["objects"]["countries"]["geometries"]:
        if feature["type"] not in ("Polygon", "MultiPolygon"):
            continue
        codes = (
            [by_numeric[feature["id"]]]
            if feature.get("id") in by_numeric
            else UNCODED_TO_ALPHA2.get(feature["properties"]["name"], [])
        )
        for code in codes:
            out.setdefault(code, []).append(geometry(feature, arcs))
    return out


def main(package_dir: str) -> None:
    """Write the compact boundary file from an unpacked world-atlas package."""
    base = Path(package_dir)
    medium = features_by_alpha2(base / "countries-50m.json")
    large = features_by_alpha2(base / "countries-10m.json")
    for code, geoms in large.items():
        medium.setdefault(code, geoms)
    countries = {}
    for code in sorted(medium):
        simple = shapely.simplify(unary_union(medium[code]), SIMPLIFY, preserve_topology=True)
        merged = shapely.set_precision(simple, GRID)
        countries[code] = base64.b64encode(shapely.to_wkb(merged)).decode("ascii")
    document = {
        "source": "Natural Earth 4.1.0 Admin 0 countries (1:50m; 1:10m for states absent "
        "at 1:50m) via the npm package world-atlas 2.x, converted by "
        "scripts/build_country_boundaries.py",
        "licence": "Natural Earth: public domain; world-atlas: ISC",
        "format": "alpha-2 -> base64 WKB (multi)polygon, lon/lat degrees",
        "countries": countries,
    }
    OUTPUT.write_bytes(gzip.compress(json.dumps(document).encode(), mtime=0))
    print(f"{len(countries)} countries written to {OUTPUT} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "package")
