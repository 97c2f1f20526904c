"""The checks before a post's list is fixed, their resolution, and fixing.

Each check is a condition on an entry, found and cleared in set-based statements: a
problem is added for every entry meeting it that has none of its kind yet, and an open one
whose entry no longer meets it is closed. Duplicates (the person, or their NIK, on another
post's list of the same round) and contradictions with the civil registry (its check of
the record found a mismatch, or its marital status is not the one the committee recorded:
``civil_status``) block fixing; an unverified residence does not, but counts
against the share verified. A blocking problem is resolved by striking the entry (the
other post striking theirs clears a duplicate here at the next check); a contradiction or
an unverified residence the committee confirmed in person is resolved with its note.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session, aliased

from peduli.agencies.models import RECORD, CheckState, PersonVerification, Source
from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.elections import access, civil_status, repository, workflow
from peduli.elections.models import (
    ElectorFact,
    ListProblem,
    ProblemKind,
    ProblemStatus,
    VoterEntry,
    VoterList,
)
from peduli.elections.service import require_adjustable
from peduli.registry.models import Verification

BLOCKING = {ProblemKind.DUPLICATE: True, ProblemKind.CIVIL_REGISTRY: True,
            ProblemKind.MARITAL_STATUS: True, ProblemKind.UNVERIFIED: False}  # fmt: skip


def _other(name: str) -> Any:
    return aliased(VoterEntry, name=name)


def _duplicate(entry: Any) -> tuple[ColumnElement[bool], Any]:
    """The same person, or the same NIK, listed by another post in the round: two look-ups
    on their indexes (an OR of the two would scan the round)."""
    by_person, by_nik = _other("same_person"), _other("same_nik")

    def elsewhere(other: Any) -> ColumnElement[bool]:
        return and_(
            other.election_id == entry.election_id,
            other.round == entry.round,
            other.list_id != entry.list_id,
            other.struck_reason.is_(None),
        )

    same_person = and_(elsewhere(by_person), by_person.person_id == entry.person_id)
    same_nik = and_(elsewhere(by_nik), entry.nik_index.is_not(None),
                    by_nik.nik_index == entry.nik_index)  # fmt: skip
    where_else = func.coalesce(
        select(func.min(by_person.representation_code)).where(same_person).scalar_subquery(),
        select(func.min(by_nik.representation_code)).where(same_nik).scalar_subquery(),
    )
    return or_(exists().where(same_person), exists().where(same_nik)), where_else


def _contradicted(entry: Any) -> tuple[ColumnElement[bool], Any]:
    found = and_(
        PersonVerification.person_id == entry.person_id,
        PersonVerification.source == Source.CIVIL_REGISTRY.value,
        PersonVerification.subject == RECORD,
        PersonVerification.state == CheckState.MISMATCH.value,
    )
    fields = select(func.min(PersonVerification.fields)).where(found).scalar_subquery()
    return exists().where(found), fields


def _marital_status_contradicted(entry: Any) -> tuple[ColumnElement[bool], Any]:
    """The committee's marital status against the civil registry's; the detail is the
    civil registry's (``ever_married`` or ``never_married``)."""
    civil = civil_status.answer("civil_marital")
    found = and_(
        ElectorFact.person_id == entry.person_id,
        civil_status.answer_of(civil, entry.person_id),
        civil_status.contradicted(ElectorFact, civil),
    )
    return exists().where(found), select(func.min(civil.detail)).where(found).scalar_subquery()


def _unverified(entry: Any) -> tuple[ColumnElement[bool], Any]:
    return entry.verification != Verification.VERIFIED.value, literal(None)


CONDITIONS = {
    ProblemKind.DUPLICATE: _duplicate,
    ProblemKind.CIVIL_REGISTRY: _contradicted,
    ProblemKind.MARITAL_STATUS: _marital_status_contradicted,
    ProblemKind.UNVERIFIED: _unverified,
}


def _run(session: Session, voter_list: VoterList) -> None:
    for kind, condition in CONDITIONS.items():
        entry = aliased(VoterEntry, name="entry")
        meets, detail = condition(entry)
        already = exists().where(
            ListProblem.list_id == voter_list.id,
            ListProblem.person_id == entry.person_id,
            ListProblem.kind == kind.value,
        )
        columns = (
            literal(voter_list.id).label("list_id"), entry.person_id,
            literal(kind.value).label("kind"), literal(BLOCKING[kind]).label("blocking"),
            detail.label("detail"), literal(ProblemStatus.OPEN.value).label("status"),
        )  # fmt: skip
        found = select(*columns).where(
            entry.list_id == voter_list.id, entry.struck_reason.is_(None), meets, ~already
        )
        session.execute(insert(ListProblem).from_select(list(found.selected_columns.keys()), found))
        still = aliased(VoterEntry, name="still")
        still_meets, _detail = condition(still)
        session.execute(
            update(ListProblem)
            .where(
                ListProblem.list_id == voter_list.id,
                ListProblem.kind == kind.value,
                ListProblem.status == ProblemStatus.OPEN.value,
                ~exists().where(still.list_id == voter_list.id,
                                still.person_id == ListProblem.person_id,
                                still.struck_reason.is_(None), still_meets),
            )
            .values(status=ProblemStatus.RESOLVED.value, resolution="cleared by a later check",
                    resolved_at=utcnow())
            .execution_options(synchronize_session=False)
        )  # fmt: skip


