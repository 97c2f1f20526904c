"""An application's states, the decisions that move it, and its SLA clock.

submitted → approved → issued → handed_over, with two side roads: an officer may ask for
more documents (documents_requested, until the applicant sends them: submitted again, with
a fresh SLA) and may refuse with a reason (refused). The pages and the API ask
``allowed_actions`` what a caller may do now instead of restating the table.

The clock: an application is due at the end of its last working day (``calendar``); the
queue shows it red once overdue, amber in its last day, green before.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement

from peduli.services.models import OPEN, ServiceApplication


class State(StrEnum):
    SUBMITTED = "submitted"
    DOCUMENTS_REQUESTED = "documents_requested"
    APPROVED = "approved"
    REFUSED = "refused"
    ISSUED = "issued"
    HANDED_OVER = "handed_over"


class Action(StrEnum):
    REQUEST_DOCUMENTS = "request_documents"
    RESUBMIT = "resubmit"  # the applicant sent what was asked
    APPROVE = "approve"
    REFUSE = "refuse"
    ISSUE = "issue"
    HAND_OVER = "hand_over"


class Payment(StrEnum):
    NOT_DUE = "not_due"  # a free service
    AWAITING = "awaiting"  # a virtual account waits for the transfer
    AT_COUNTER = "at_counter"  # paid when the document is handed over
    PAID = "paid"


TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.SUBMITTED, Action.REQUEST_DOCUMENTS): State.DOCUMENTS_REQUESTED,
    (State.SUBMITTED, Action.APPROVE): State.APPROVED,
    (State.SUBMITTED, Action.REFUSE): State.REFUSED,
    (State.DOCUMENTS_REQUESTED, Action.RESUBMIT): State.SUBMITTED,
    (State.DOCUMENTS_REQUESTED, Action.REFUSE): State.REFUSED,
    (State.APPROVED, Action.ISSUE): State.ISSUED,
    (State.ISSUED, Action.HAND_OVER): State.HANDED_OVER,
}
# Taken by the applicant; every other action is an officer's decision.
APPLICANT_ACTIONS = frozenset({Action.RESUBMIT})
# An officer must say why.
NEEDS_REASON = frozenset({Action.REQUEST_DOCUMENTS, Action.REFUSE})
# The states whose clock runs (the post owes the next step), and the finished ones.
CLOCK_RUNNING = (State.SUBMITTED.value, State.APPROVED.value)
OPEN_STATES = (
    State.SUBMITTED.value,
    State.DOCUMENTS_REQUESTED.value,
    State.APPROVED.value,
    State.ISSUED.value,
)
FINAL_STATES = frozenset({State.REFUSED, State.HANDED_OVER})
assert "(" + ", ".join(f"'{s}'" for s in OPEN_STATES) + ")" == OPEN, "the queue's index"
AMBER_WINDOW = timedelta(hours=24)


def next_state(state: State, action: Action) -> State | None:
    """Where ``action`` takes an application in ``state``; None when it is not allowed."""
    return TRANSITIONS.get((state, action))


def payment_allows(action: Action, payment: Payment) -> bool:
    """An online payment must arrive before the document is issued; the counter pays at
    hand-over."""
    return action != Action.ISSUE or payment != Payment.AWAITING


def allowed_actions(state: State, payment: Payment, *, by_applicant: bool) -> list[Action]:
    """What the applicant (or an officer) may do now, in the table's order."""
    return [
        action
        for (source, action) in TRANSITIONS
        if source == state
        and (action in APPLICANT_ACTIONS) == by_applicant
        and payment_allows(action, payment)
    ]


def sla_colour(state: str, due_at: datetime, now: datetime) -> str | None:
    """red (overdue), amber (due within a day) or green; None once the clock stopped."""
    if state not in CLOCK_RUNNING:
        return None
    if due_at <= now:
        return "red"
    return "amber" if due_at - now <= AMBER_WINDOW else "green"


def overdue(now: datetime) -> ColumnElement[bool]:
    """The applications whose clock ran out, as a WHERE clause (the escalation job)."""
    return ServiceApplication.state.in_(CLOCK_RUNNING) & (ServiceApplication.due_at <= now)
