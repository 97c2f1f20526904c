"""Silence becomes work: the people still silent after a broadcast's reminder, to call or visit.

A person is "not yet reached" when a reminder went to them (``reminded_at``) and no answer
came on any broadcast of the crisis (the answer is kept on every one of their recipient
rows). An officer records each attempt (``ReachAttempt``): reached safe or in need of help
writes the person's check-in (via ``officer``), so the board counts them as a check-in
would, a need-help answer opens the case ``crisis.checkins`` opens, and the person leaves the
list; unreachable (with a note) keeps them on it to try again.

The list is one statement per page (the total by a window count); officers see their own
post's people, HQ every post's (or one post's, when it asks). Every read and attempt is
audited. The board page's counts read one row per person, their counted row, which the
reminder marks (``Recipient.reminded``): at a million people, grouping every row took 0.7 s.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, literal, select, update
from sqlalchemy.orm import Session, aliased

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.crisis import access, checkins, delivery
from peduli.crisis import service as crisis_service
from peduli.crisis.models import Answer, ReachAttempt, ReachOutcome, Recipient
from peduli.crisis.schemas import ReachCounts, UnreachedRow
from peduli.notify import service as notify_service
from peduli.registry.models import ContactKind, ContactPoint, Person, Stay
from peduli.registry.rights import ErasureStep

NOTE_MAX = 2000
LIST_ACTION = "crisis.unreached_list"
ATTEMPT_ACTION = "crisis.reach_attempt"
_ANSWERS = {ReachOutcome.REACHED_SAFE: Answer.SAFE, ReachOutcome.NEED_HELP: Answer.NEED_HELP}


def _silent(crisis_id: uuid.UUID, scope: policy.PostScope) -> Subquery:
    """One row per person reminded and still silent: their latest and latest reminded rows."""
    return (
        select(
            Recipient.person_id,
            func.max(Recipient.id).label("recipient_id"),
            func.max(case((Recipient.reminded_at.is_not(None), Recipient.id))).label("reminded_id"),
        )
        .where(Recipient.crisis_id == crisis_id, scope.within(Recipient.representation_code))
        .group_by(Recipient.person_id)
        .having(func.count(Recipient.reminded_at) > 0, func.count(Recipient.answer) == 0)
        .subquery()
    )


def _reminder_outcomes(reminded_ids: Any) -> Any:
    """Per person, how many of their latest reminder's messages were sent and are dead."""
    return notify_service.delivery_counts(
        group=Recipient.person_id,
        idempotency_keys=[
            delivery.outbox_key(f"{channel}:reminder") for channel in delivery.CHANNEL_CONTACT
        ],
        where=Recipient.id.in_(reminded_ids),
    )


def _attempts(crisis_id: uuid.UUID) -> Any:
    return (
        select(
            ReachAttempt.person_id,
            func.count().label("attempts"),
            func.max(ReachAttempt.created_at).label("last_at"),
        )
        .where(ReachAttempt.crisis_id == crisis_id)
        .group_by(ReachAttempt.person_id)
        .subquery()
    )


def _phone(person_id: Any) -> ColumnElement[Any]:
    return (
        select(ContactPoint.value)
        .where(
            ContactPoint.person_id == person_id,
            ContactPoint.kind == ContactKind.PHONE,
            ContactPoint.trusted_at.is_not(None),
        )
        .order_by(ContactPoint.is_primary.desc())
        .limit(1)
        .scalar_subquery()
    )


def _last_note(crisis_id: uuid.UUID, person_id: Any) -> ColumnElement[Any]:
    return (
        select(ReachAttempt.note)
        .where(ReachAttempt.crisis_id == crisis_id, ReachAttempt.person_id == person_id)
        .order_by(ReachAttempt.created_at.desc())
        .limit(1)
        .scalar_subquery()
    )


