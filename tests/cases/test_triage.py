"""Triage rules, the officer's override with a reason, and the taxonomy data."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.auth.audit import AuditEntry
from peduli.cases import casework, taxonomy
from peduli.cases.models import CaseEvent, Priority
from peduli.cases.triage import triage
from peduli.core.errors import ValidationFailed
from tests.cases.conftest import open_case

CODES = [
    "labour", "job_fraud", "trafficking", "detention", "hostage", "online_scam", "ship_crew",
    "immigration", "illness_death", "family_civil", "disaster_conflict",
]  # fmt: skip


def test_the_taxonomy_has_every_category_of_the_issue() -> None:
    tax = taxonomy.load()
    assert tax.codes == CODES
    labour = tax.categories["labour"]
    assert labour.subcategory_codes == ("unpaid_wages", "contract_violation", "employer_abuse")
    for category in tax.categories.values():
        assert category.first_response_hours < category.resolution_hours
        assert set(category.labels) == {"en", "id", "zh", "fr"}
    assert tax.source["basis"], "the data cites what it rests on"


@pytest.mark.parametrize("code", CODES)
def test_default_priority_comes_from_the_category(code: str) -> None:
    category = taxonomy.load().categories[code]
    decided = triage(category, death_penalty=False, danger_to_life=False)
    expected = Priority.CRITICAL if code in ("trafficking", "hostage") else category.priority
    assert decided.priority == expected


@pytest.mark.parametrize(
    ("flags", "rule"),
    [({"death_penalty": True}, "death_penalty"), ({"danger_to_life": True}, "danger_to_life")],
)
def test_death_penalty_and_danger_to_life_are_critical(flags: dict[str, bool], rule: str) -> None:
    category = taxonomy.load().categories["family_civil"]
    decided = triage(category, **{"death_penalty": False, "danger_to_life": False, **flags})
    assert (decided.priority, decided.rule) == (Priority.CRITICAL, rule)


def test_an_opened_case_carries_the_rule_that_decided(db: Session, officer: Actor) -> None:
    case = open_case(db, officer, category="detention", death_penalty=True)
    assert case.priority == "critical" and case.priority_rank == 0
    created = db.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).one()
    assert json.loads(created.data)["rule"] == "death_penalty"


def test_an_officer_overrides_with_a_reason(db: Session, officer: Actor) -> None:
    case = open_case(db, officer, category="family_civil")
    assert case.priority == "low"
    reason = "Child at risk of being taken out of the country tonight."
    casework.set_priority(db, case_id=case.id, actor=officer, priority=Priority.HIGH, reason=reason)
    assert (case.priority, case.priority_rank, case.priority_reason) == ("high", 1, reason)
    event = db.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "priority_changed")
    ).one()
    assert event.text == reason
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "case.priority")).one()
    assert entry.reason == reason and entry.entity_id == str(case.id)


def test_an_override_without_a_real_reason_is_refused(db: Session, officer: Actor) -> None:
    case = open_case(db, officer)
    with pytest.raises(ValidationFailed) as refused:
        casework.set_priority(
            db, case_id=case.id, actor=officer, priority=Priority.LOW, reason="because"
        )
    assert refused.value.problems[0].field == "reason"


def test_unknown_category_and_subcategory_are_named(db: Session, officer: Actor) -> None:
    with pytest.raises(ValidationFailed) as refused:
        open_case(db, officer, category="piracy")
    assert refused.value.problems[0].field == "category"
    assert "labour" in refused.value.problems[0].hint
    with pytest.raises(ValidationFailed) as refused:
        open_case(db, officer, category="labour", subcategory="deportation")
    assert refused.value.problems[0].field == "subcategory"