def run_checks(
    session: Session, *, election_id: uuid.UUID, post: str | None, actor: Actor
) -> VoterList:
    """Run every check on the post's current list; it is then checked."""
    voter_list = access.list_in_reach(session, actor, election_id=election_id, post=post,
                                action="elections.check")  # fmt: skip
    target = workflow.next_state(workflow.State(voter_list.state), workflow.Action.CHECK)
    if target is None:
        raise Conflict(_("This voter list is fixed."), code="list_fixed")
    _run(session, voter_list)
    voter_list.state, voter_list.checked_at = target.value, utcnow()
    session.flush()
    audit.record(session, actor=actor, action="elections.checked", entity_type="voter_list",
                 entity_id=str(voter_list.id))  # fmt: skip
    return voter_list


def resolve(
    session: Session,
    *,
    election_id: uuid.UUID,
    problem_id: int,
    strike: bool,
    note: str,
    actor: Actor,
) -> ListProblem:
    """Resolve a problem: strike the entry from the list, or confirm it (not a duplicate)."""
    access.require_keeper(session, actor, action="elections.resolve")
    found = session.execute(
        select(ListProblem, VoterList)
        .join(VoterList, VoterList.id == ListProblem.list_id)
        .where(ListProblem.id == problem_id, VoterList.election_id == election_id)
    ).first()
    if found is None:
        raise NotFound(_("There is no such problem on your lists."))
    problem, voter_list = found
    access.post_in_reach(
        session, actor, election_id=election_id, post=voter_list.representation_code,
        action="elections.resolve",
    )  # fmt: skip
    require_adjustable(voter_list)
    note = note.strip()
    if len(note) < 3:
        raise ValidationFailed([FieldProblem("note", "required", _("Say how it was resolved."))])
    if problem.kind == ProblemKind.DUPLICATE and not strike:
        message = _(
            "A voter is on one list only: strike this entry, or ask the other post to "
            "strike theirs."
        )
        raise ValidationFailed([FieldProblem("strike", "required", message)])
    now = utcnow()
    if strike:
        session.execute(
            update(VoterEntry)
            .where(VoterEntry.list_id == voter_list.id, VoterEntry.person_id == problem.person_id)
            .values(struck_reason=note[:200], changed_by=actor.account_id)
            .execution_options(synchronize_session=False)
        )
        # Striking settles every open problem of the entry.
        session.execute(
            update(ListProblem)
            .where(ListProblem.list_id == voter_list.id, ListProblem.person_id == problem.person_id,
                   ListProblem.status == ProblemStatus.OPEN.value)
            .values(status=ProblemStatus.RESOLVED.value, resolution=note[:200],
                    resolved_by=actor.account_id, resolved_at=now)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
    else:
        problem.status, problem.resolution = ProblemStatus.RESOLVED.value, note[:200]
        problem.resolved_by, problem.resolved_at = actor.account_id, now
    session.flush()
    session.refresh(problem)
    audit.record(
        session, actor=actor, action="elections.resolved", entity_type="voter_list_problem",
        entity_id=str(problem.id), subject_person_id=problem.person_id,
        reason=("struck: " if strike else "confirmed: ") + note[:180],
    )  # fmt: skip
    return problem


def fix(session: Session, *, election_id: uuid.UUID, post: str | None, actor: Actor) -> VoterList:
    """Fix the post's list (DPTLN) once checked with no blocking problem open; final."""
    access.require_fixer(session, actor, action="elections.fix")
    voter_list = access.list_in_reach(session, actor, election_id=election_id, post=post,
                                action="elections.fix")  # fmt: skip
    if voter_list.state != workflow.State.CHECKED.value:
        raise Conflict(_("Run the checks before fixing the list."), code="not_checked")
    _run(session, voter_list)
    blocking = repository.blocking_open(session, list_id=voter_list.id)
    if not workflow.allowed_actions(workflow.State.CHECKED, blocking_open=blocking).count(
        workflow.Action.FIX
    ):
        raise Conflict(
            _("{count} blocking problems are still open.").format(count=blocking),
            code="blocking_problems",
        )
    voter_list.state = workflow.State.FIXED.value
    voter_list.fixed_at, voter_list.fixed_by = utcnow(), actor.account_id
    session.flush()
    audit.record(session, actor=actor, action="elections.fixed", entity_type="voter_list",
                 entity_id=str(voter_list.id))  # fmt: skip
    return voter_list
