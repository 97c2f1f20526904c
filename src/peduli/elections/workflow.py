"""A post's list: its states, what may happen next, and who may vote (the eligibility rule).

draft (generated) → checked (the checks ran) → fixed (no blocking problem open). The
committee may strike entries, resolve problems and change voting methods while the list is
draft or checked; a fixed list is final. The pages and the API ask ``allowed_actions``.

Eligibility (UU 7/2017 art. 198): on election day 17 or older, or younger and married or
previously married; not an active member of the armed forces (TNI) or police (Polri); the
right to vote not removed by a court. ``eligible`` is the rule in Python (tests, the
citizen's answer); ``service.generate`` states the same rule in SQL.

Voting method (``proposed_method``): post (POS) for voters living more than ``POS_KM`` from
the post or in another country than the post's seat; a mobile box (KSK) for workers of
plantations and fishing crews, and for domestic, care and factory workers (who live in
their employer's house or a dormitory) more than ``KSK_KM`` from the post; otherwise the
polling station (TPSLN). The committee may change it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from peduli.elections.models import Method

VOTING_AGE = 17
POS_KM = 300.0
KSK_KM = 30.0
# Where a mobile box goes to the voters: plantations and ships wherever they are.
KSK_SECTORS = ("plantation", "fishing_crew")
# Domestic, care and factory workers live in employers' houses or dormitories: a box visits
# those far from the polling station.
KSK_WHEN_FAR_SECTORS = ("domestic_work", "caregiving", "manufacturing")


class State(StrEnum):
    DRAFT = "draft"
    CHECKED = "checked"
    FIXED = "fixed"


class Action(StrEnum):
    CHECK = "check"
    FIX = "fix"
    ADJUST = "adjust"  # strike an entry, resolve a problem, change a method


TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.DRAFT, Action.CHECK): State.CHECKED,
    (State.DRAFT, Action.ADJUST): State.DRAFT,
    (State.CHECKED, Action.CHECK): State.CHECKED,
    (State.CHECKED, Action.ADJUST): State.CHECKED,
    (State.CHECKED, Action.FIX): State.FIXED,
}


def next_state(state: State, action: Action) -> State | None:
    """Where ``action`` takes a list in ``state``; None when it is not allowed."""
    return TRANSITIONS.get((state, action))


def allowed_actions(state: State, *, blocking_open: int) -> list[Action]:
    """What the committee may do now; fixing waits for every blocking problem resolved."""
    return [
        action
        for (source, action) in TRANSITIONS
        if source == state and not (action == Action.FIX and blocking_open)
    ]


def seventeenth_birthday_by(election_day: date) -> date:
    """The latest birth date of a voter 17 on ``election_day`` (29 February: 28th)."""
    try:
        return election_day.replace(year=election_day.year - VOTING_AGE)
    except ValueError:
        return election_day.replace(year=election_day.year - VOTING_AGE, day=28)


def eligible(
    *,
    born: date,
    election_day: date,
    ever_married: bool | None,
    armed_forces_active: bool,
    right_removed: bool,
) -> bool:
    """Whether a citizen abroad may vote on ``election_day``."""
    of_age = born <= seventeenth_birthday_by(election_day)
    return (of_age or bool(ever_married)) and not armed_forces_active and not right_removed


def proposed_method(
    *, sector: str | None, distance_km: float | None, abroad_of_seat: bool
) -> Method:
    """The voting method the rule proposes (the SQL in ``service`` states the same)."""
    if abroad_of_seat or (distance_km is not None and distance_km > POS_KM):
        return Method.POS
    if sector in KSK_SECTORS:
        return Method.KSK
    if sector in KSK_WHEN_FAR_SECTORS and distance_km is not None and distance_km > KSK_KM:
        return Method.KSK
    return Method.TPSLN
