"""A crisis's states: declared as a draft, activated by a person, closed when it is over."""

from __future__ import annotations

from peduli.crisis.models import CrisisStatus

# Which states a crisis may leave for each state it can be put in.
CRISIS_TRANSITIONS: dict[CrisisStatus, frozenset[CrisisStatus]] = {
    CrisisStatus.ACTIVE: frozenset({CrisisStatus.DRAFT}),
    CrisisStatus.CLOSED: frozenset({CrisisStatus.DRAFT, CrisisStatus.ACTIVE}),
}


def may_become(current: str, wanted: CrisisStatus) -> bool:
    """Whether a crisis that is ``current`` may be set to ``wanted``."""
    return current in CRISIS_TRANSITIONS.get(wanted, frozenset())
