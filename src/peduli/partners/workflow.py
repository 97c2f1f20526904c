"""The status workflows of referrals and delegations, and their deadlines."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from peduli.cases.models import Case
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, PeduliError, ValidationFailed
from peduli.core.i18n import _
from peduli.partners.models import DelegationStatus, ReferralStatus

CRITICAL_DEADLINE = timedelta(days=1)
MAX_DEADLINE = timedelta(days=366)

# The officer records what the agency answered.
REFERRAL_TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.SENT: frozenset(
        {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.DONE}
    ),
    ReferralStatus.ACCEPTED: frozenset({ReferralStatus.DONE, ReferralStatus.DECLINED}),
    ReferralStatus.DECLINED: frozenset(),
    ReferralStatus.DONE: frozenset(),
}

# What the partner may do with a delegation; the representation may revoke any open one.
PARTNER_TRANSITIONS: dict[DelegationStatus, frozenset[DelegationStatus]] = {
    DelegationStatus.SENT: frozenset(
        {DelegationStatus.ACCEPTED, DelegationStatus.DECLINED, DelegationStatus.ESCALATED}
    ),
    DelegationStatus.ACCEPTED: frozenset({DelegationStatus.DONE, DelegationStatus.ESCALATED}),
    # After the representation answered an escalation, the partner resumes or finishes.
    DelegationStatus.ESCALATED: frozenset({DelegationStatus.ACCEPTED, DelegationStatus.DONE}),
    DelegationStatus.DECLINED: frozenset(),
    DelegationStatus.DONE: frozenset(),
    DelegationStatus.REVOKED: frozenset(),
}
REVOCABLE = frozenset(
    {DelegationStatus.SENT, DelegationStatus.ACCEPTED, DelegationStatus.ESCALATED}
)


class StatusNotAllowed(PeduliError):
    """A status change the referral or delegation workflow does not allow."""

    def __init__(self, current: str, target: str, allowed: Collection[str]) -> None:
        names = ", ".join(sorted(allowed)) or "-"
        detail = _(
            "The status cannot change from '{current}' to '{target}'. From '{current}' it "
            "can become: {allowed}."
        ).format(current=str(current), target=str(target), allowed=names)
        super().__init__(
            detail=detail,
            status=409,
            title=_("Status change not allowed"),
            code="invalid_transition",
            problems=[FieldProblem("status", "invalid_transition", detail)],
        )


def deadline(case: Case, requested: datetime | None, default: timedelta) -> datetime:
    """The deadline given (in the future, within a year), or the default for the case."""
    now = utcnow()
    if requested is None:
        return now + (CRITICAL_DEADLINE if case.priority == "critical" else default)
    if requested.tzinfo is None:
        raise ValidationFailed(
            [
                FieldProblem(
                    "due_at",
                    "timezone_required",
                    _("Give the deadline with its time zone."),
                    _("For example 2026-12-01T17:00:00+09:00."),
                )
            ]
        )
    if not now < requested <= now + MAX_DEADLINE:
        raise ValidationFailed(
            [
                FieldProblem(
                    "due_at",
                    "deadline_out_of_range",
                    _("The deadline must be in the future and within a year."),
                    _("Leave it out for the default."),
                )
            ]
        )
    return requested
