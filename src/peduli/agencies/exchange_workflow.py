"""The bilateral exchange's message kinds: what an officer may ask a partner state, what
the partner may answer to each request, and which answers settle it (the verification's
clocks are in ``workflow``)."""

from __future__ import annotations

from enum import StrEnum


class RequestKind(StrEnum):
    """What an officer may send a partner state from a case."""

    WORKER_STATUS = "worker_status_request"  # where is the worker, is the placement in order
    CONSULAR_ACCESS = "consular_access_request"  # visit a detained citizen
    REPATRIATION = "repatriation_request"  # exit clearance and passage home


class AnswerKind(StrEnum):
    """What a partner state may send back, always in reply to one of our requests."""

    ACKNOWLEDGEMENT = "acknowledgement"
    WORKER_STATUS_REPORT = "worker_status_report"
    CONSULAR_ACCESS_GRANTED = "consular_access_granted"
    CONSULAR_ACCESS_REFUSED = "consular_access_refused"
    REPATRIATION_CLEARED = "repatriation_cleared"
    REPATRIATION_REFUSED = "repatriation_refused"


A = AnswerKind
# The answers that settle each request; an acknowledgement is allowed for every request and
# settles none.
SETTLING_ANSWERS: dict[RequestKind, frozenset[AnswerKind]] = {
    RequestKind.WORKER_STATUS: frozenset({A.WORKER_STATUS_REPORT}),
    RequestKind.CONSULAR_ACCESS: frozenset({A.CONSULAR_ACCESS_GRANTED, A.CONSULAR_ACCESS_REFUSED}),
    RequestKind.REPATRIATION: frozenset({A.REPATRIATION_CLEARED, A.REPATRIATION_REFUSED}),
}


def may_answer(request: str, answer: str) -> bool:
    """Whether ``answer`` is a reply a partner may give to a request of kind ``request``."""
    try:
        kind = RequestKind(request)
    except ValueError:
        return False
    return answer == AnswerKind.ACKNOWLEDGEMENT or answer in SETTLING_ANSWERS[kind]


def settles(request: str, answer: str) -> bool:
    """Whether ``answer`` closes the request (the officer sees it answered)."""
    return answer != AnswerKind.ACKNOWLEDGEMENT and may_answer(request, answer)
