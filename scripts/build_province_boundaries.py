"""Convert Natural Earth province boundaries into the compact file
``src/peduli/reference/data/province_boundaries.json.gz`` drawn on the crisis declare map.

Run once when the boundaries should be refreshed (the output is committed):

    apt-get download qgis-common && dpkg -x qgis-common_*.deb /tmp/qgis
    .venv/bin/python scripts/build_province_boundaries.py \\
        /tmp/qgis/usr/share/qgis/resources/data/world_map.gpkg

Source: the ``states_provinces`` layer of QGIS's ``world_map.gpkg`` (Debian package
qgis-common 3.22.16+dfsg-1): Natural Earth 1:10m Admin 1 - States, Provinces v4.1.0,
generalised by the QGIS project (its README_world_map.md). Natural Earth is in the public
domain. That layer keeps each feature's country (``iso_a2``) and names (``name``,
``gn_name``, ``woe_name``, ``woe_label``) but not Natural Earth's ``iso_3166_2`` column, so
each feature gets its ISO 3166-2 code here, by name, from the names pycountry ships in many
languages (``reference.place_names``), the aliases of the representations file, and
``NAMED_HERE`` below. A feature whose name names no subdivision is left out rather than
guessed. Features are then merged into the provinces the declare page offers
(``countries.subdivision_choices``): French départements into regions, English counties
into England, Philippine provinces into regions.
"""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import shapely
from shapely.ops import unary_union

from peduli.reference import countries, place_names, places
from peduli.reference.gazetteer import place_key

OUTPUT = (
    Path(__file__).resolve().parents[1] / "src/peduli/reference/data/province_boundaries.json.gz"
)
# About 1 km and 100 m: enough to click a province on a map, and ~2.5 MB gzipped for the world.
SIMPLIFY = 0.01
GRID = 0.001
# Natural Earth names that no form pycountry ships matches, checked by hand against ISO 3166-2.
NAMED_HERE = {
    ("SA", "Makkah"): "SA-02",
    ("SA", "Al Madinah"): "SA-03",
    ("SA", "Jizan"): "SA-09",
    ("KR", "Gangwon"): "KR-42",
    ("JO", "Amman"): "JO-AM",
    ("TH", "Bangkok Metropolis"): "TH-10",
    ("QA", "Al Daayen"): "QA-ZA",
    ("QA", "Al Khawr"): "QA-KH",
    ("QA", "Madinat ach Shamal"): "QA-MS",
    ("US", "Washington"): "US-WA",  # not the District of Columbia, also called Washington
    ("TW", "Taipei City"): "TW-TPE",
    ("TW", "Kaohsiung City"): "TW-KHH",
    ("TW", "New Taipei City"): "TW-NWT",
    ("TW", "Hsinchu City"): "TW-HSZ",
    ("TW", "Hsinchu"): "TW-HSQ",
    ("TW", "Chiayi City"): "TW-CYI",
    ("TW", "Chiayi"): "TW-CYQ",
    ("NZ", "Manawatu-Wanganui"): "NZ-MWT",
    ("NZ", "Wellington"): "NZ-WGN",
    ("NL", "Friesland"): "NL-FR",
    ("IN", "Daman and Diu"): "IN-DH",
    ("IN", "Dadra and Nagar Haveli"): "IN-DH",
    ("PK", "Northern Areas"): "PK-GB",
    ("PK", "Azad Kashmir"): "PK-JK",
}
# Administrative words around a name in GeoNames' and Yahoo's forms ("Wojewodztwo
# Malopolskie", "Mintaqat Tabuk", "Vaesterbottens Laen", "Kherson Oblast").
_ADMIN_WORDS = re.compile(
    r"^(wojewodztwo|provinsi|provincia de|provincia|province of|mintaqat|al mintaqah|"
    r"muhafazat|state of|estado de|departamento de|region de|wilayat|daerah|negeri)\s+"
    r"|\s+(oblast|laen|lan|kraj|county|province|region|governorate|district|voivodeship|"
    r"prefecture|state|department|municipality)$"
)


def gpkg_geometry(blob: bytes) -> Any:
    """A shapely geometry from a GeoPackage blob: an envelope-sized header, then WKB."""
    flags = blob[3]
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(flags >> 1) & 0b111]
    return shapely.make_valid(shapely.from_wkb(blob[8 + envelope :]))


