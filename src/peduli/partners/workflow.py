"""The status workflows of referrals and delegations, and their deadlines.

Every status change, whoever makes it, goes through ``change_status``: one table of allowed
transitions per party, and the same record of the change (the row, a timeline event, the
audit), so the three workflows cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.cases.models import Case
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, PeduliError, ValidationFailed
from peduli.core.i18n import _
from peduli.partners import events
from peduli.partners.models import Delegation, DelegationStatus, Referral, ReferralStatus

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
# What the representation may do with a delegation: revoke it while it is open.
REVOCATIONS: dict[DelegationStatus, frozenset[DelegationStatus]] = {
    status: frozenset({DelegationStatus.REVOKED}) if status in REVOCABLE else frozenset()
    for status in DelegationStatus
}


@dataclass(frozen=True)
class PartnerActions:
    """What a partner may do with its delegation now (the buttons its case page shows)."""

    answer: bool  # accept or decline a new delegation
    finish: bool  # report the task done
    resume: bool  # take the task up again once the representation answered an escalation
    escalate: bool  # hand the case back to the representation


def partner_actions(status: DelegationStatus) -> PartnerActions:
    """The partner's actions allowed from ``status``, read from ``PARTNER_TRANSITIONS``."""
    allowed = PARTNER_TRANSITIONS[status]
    return PartnerActions(
        answer=DelegationStatus.DECLINED in allowed,
        finish=DelegationStatus.DONE in allowed,
        resume=DelegationStatus.ACCEPTED in allowed and DelegationStatus.DECLINED not in allowed,
        escalate=DelegationStatus.ESCALATED in allowed,
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


S = TypeVar("S", bound=StrEnum)


def change_status(
    session: Session,
    case: Case,
    row: Referral | Delegation,
    *,
    transitions: Mapping[S, Collection[S]],
    target: S,
    note: str | None,
    actor: Actor,
    action: str,
    reason: str | None = None,
    event_data: Mapping[str, Any] | None = None,
) -> S:
    """Move a referral or delegation to ``target`` if ``transitions`` allow it from where it
    is, and record the change on the case timeline and in the audit. Returns the old status.

    A delegation's event is linked to it, so the partner sees its own status history."""
    current = type(target)(row.status)
    allowed = transitions[current]
    if target not in allowed:
        raise StatusNotAllowed(current, target, allowed)
    row.status = target.value
    row.status_note = note or None
    row.status_changed_at = utcnow()
    session.flush()
    is_delegation = isinstance(row, Delegation)
    id_key = "delegation_id" if is_delegation else "referral_id"
    events.add(
        session,
        case,
        kind=events.DELEGATION if is_delegation else events.REFERRAL,
        actor=actor,
        text=note,
        data={id_key: row.id, **(event_data or {}), "from": current.value, "status": row.status},
        delegation_id=row.id if is_delegation else None,
    )
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type="case_delegation" if is_delegation else "case_referral",
        entity_id=str(row.id),
        fields=["status"],
        reason=reason,
        ip=actor.ip,
    )
    return current


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
