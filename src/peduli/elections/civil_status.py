"""The civil registry's marital status of the citizens abroad, for the voter list.

The election law makes a citizen under 17 who is or was married a voter, and the list
carries the marital status; the committee records what it establishes in person
(``ElectorFact``), and the civil registry answers what it holds. The question is asked for
the purpose ``elections`` through the agencies' verification worker, never in a request:
``ask`` queues it for every citizen abroad with a NIK when an election is declared and when
a round is generated. Its answer (a verified check of the subject ``MARITAL_STATUS``) is
read in SQL by the generation (married per either source: eligible) and by the checks (the
committee's status contradicted by the civil registry's: a blocking problem).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, or_, select
from sqlalchemy.orm import Session, aliased

from peduli.agencies import verification
from peduli.agencies.models import (
    EVER_MARRIED,
    MARITAL_STATUS,
    NEVER_MARRIED,
    CheckState,
    PersonVerification,
    Source,
)
from peduli.elections.models import Election
from peduli.registry.models import Stay, StayStatus


def ask(session: Session, *, election: Election, now: datetime) -> int:
    """Queue the civil registry's answer for every citizen abroad not answered since the
    election was declared (one set-based statement each way); how many were new."""
    abroad = select(Stay.person_id).where(
        Stay.status == StayStatus.ACTIVE.value, Stay.representation_code.is_not(None)
    )
    return verification.queue_marital_status(
        session,
        abroad,
        cause=f"voter list of election {election.id}",
        now=now,
        answered_before=election.created_at,
    )


def answer(name: str = "civil_status") -> Any:
    """The civil registry's answers, aliased for an outer join on ``answer_of``."""
    return aliased(PersonVerification, name=name)


def answer_of(civil: Any, person_id: Any) -> ColumnElement[bool]:
    """The join of a person to their answered marital status."""
    return and_(
        civil.person_id == person_id,
        civil.source == Source.CIVIL_REGISTRY.value,
        civil.subject == MARITAL_STATUS,
        civil.state == CheckState.VERIFIED.value,
    )


def ever_married(fact: Any, civil: Any) -> ColumnElement[Any]:
    """Married or previously married per either source (true wins: a marriage, once, is for
    good), else never married per either, else unknown (NULL)."""
    return case(
        (or_(fact.ever_married.is_(True), civil.detail == EVER_MARRIED), True),
        (or_(fact.ever_married.is_(False), civil.detail == NEVER_MARRIED), False),
        else_=None,
    )


def contradicted(fact: Any, civil: Any) -> ColumnElement[bool]:
    """The committee recorded a status the civil registry's answer contradicts."""
    return or_(
        and_(fact.ever_married.is_(True), civil.detail == NEVER_MARRIED),
        and_(fact.ever_married.is_(False), civil.detail == EVER_MARRIED),
    )
