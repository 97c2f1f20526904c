"""A crisis is activated from a draft only, and closed from a draft or while active."""

from __future__ import annotations

from peduli.crisis.models import CrisisStatus
from peduli.crisis.workflow import may_become


def test_a_crisis_is_activated_from_a_draft_and_closed_from_a_draft_or_while_active() -> None:
    draft, active, closed = CrisisStatus.DRAFT, CrisisStatus.ACTIVE, CrisisStatus.CLOSED
    assert may_become(draft, active) and may_become(draft, closed) and may_become(active, closed)
    assert not may_become(active, active) and not may_become(closed, active)
    assert not may_become(closed, closed) and not may_become(active, draft)
    assert may_become("draft", active), "the column holds the plain value"
