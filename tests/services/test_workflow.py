"""The application workflow: only the table's transitions happen, decisions by officers and
the resubmission by the applicant, issue waits for an online payment, clocks by colour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from peduli.services import workflow
from peduli.services.workflow import Action, Payment, State

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@given(st.lists(st.sampled_from(list(Action)), max_size=30), st.sampled_from(list(Payment)))
def test_any_sequence_of_actions_follows_the_table(actions: list[Action], payment: Payment) -> None:
    state = State.SUBMITTED
    for action in actions:
        allowed = action in workflow.allowed_actions(
            state, payment, by_applicant=action in workflow.APPLICANT_ACTIONS
        )
        target = workflow.next_state(state, action)
        assert allowed == (target is not None and workflow.payment_allows(action, payment))
        if allowed and target is not None:
            assert (state, action) in workflow.TRANSITIONS
            state = target
        if state in workflow.FINAL_STATES:
            assert workflow.allowed_actions(state, payment, by_applicant=False) == []
            assert workflow.allowed_actions(state, payment, by_applicant=True) == []


@given(st.sampled_from(list(State)), st.sampled_from(list(Payment)))
def test_officers_and_applicants_never_share_an_action(state: State, payment: Payment) -> None:
    officer = set(workflow.allowed_actions(state, payment, by_applicant=False))
    applicant = set(workflow.allowed_actions(state, payment, by_applicant=True))
    assert not officer & applicant
    assert applicant <= workflow.APPLICANT_ACTIONS


def test_issue_waits_for_an_online_payment_but_not_for_the_counter() -> None:
    assert Action.ISSUE not in workflow.allowed_actions(
        State.APPROVED, Payment.AWAITING, by_applicant=False
    )
    for payment in (Payment.PAID, Payment.AT_COUNTER, Payment.NOT_DUE):
        assert workflow.allowed_actions(State.APPROVED, payment, by_applicant=False) == [
            Action.ISSUE
        ]


def test_every_state_is_reachable_from_submission() -> None:
    seen, frontier = {State.SUBMITTED}, [State.SUBMITTED]
    while frontier:
        state = frontier.pop()
        for (source, _action), target in workflow.TRANSITIONS.items():
            if source == state and target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(State)


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_the_clock_is_red_once_due_amber_within_a_day_green_before(minutes: int) -> None:
    due = NOW + timedelta(minutes=minutes)
    colour = workflow.sla_colour("submitted", due, NOW)
    expected = "red" if minutes <= 0 else "amber" if minutes <= 24 * 60 else "green"
    assert colour == expected
    assert workflow.sla_colour("documents_requested", due, NOW) is None
    assert workflow.sla_colour("handed_over", due, NOW) is None