def _query(
    crisis_id: uuid.UUID,
    scope: policy.PostScope,
    *,
    limit: int,
    offset: int,
    person_id: uuid.UUID | None = None,
) -> Select[Any]:
    """One page of the list, in one statement: the page is chosen first (with the total,
    a window count), then only its people are joined to their names, phones, places and
    their reminder's delivery in the outbox."""
    silent = _silent(crisis_id, scope)
    tried = _attempts(crisis_id)
    attempts = func.coalesce(tried.c.attempts, 0)
    # Never tried first, then the longest untried; nearest to the crisis first.
    order = (
        attempts,
        tried.c.last_at,
        func.coalesce(Recipient.distance_km, 1e9),
        silent.c.person_id,
    )
    chosen = (
        select(
            silent.c.person_id,
            silent.c.recipient_id,
            silent.c.reminded_id,
            attempts.label("attempts"),
            tried.c.last_at.label("last_attempt_at"),
            func.row_number().over(order_by=order).label("position"),
            func.count().over().label("total"),
        )
        .select_from(silent)
        .join(Recipient, Recipient.id == silent.c.recipient_id)
        .outerjoin(tried, tried.c.person_id == silent.c.person_id)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    if person_id is not None:
        chosen = chosen.where(silent.c.person_id == person_id)
    page = chosen.cte("unreached_page")
    outcomes = _reminder_outcomes(select(page.c.reminded_id))
    status = case(
        (outcomes.c.group_key.is_(None), literal("none")),
        (outcomes.c.sent > 0, literal("delivered")),
        (outcomes.c.dead > 0, literal("failed")),
        else_=literal("pending"),
    )
    return (
        select(
            page.c.person_id,
            Person.full_name,
            _phone(page.c.person_id).label("phone"),
            Stay.country,
            Stay.city,
            Recipient.representation_code,
            Recipient.language,
            status.label("message_status"),
            page.c.attempts,
            page.c.last_attempt_at,
            _last_note(crisis_id, page.c.person_id).label("last_note"),
            page.c.total,
        )
        .select_from(page)
        .join(Recipient, Recipient.id == page.c.recipient_id)
        .join(Person, Person.id == page.c.person_id)
        .outerjoin(Stay, Stay.id == Recipient.stay_id)
        .outerjoin(outcomes, outcomes.c.group_key == page.c.person_id)
        .order_by(page.c.position)
    )


def unreached(
    session: Session,
    *,
    crisis_id: uuid.UUID,
    actor: Actor,
    post: str | None = None,
    person_id: uuid.UUID | None = None,
    limit: int = 25,
    offset: int = 0,
) -> tuple[int, list[UnreachedRow]]:
    """One page of the people still silent after the reminder, and how many there are.

    ``post`` narrows HQ's list to one post (a post's staff always see their own);
    ``person_id`` picks one person (the row a page redraws after an attempt).
    """
    access.require_reacher(session, actor, action=LIST_ACTION)
    crisis = crisis_service.get(session, crisis_id=crisis_id, actor=actor)
    scope = policy.post_scope(actor).narrowed_to(post)
    query = _query(crisis.id, scope, limit=limit, offset=offset, person_id=person_id)
    rows = session.execute(query).all()
    total = rows[0].total if rows else 0
    people = [UnreachedRow.model_validate(row._asdict()) for row in rows]
    audit.record(
        session,
        actor=actor,
        action=LIST_ACTION,
        entity_type="crisis",
        entity_id=str(crisis.id),
        subject_person_id=person_id,
        fields=["name", "phone", "stay", "answer"],
        reason=f"{len(people)} people, scope {_scope_text(scope)}",
    )
    return total, people


def _still_silent(row: Any, crisis_id: uuid.UUID, scope: policy.PostScope) -> ColumnElement[bool]:
    """A person reminded and still silent, in ``scope``, as their counted row says: the
    reminder marks it (``reminded``) and an answer is written to every row the person has.
    ``ix_crisis_recipient_silent`` holds these rows alone."""
    return and_(
        row.crisis_id == crisis_id,
        row.counted,
        row.reminded,
        row.answer.is_(None),
        scope.within(row.representation_code),
    )


def counts(session: Session, *, crisis_id: uuid.UUID, actor: Actor) -> ReachCounts:
    """Still not reached (and of them, tried and unreachable), reached safe, need help.

    Figures only: every role that follows the crisis sees them, for its own posts. One row
    per person, their counted row (so a person counts under its post, as on the board): the
    silent are counted from an index of theirs alone, the unreachable from the attempts.
    """
    scope = policy.post_scope(actor)
    silent = _still_silent(Recipient, crisis_id, scope)
    person = aliased(Recipient)
    not_reached = select(func.count()).select_from(Recipient).where(silent)
    unreachable = (
        select(func.count(ReachAttempt.person_id.distinct()))
        .join(person, person.person_id == ReachAttempt.person_id)
        .where(
            ReachAttempt.crisis_id == crisis_id,
            ReachAttempt.outcome == ReachOutcome.UNREACHABLE.value,
            _still_silent(person, crisis_id, scope),
        )
    )

    def reached(outcome: ReachOutcome) -> Any:
        return select(func.count(ReachAttempt.person_id.distinct())).where(
            ReachAttempt.crisis_id == crisis_id,
            ReachAttempt.outcome == outcome.value,
            scope.within(ReachAttempt.representation_code),
        )

    figures = (
        not_reached,
        unreachable,
        reached(ReachOutcome.REACHED_SAFE),
        reached(ReachOutcome.NEED_HELP),
    )
    row = session.execute(select(*(figure.scalar_subquery() for figure in figures))).one()
    return ReachCounts(
        not_reached=row[0], unreachable=row[1], reached_safe=row[2], need_help=row[3]
    )


def record_attempt(
    session: Session,
    *,
    crisis_id: uuid.UUID,
    person_id: uuid.UUID,
    outcome: str,
    note: str | None,
    actor: Actor,
) -> ReachAttempt:
    """Record a call or visit to a silent person; safe or need help answers for them.

    Refused: roles that do not work on people (403), another post's person (403, audited),
    an unknown outcome or an unreachable without a note (422), a person who has answered
    meanwhile (409).
    """
    access.require_reacher(session, actor, action=ATTEMPT_ACTION)
    crisis = crisis_service.get(session, crisis_id=crisis_id, actor=actor)
    target = session.execute(
        select(Recipient.id, Recipient.representation_code, Recipient.answer)
        .where(Recipient.crisis_id == crisis.id, Recipient.person_id == person_id)
        .order_by(Recipient.id.desc())
        .limit(1)
        # Two officers recording the same person at once: the second waits, then finds the
        # answer the first one wrote (409) instead of answering twice.
        .with_for_update()
    ).first()
    if target is None:
        raise NotFound(_("No broadcast of this crisis went to this person."))
    access.require_person_post(
        session, actor, target.representation_code, person_id=person_id, action=ATTEMPT_ACTION
    )
    chosen, text = _checked(outcome, note)
    if target.answer is not None:
        raise Conflict(
            _("This person has answered meanwhile; they are no longer waiting to be reached."),
            code="already_answered",
        )
    attempt = ReachAttempt(
        id=uuid.uuid4(),
        crisis_id=crisis.id,
        person_id=person_id,
        representation_code=target.representation_code,
        outcome=chosen.value,
        note=text,
        recorded_by=actor.account_id,
        recorded_by_display=actor.display,
        created_at=utcnow(),
    )
    answer = _ANSWERS.get(chosen)
    if answer is not None:
        checkin = checkins.record(
            session,
            recipient_id=target.id,
            answer=answer,
            note=text,
            via="officer",
            raise_help_now=True,
        )
        attempt.checkin_id, attempt.case_id = checkin.id, checkin.case_id
    session.add(attempt)
    audit.record(
        session,
        actor=actor,
        action=ATTEMPT_ACTION,
        entity_type="person",
        entity_id=str(person_id),
        subject_person_id=person_id,
        fields=["outcome", "note"],
        reason=f"crisis {crisis.id}: {chosen.value}",
    )
    return attempt


def reached_name(session: Session, attempt: ReachAttempt) -> str | None:
    """The name of the person an attempt just recorded reached (the page says whom)."""
    return session.scalar(select(Person.full_name).where(Person.id == attempt.person_id))


def _checked(outcome: str, note: str | None) -> tuple[ReachOutcome, str | None]:
    text = (note or "").strip() or None
    problems = []
    if outcome not in {o.value for o in ReachOutcome}:
        problems.append(
            FieldProblem(
                field="outcome",
                code="unknown_outcome",
                message=_("Choose what the call or visit came to."),
                hint=_("Reached and safe, needs help, or could not be reached."),
            )
        )
    elif outcome == ReachOutcome.UNREACHABLE and text is None:
        problems.append(
            FieldProblem(
                field="note",
                code="note_required",
                message=_("Say how you tried to reach this person."),
                hint=_("For example: called twice, no answer; visited the address, nobody home."),
            )
        )
    if text is not None and len(text) > NOTE_MAX:
        problems.append(
            FieldProblem(
                field="note",
                code="note_too_long",
                message=_("This note is too long; keep it under 2,000 characters."),
            )
        )
    if problems:
        raise ValidationFailed(problems)
    return ReachOutcome(outcome), text


def _scope_text(scope: policy.PostScope) -> str:
    return "all" if scope.every_post else ",".join(sorted(scope.posts))


def erase_people(
    session: Session, person_ids: Sequence[uuid.UUID], _account_id: uuid.UUID | None
) -> int:
    """A citizen's erasure: their attempts keep the outcome, lose what the officer wrote."""
    result = session.execute(
        update(ReachAttempt)
        .where(ReachAttempt.person_id.in_(person_ids))
        .values(note=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


ERASURE_STEP = ErasureStep("crisis_reach_attempts", erase_people)
