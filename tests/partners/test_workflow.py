"""The partner's actions follow the delegation workflow's transition table."""

from __future__ import annotations

import pytest

from peduli.partners import workflow
from peduli.partners.models import DelegationStatus


@pytest.mark.parametrize(
    ("status", "answer", "finish", "resume", "escalate"),
    [
        (DelegationStatus.SENT, True, False, False, True),
        (DelegationStatus.ACCEPTED, False, True, False, True),
        (DelegationStatus.ESCALATED, False, True, True, False),
        (DelegationStatus.DECLINED, False, False, False, False),
        (DelegationStatus.DONE, False, False, False, False),
        (DelegationStatus.REVOKED, False, False, False, False),
    ],
)
def test_the_case_page_offers_what_the_workflow_allows(
    status: DelegationStatus, answer: bool, finish: bool, resume: bool, escalate: bool
) -> None:
    actions = workflow.partner_actions(status)
    assert (actions.answer, actions.finish, actions.resume, actions.escalate) == (
        answer,
        finish,
        resume,
        escalate,
    )
