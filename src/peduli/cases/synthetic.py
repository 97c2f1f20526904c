"""Synthetic protection cases for a seeded population (``peduli seed``), as rows to bulk-load.

Built to measure the officers' queues at national size, so they look like a real caseload:
categories in the proportions of the ministry's work (labour and job-offer fraud first),
priorities from the triage rules, statuses by age (old cases mostly resolved or closed),
SLA clocks from the taxonomy and ``workflow.next_deadline``, and references numbered per post
and year after the ones in use. Cases land where their person's stay is, so the largest post
has the largest queue. An open case already past its deadline counts as escalated, or a
worker started on the seeded database would alert every supervisor at once. Resolved cases
are added to the outcome aggregates, so the national figures stay exact.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from peduli.cases import references, stats, taxonomy, triage, workflow
from peduli.cases.models import PRIORITY_RANK, CaseStatus, IntakeChannel, WaitingOn

Row = tuple[Any, ...]
CASE_COLUMNS = (
    "id", "created_at", "updated_at", "reference", "representation_code", "category",
    "subcategory", "summary", "priority", "priority_rank", "death_penalty", "danger_to_life",
    "status", "waiting_on", "intake_channel", "first_response_due_at", "first_responded_at",
    "resolution_due_at", "paused_since", "paused_seconds", "sla_due_at", "escalated_at",
    "resolved_at", "closed_at",
)  # fmt: skip
CASE_PERSON_COLUMNS = ("id", "case_id", "person_id", "role", "added_at")
# Shares of the caseload (the seeds: job-offer fraud is the most common problem reported to
# partners; labour disputes and immigration dominate the posts' files).
CATEGORY_SHARE = {
    "labour": 26, "job_fraud": 20, "immigration": 14, "illness_death": 9, "online_scam": 8,
    "detention": 7, "family_civil": 6, "ship_crew": 4, "trafficking": 3,
    "disaster_conflict": 2, "hostage": 1,
}  # fmt: skip
CHANNEL_SHARE = {
    IntakeChannel.CITIZEN_REQUEST: 35, IntakeChannel.WALK_IN: 20, IntakeChannel.PHONE: 20,
    IntakeChannel.PARTNER: 12, IntakeChannel.EMERGENCY: 8, IntakeChannel.AGENCY_API: 5,
}  # fmt: skip
OPEN_STATUSES = (CaseStatus.TRIAGED, CaseStatus.IN_PROGRESS, CaseStatus.WAITING)
OPEN_SHARE = (20, 55, 25)
MEAN_AGE_HOURS = 24 * 120
OLDEST_HOURS = 24 * 365 * 3


class CaseMaker:
    """Draws cases for seeded people, numbering them on from the references in use."""

    def __init__(self, session: Session, *, seed: int, now: datetime) -> None:
        self._rng = random.Random(f"cases-{seed}")
        self._now = now
        self._taxonomy = taxonomy.load()
        self._categories = [self._taxonomy.categories[code] for code in CATEGORY_SHARE]
        self._numbers = references.last_numbers(session)
        self._resolved: Counter[tuple[str, date, str]] = Counter()

    def case(self, person_id: uuid.UUID, representation_code: str) -> tuple[Row, Row]:
        """One case about ``person_id`` at ``representation_code``, and its person row."""
        rng, now = self._rng, self._now
        category = rng.choices(self._categories, weights=list(CATEGORY_SHARE.values()))[0]
        subcategory = rng.choice(category.subcategories) if category.subcategories else None
        death_penalty = category.code == "detention" and rng.random() < 0.05
        danger = category.code in {"labour", "online_scam"} and rng.random() < 0.04
        decided = triage.triage(category, death_penalty=death_penalty, danger_to_life=danger)
        age = min(rng.expovariate(1 / MEAN_AGE_HOURS), OLDEST_HOURS)
        created = now - timedelta(hours=age)
        first_due = created + timedelta(hours=category.first_response_hours)
        resolution_due = created + timedelta(hours=category.resolution_hours)
        status, responded, resolved, closed, waiting_on, paused = self._progress(
            age, created, category
        )
        due = workflow.next_deadline(
            status=status,
            paused_since=paused,
            first_responded_at=responded,
            first_response_due_at=first_due,
            resolution_due_at=resolution_due,
        )
        escalated = due + timedelta(minutes=5) if due is not None and due < now else None
        if resolved is not None:
            self._resolved[(representation_code, resolved.date(), category.code)] += 1
        year = created.year
        number = self._numbers.get((representation_code, year), 0) + 1
        self._numbers[(representation_code, year)] = number
        summary = category.label("en") + (
            f": {subcategory.labels.get('en', subcategory.code)}" if subcategory else ""
        )
        channel = rng.choices(list(CHANNEL_SHARE), weights=list(CHANNEL_SHARE.values()))[0]
        case_id = uuid.uuid4()
        case = (
            case_id, created, now, references.format_reference(representation_code, year, number),
            representation_code, category.code, subcategory.code if subcategory else None,
            summary, decided.priority.value, PRIORITY_RANK[decided.priority], death_penalty,
            danger, status, waiting_on, channel.value, first_due, responded, resolution_due,
            paused, 0, due, escalated, resolved, closed,
        )  # fmt: skip
        return case, (uuid.uuid4(), case_id, person_id, "subject", created)

    def _progress(
        self, age: float, created: datetime, category: taxonomy.Category
    ) -> tuple[str, datetime | None, datetime | None, datetime | None, str | None, datetime | None]:
        """(status, first responded, resolved, closed, waiting on, paused since) for a case
        opened ``age`` hours ago: the older, the likelier done."""
        rng, now = self._rng, self._now
        if age < 2 * category.first_response_hours and rng.random() < 0.5:
            return CaseStatus.NEW, None, None, None, None, None
        responded = created + timedelta(
            hours=min(age, category.first_response_hours) * rng.random()
        )
        if rng.random() < min(0.97, age / category.resolution_hours):
            took = max(age * 0.05, min(age, category.resolution_hours * rng.uniform(0.1, 1.1)))
            resolved = max(responded, created + timedelta(hours=took))
            closed = resolved + timedelta(days=rng.uniform(1, 14))
            if closed < now and rng.random() < 0.7:
                return CaseStatus.CLOSED, responded, resolved, closed, None, None
            return CaseStatus.RESOLVED, responded, resolved, None, None, None
        status = rng.choices(OPEN_STATUSES, weights=OPEN_SHARE)[0]
        if status != CaseStatus.WAITING:
            return status, responded, None, None, None, None
        waiting_on = rng.choice(list(WaitingOn)).value
        paused = max(responded, now - timedelta(days=rng.uniform(0, 14)))
        return (
            status,
            responded,
            None,
            None,
            waiting_on,
            (paused if category.pause_while_waiting else None),
        )

    def finish(self, session: Session) -> None:
        """Continue the references after the loaded ones; count the resolved cases."""
        references.advance_to(session, self._numbers)
        stats.add_resolved(session, self._resolved)
