"""What each source is asked about a person, and what its answer means for the check.

A checker reads what to ask (the record's NIK, or a claim's report; the current passport; a
migrant worker's NIK and passport), asks through the agency's adapter and tells the outcome;
``verification`` leases the checks and records the outcomes. Other agencies add theirs to
``CHECKERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from peduli.agencies import civil_registry, travel
from peduli.agencies.envelope import Purpose
from peduli.agencies.immigration import Question
from peduli.agencies.models import (
    EVER_MARRIED,
    MARITAL_STATUS,
    NEVER_MARRIED,
    CheckState,
    PersonVerification,
    Source,
)
from peduli.core.crypto import get_cipher
from peduli.registry import claims
from peduli.registry.models import NIK_PURPOSE, ClaimStatus, IdentityClaim, Person


@dataclass(frozen=True)
class Outcome:
    """What a checker found."""

    state: CheckState
    fields: list[str] = field(default_factory=list)
    name_score: float | None = None
    detail: str | None = None
    proves_claim: bool = False  # a claim's report matched every field, the mother's name too


Checker = Callable[[Session, PersonVerification], Outcome]


def check_civil_registry(session: Session, check: PersonVerification) -> Outcome:
    """Ask the civil registry about the record, or about the claim's report, or the record's
    marital status."""
    if check.subject == MARITAL_STATUS:
        return _marital_status(session, check)
    if check.claim_id is not None:
        claim = session.get(IdentityClaim, check.claim_id)
        if claim is None or claim.status != ClaimStatus.PENDING:
            return Outcome(CheckState.NOT_CHECKABLE, detail="the claim was decided")
        report = claims.report_of(claim)
        nik, name, born, place = (
            report.nik, report.full_name, report.date_of_birth, report.place_of_birth,
        )  # fmt: skip
        sex: str = report.sex
        mother = report.mother_name
    else:
        person = session.get(Person, check.person_id)
        if person is None or person.nik_encrypted is None:
            return Outcome(CheckState.NOT_CHECKABLE, detail="no NIK on the record")
        nik = get_cipher().decrypt(person.nik_encrypted, purpose=NIK_PURPOSE)
        name, born, place = person.full_name, person.date_of_birth, person.place_of_birth
        sex = person.sex
        mother = None
    if not nik:
        return Outcome(CheckState.NOT_CHECKABLE, detail="no NIK to ask with")
    answer = civil_registry.verify_nik(
        session,
        nik=nik,
        full_name=name,
        date_of_birth=born,
        place_of_birth=place,
        sex=sex,
        mother_name=mother,
        purpose=Purpose(check.purpose),
        cause=check.cause,
        actor=check.requested_by,
        person_id=check.person_id,
    )
    score = answer.flags["full_name"].score if "full_name" in answer.flags else None
    if not answer.found:
        return Outcome(CheckState.NOT_FOUND)
    if not answer.verified:
        return Outcome(CheckState.MISMATCH, answer.mismatched, score)
    if check.claim_id is not None and "mother_name" in answer.flags:
        return Outcome(CheckState.VERIFIED, [], score, "the claim is proven", proves_claim=True)
    return Outcome(CheckState.VERIFIED, [], score)


def _marital_status(session: Session, check: PersonVerification) -> Outcome:
    """The record's marital status by its NIK; the answer (a value) is the outcome's detail."""
    person = session.get(Person, check.person_id)
    if person is None or person.nik_encrypted is None:
        return Outcome(CheckState.NOT_CHECKABLE, detail="no NIK on the record")
    nik = get_cipher().decrypt(person.nik_encrypted, purpose=NIK_PURPOSE)
    married = civil_registry.ever_married(
        session,
        civil_registry.Asked(
            nik, Purpose(check.purpose), check.cause, check.requested_by, check.person_id
        ),
    )
    if married is None:
        return Outcome(CheckState.NOT_FOUND)
    return Outcome(CheckState.VERIFIED, detail=EVER_MARRIED if married else NEVER_MARRIED)


def _travel_outcome(found: travel.SourceOutcome) -> Outcome:
    return Outcome(found.state, list(found.fields), detail=found.detail)


def _question(check: PersonVerification) -> Question:
    return Question(Purpose(check.purpose), check.cause, check.requested_by, check.person_id)


def check_immigration(session: Session, check: PersonVerification) -> Outcome:
    """Immigration on the record's current passport (``travel.check_passport``)."""
    return _travel_outcome(
        travel.check_passport(session, person_id=check.person_id, question=_question(check))
    )


def check_placements(session: Session, check: PersonVerification) -> Outcome:
    """BP2MI on a migrant worker's placements (``travel.check_placements``)."""
    return _travel_outcome(
        travel.check_placements(session, person_id=check.person_id, question=_question(check))
    )


CHECKERS: dict[str, Checker] = {
    Source.CIVIL_REGISTRY.value: check_civil_registry,
    Source.IMMIGRATION.value: check_immigration,
    Source.PLACEMENTS.value: check_placements,
}
