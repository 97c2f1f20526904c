"""Who may vote on election day, the voting method the rule proposes, and when a list may
be fixed."""

from __future__ import annotations

from datetime import date

from peduli.elections.models import Method
from peduli.elections.workflow import Action, State, allowed_actions, eligible, proposed_method

DAY = date(2029, 2, 14)


def may_vote(born: date, **facts: bool | None) -> bool:
    values: dict[str, bool | None] = {"ever_married": None, "armed_forces_active": False,
                                      "right_removed": False, **facts}  # fmt: skip
    return eligible(born=born, election_day=DAY, **values)  # type: ignore[arg-type]


def test_seventeen_on_election_day_votes_a_day_younger_does_not() -> None:
    assert may_vote(date(2012, 2, 14))
    assert not may_vote(date(2012, 2, 15))


def test_a_married_or_once_married_sixteen_year_old_votes() -> None:
    assert may_vote(date(2012, 6, 1), ever_married=True)
    assert not may_vote(date(2012, 6, 1), ever_married=False)


def test_active_armed_forces_or_police_and_a_courts_removal_exclude() -> None:
    assert not may_vote(date(1990, 1, 1), armed_forces_active=True)
    assert not may_vote(date(1990, 1, 1), right_removed=True)
    assert may_vote(date(1990, 1, 1))


def test_born_on_29_february() -> None:
    leap_day = date(2028, 2, 29)
    assert eligible(born=date(2011, 2, 28), election_day=leap_day, ever_married=None,
                    armed_forces_active=False, right_removed=False)  # fmt: skip
    assert not eligible(born=date(2011, 3, 1), election_day=leap_day, ever_married=None,
                        armed_forces_active=False, right_removed=False)  # fmt: skip


def test_the_proposed_method() -> None:
    assert (
        proposed_method(sector="manufacturing", distance_km=5, abroad_of_seat=False) == Method.TPSLN
    )
    assert proposed_method(sector="plantation", distance_km=5, abroad_of_seat=False) == Method.KSK
    assert (
        proposed_method(sector="fishing_crew", distance_km=None, abroad_of_seat=False) == Method.KSK
    )
    assert (
        proposed_method(sector="domestic_work", distance_km=80, abroad_of_seat=False) == Method.KSK
    )
    assert (
        proposed_method(sector="domestic_work", distance_km=10, abroad_of_seat=False)
        == Method.TPSLN
    )
    assert (
        proposed_method(sector="office_professional", distance_km=400, abroad_of_seat=False)
        == Method.POS
    )
    assert proposed_method(sector=None, distance_km=None, abroad_of_seat=True) == Method.POS


def test_a_list_is_fixed_only_once_checked_and_without_blocking_problems() -> None:
    assert Action.FIX not in allowed_actions(State.DRAFT, blocking_open=0)
    assert Action.FIX not in allowed_actions(State.CHECKED, blocking_open=2)
    assert Action.FIX in allowed_actions(State.CHECKED, blocking_open=0)
    assert allowed_actions(State.FIXED, blocking_open=0) == []
