"""Triage: a case's priority from rules; an officer may override it with a reason."""

from __future__ import annotations

from dataclasses import dataclass

from peduli.cases.models import Priority
from peduli.cases.taxonomy import Category

# Categories that are always critical whatever the file says: life or liberty at stake now.
CRITICAL_CATEGORIES = frozenset({"trafficking", "hostage"})


@dataclass(frozen=True)
class Triage:
    priority: Priority
    rule: str  # which rule decided, for the timeline


def triage(category: Category, *, death_penalty: bool, danger_to_life: bool) -> Triage:
    """Death penalty, hostage-taking, trafficking or danger to life → critical; else the default."""
    if death_penalty:
        return Triage(Priority.CRITICAL, "death_penalty")
    if danger_to_life:
        return Triage(Priority.CRITICAL, "danger_to_life")
    if category.code in CRITICAL_CATEGORIES:
        return Triage(Priority.CRITICAL, f"category:{category.code}")
    return Triage(category.priority, "category_default")
