"""The case taxonomy, shipped as data (``cases/data/taxonomy.json``, sources cited there).

Each category has a default priority, SLA hours for the first response and for resolution,
and whether the resolution clock pauses while the case waits on someone else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from peduli.cases.models import Priority

DATA_PACKAGE = "peduli.cases.data"


@dataclass(frozen=True)
class Subcategory:
    code: str
    labels: dict[str, str]


@dataclass(frozen=True)
class Category:
    """One kind of protection case and its service levels."""

    code: str
    priority: Priority
    first_response_hours: int
    resolution_hours: int
    pause_while_waiting: bool
    labels: dict[str, str]
    subcategories: tuple[Subcategory, ...]

    def label(self, locale: str) -> str:
        """The category's name in ``locale`` (English when missing)."""
        return self.labels.get(locale) or self.labels["en"]

    @property
    def subcategory_codes(self) -> tuple[str, ...]:
        return tuple(sub.code for sub in self.subcategories)


@dataclass(frozen=True)
class Taxonomy:
    categories: dict[str, Category]
    source: dict[str, Any]

    def get(self, code: str) -> Category | None:
        return self.categories.get(code)

    @property
    def codes(self) -> list[str]:
        return list(self.categories)


def _parse(item: dict[str, Any]) -> Category:
    return Category(
        code=item["code"],
        priority=Priority(item["priority"]),
        first_response_hours=int(item["first_response_hours"]),
        resolution_hours=int(item["resolution_hours"]),
        pause_while_waiting=bool(item["pause_while_waiting"]),
        labels=dict(item["labels"]),
        subcategories=tuple(
            Subcategory(code=sub["code"], labels=dict(sub["labels"]))
            for sub in item.get("subcategories", [])
        ),
    )


@cache
def load() -> Taxonomy:
    """The shipped taxonomy, parsed once per process."""
    raw = resources.files(DATA_PACKAGE).joinpath("taxonomy.json").read_text("utf-8")
    document = json.loads(raw)
    categories = {c.code: c for c in (_parse(item) for item in document["categories"])}
    return Taxonomy(categories=categories, source=document.get("source", {}))
