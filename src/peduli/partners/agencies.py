"""Kinds of agency a case can be referred to, shipped as data (``data/agency_kinds.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class AgencyKind:
    code: str
    names: dict[str, str]

    def name(self, language: str) -> str:
        """The kind's name in ``language`` (English when it has none)."""
        return self.names.get(language) or self.names["en"]


@cache
def agency_kinds() -> tuple[AgencyKind, ...]:
    """Every agency kind, in the file's order."""
    raw = resources.files("peduli.partners.data").joinpath("agency_kinds.json").read_text("utf-8")
    return tuple(
        AgencyKind(code=k["code"], names=dict(k["names"])) for k in json.loads(raw)["kinds"]
    )


def codes() -> tuple[str, ...]:
    return tuple(kind.code for kind in agency_kinds())


def get(code: str) -> AgencyKind | None:
    return next((kind for kind in agency_kinds() if kind.code == code), None)