def keys(name: str | None) -> set[str]:
    """The comparison keys of a Natural Earth name, with and without administrative words."""
    if not name:
        return set()
    # "Khersons'ka Oblast'" is pycountry's "Khersonska oblast"; "Jönköpings län [SE-06]" its own.
    found = {place_key(name), place_key(re.sub(r"['`’ʼ]|\[[^]]*\]", "", name))}
    for _ in range(2):
        found |= {_ADMIN_WORDS.sub("", key).strip() for key in found}
    # GeoNames writes German and Scandinavian letters as two ("Vaestra Goetalands").
    found |= {k.replace("ae", "a").replace("oe", "o").replace("ue", "u") for k in found}
    found |= {form for key in list(found) for form in place_names.name_forms(key)}
    return {k for k in found if k}


def name_index(alpha2: str, aliases: dict[str, str]) -> dict[str, set[str]]:
    """Every key of every subdivision name and alias of a country → the provinces the page
    offers that it may name ("Maluku" names the province and the island group holding it)."""
    offered = {code for code, _name in countries.subdivision_choices(alpha2, "en")}
    named = [
        *((s.name, s.code) for s in countries.subdivisions(alpha2)),
        *place_names.subdivision_names(alpha2).items(),
        *aliases.items(),
    ]
    index: dict[str, set[str]] = defaultdict(set)
    for name, code in named:
        lineage = countries.subdivision_lineage(alpha2, code)
        target = next((c for c in lineage if c in offered), None)
        for key in keys(name) if target else ():
            index[key].add(target)
    return index


def offered_province(
    alpha2: str, names: list[str | None], index: dict[str, set[str]]
) -> str | None:
    """The one offered province the feature's names agree on, or None (unknown or ambiguous)."""
    if (alpha2, names[0]) in NAMED_HERE:
        return NAMED_HERE[(alpha2, names[0])]
    found = set()
    for name in names:
        for key in keys(name):
            if len(index.get(key, ())) == 1:
                found |= index[key]
    return found.pop() if len(found) == 1 else None


def main(gpkg: str) -> None:
    """Write the province boundary file from QGIS's world_map.gpkg."""
    aliases = places.directory().source_aliases
    rows = sqlite3.connect(gpkg).execute(
        "SELECT iso_a2, name, gn_name, woe_name, woe_label, geom FROM states_provinces"
    )
    parts: dict[tuple[str, str], list[Any]] = defaultdict(list)
    indexes: dict[str, dict[str, set[str]]] = {}
    left_out = 0
    for alpha2, name, gn_name, woe_name, woe_label, blob in rows:
        if not countries.subdivisions(alpha2 or ""):
            continue
        if alpha2 not in indexes:
            indexes[alpha2] = name_index(alpha2, aliases.get(alpha2, {}))
        label = (woe_label or "").split(",")[0]
        target = offered_province(alpha2, [name, gn_name, woe_name, label], indexes[alpha2])
        if target is None:
            left_out += 1
            continue
        parts[(alpha2, target)].append(gpkg_geometry(blob))
    by_country: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (alpha2, code), geometries in sorted(parts.items()):
        merged = shapely.simplify(unary_union(geometries), SIMPLIFY, preserve_topology=True)
        shape = shapely.set_precision(merged, GRID)
        if shape.is_empty:
            continue
        by_country[alpha2].append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"country": alpha2, "name": countries.subdivision_name(code, "en")},
                "geometry": json.loads(shapely.to_geojson(shape)),
            }
        )
    document = {
        "source": "Natural Earth 1:10m Admin 1 - States, Provinces v4.1.0, as generalised in "
        "QGIS's world_map.gpkg (Debian qgis-common 3.22.16+dfsg-1), converted by "
        "scripts/build_province_boundaries.py",
        "licence": "Natural Earth: public domain",
        "format": "alpha-2 -> GeoJSON features (id: ISO 3166-2 code), lon/lat degrees",
        "countries": dict(sorted(by_country.items())),
    }
    OUTPUT.write_bytes(gzip.compress(json.dumps(document, separators=(",", ":")).encode(), mtime=0))
    count = sum(len(f) for f in by_country.values())
    print(f"{count} provinces of {len(by_country)} countries written to {OUTPUT}")
    print(f"({OUTPUT.stat().st_size} bytes; {left_out} features named no offered province)")


if __name__ == "__main__":
    main(sys.argv[1])
