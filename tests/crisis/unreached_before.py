"""The "not yet reached" counts as counted before they read one row per person: every
recipient row of the crisis in the caller's posts grouped by person, silent when one of
them was reminded and none answered. Kept to check that the counts from the counted rows
are the same, and for ``benchmarks.crisis_board`` to time against."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from peduli.auth import policy
from peduli.auth.actor import Actor
from peduli.crisis.models import ReachAttempt, ReachOutcome, Recipient
from peduli.crisis.schemas import ReachCounts


def counts_before(session: Session, *, crisis_id: uuid.UUID, actor: Actor) -> ReachCounts:
    """Not reached (and of them unreachable), reached safe, need help: the old statement."""
    scope = policy.post_scope(actor)
    silent = (
        select(Recipient.person_id)
        .where(Recipient.crisis_id == crisis_id, scope.within(Recipient.representation_code))
        .group_by(Recipient.person_id)
        .having(func.count(Recipient.reminded_at) > 0, func.count(Recipient.answer) == 0)
        .subquery()
    )
    unreachable = select(ReachAttempt.person_id).where(
        ReachAttempt.crisis_id == crisis_id,
        ReachAttempt.outcome == ReachOutcome.UNREACHABLE.value,
    )

    def reached(outcome: ReachOutcome) -> Any:
        return (
            select(func.count(ReachAttempt.person_id.distinct()))
            .where(
                ReachAttempt.crisis_id == crisis_id,
                ReachAttempt.outcome == outcome.value,
                scope.within(ReachAttempt.representation_code),
            )
            .scalar_subquery()
        )

    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((silent.c.person_id.in_(unreachable), 1), else_=0)), 0),
            reached(ReachOutcome.REACHED_SAFE),
            reached(ReachOutcome.NEED_HELP),
        ).select_from(silent)
    ).one()
    return ReachCounts(
        not_reached=row[0], unreachable=row[1], reached_safe=row[2], need_help=row[3]
    )
