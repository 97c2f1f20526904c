"""Casework on an open case: status transitions, assignment, priority override, notes, people.

Each change locks the case row (PostgreSQL), validates, moves the SLA clocks, appends to
the timeline and the audit log, and — for a resolution or a reopening — adjusts the
maintained statistics in the same transaction.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.auth.models import StaffAccount
from peduli.auth.roles import POST_BOUND_ROLES
from peduli.cases import stats, taxonomy, workflow
from peduli.cases.access import load_case
from peduli.cases.models import (
    PRIORITY_RANK,
    Case,
    CaseEvent,
    CasePerson,
    CaseStatus,
    EventKind,
    Priority,
    Visibility,
    WaitingOn,
)
from peduli.cases.service import CONTACT_PURPOSE, event_data, normalize_phone, problem
from peduli.cases.timeline import add_event
from peduli.core import events
from peduli.core.crypto import get_cipher
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, NotFound, PeduliError, require_valid
from peduli.core.i18n import _
from peduli.registry.models import Person

MIN_REASON_LENGTH = 10


class InvalidTransition(PeduliError):
    """A status change the workflow does not allow; says which ones it does."""

    def __init__(self, current: str, target: str, allowed: tuple[CaseStatus, ...]) -> None:
        names = ", ".join(allowed) or "-"
        detail = _(
            "A case in status '{current}' cannot move to '{target}'. Allowed from "
            "'{current}': {allowed}."
        ).format(current=current, target=target, allowed=names)
        super().__init__(
            detail=detail,
            status=409,
            title=_("Transition not allowed"),
            code="invalid_transition",
            problems=[
                FieldProblem(
                    "to",
                    "invalid_transition",
                    detail,
                    _("Use one of: {allowed}.").format(allowed=names),
                )
            ],
        )


def _mark_updated(case: Case) -> None:
    case.updated_at = utcnow()


def transition(
    session: Session,
    *,
    case_id: uuid.UUID,
    actor: Actor,
    to: CaseStatus,
    waiting_on: WaitingOn | None = None,
    note: str | None = None,
) -> Case:
    """Move a case along the workflow; the clocks and the statistics follow."""
    case = load_case(
        session, case_id=case_id, actor=actor, action="case.transition", for_update=True
    )
    allowed = workflow.allowed_from(case.status)
    if to not in allowed:
        raise InvalidTransition(case.status, to, allowed)
    if to == CaseStatus.WAITING and waiting_on is None:
        require_valid(
            [
                problem(
                    "waiting_on",
                    "waiting_on_required",
                    _("Say whom the case is waiting on."),
                    _("Use one of: {names}.").format(names=", ".join(w.value for w in WaitingOn)),
                )
            ]
        )
    category = taxonomy.load().categories[case.category]
    now = utcnow()
    previous = CaseStatus(case.status)
    previous_resolved_at = case.resolved_at
    workflow.apply_status(case, to, category, now)
    if to == CaseStatus.WAITING:
        case.waiting_on = waiting_on
    if to == CaseStatus.RESOLVED:
        stats.bump(
            session,
            representation_code=case.representation_code,
            day=now.date(),
            category=case.category,
            cases_resolved=1,
        )
    elif to == CaseStatus.IN_PROGRESS and previous in workflow.REOPEN_FROM and previous_resolved_at:
        stats.bump(
            session,
            representation_code=case.representation_code,
            day=previous_resolved_at.date(),
            category=case.category,
            cases_resolved=1,
            sign=-1,
        )
    _mark_updated(case)
    add_event(
        session,
        case,
        kind=EventKind.STATUS_CHANGED,
        actor=actor,
        text=note,
        at=now,
        data={"from": previous, "to": to, "waiting_on": waiting_on},
    )
    audit.record(
        session,
        actor=actor,
        action="case.transition",
        entity_type="case",
        entity_id=str(case.id),
        fields=["status"],
        reason=f"{previous}->{to}",
    )
    if to == CaseStatus.CLOSED:
        events.record(
            session,
            event_type=events.EventType.CASE_CLOSED,
            subject_id=case.id,
            representation_code=case.representation_code,
            data=event_data(case),
            at=now,
        )
    return case


def assign(
    session: Session, *, case_id: uuid.UUID, actor: Actor, officer_id: uuid.UUID | None
) -> Case:
    """Give the case to an officer or supervisor of its representation (None: unassign)."""
    case = load_case(session, case_id=case_id, actor=actor, action="case.assign", for_update=True)
    display = None
    if officer_id is not None:
        account = session.scalar(
            select(StaffAccount).where(
                StaffAccount.id == officer_id,
                StaffAccount.role.in_([r.value for r in POST_BOUND_ROLES]),
                StaffAccount.representation_code == case.representation_code,
                StaffAccount.disabled_at.is_(None),
            )
        )
        if account is None:
            require_valid(
                [
                    problem(
                        "officer_id",
                        "not_an_officer_here",
                        _("This is not an active officer of the case's representation."),
                        _("Assign the case to an officer or supervisor of {code}.").format(
                            code=case.representation_code
                        ),
                    )
                ]
            )
            raise AssertionError  # unreachable: require_valid raised
        display = account.display_name
    previous = case.assigned_officer_id
    case.assigned_officer_id = officer_id
    _mark_updated(case)
    add_event(
        session,
        case,
        kind=EventKind.ASSIGNED,
        actor=actor,
        data={"from": previous, "to": officer_id, "to_display": display},
    )
    audit.record(
        session,
        actor=actor,
        action="case.assign",
        entity_type="case",
        entity_id=str(case.id),
        fields=["assigned_officer_id"],
    )
    return case


def set_priority(
    session: Session, *, case_id: uuid.UUID, actor: Actor, priority: Priority, reason: str
) -> Case:
    """Override the priority the rules gave; the reason goes to the timeline and the audit."""
    case = load_case(session, case_id=case_id, actor=actor, action="case.priority", for_update=True)
    if len(reason.strip()) < MIN_REASON_LENGTH:
        require_valid(
            [
                problem(
                    "reason",
                    "reason_too_short",
                    _("Explain why the priority changes (at least {min} characters).").format(
                        min=MIN_REASON_LENGTH
                    ),
                    _("The reason is kept in the case's timeline and in the audit log."),
                )
            ]
        )
    previous = case.priority
    case.priority = priority
    case.priority_rank = PRIORITY_RANK[priority]
    case.priority_reason = reason
    _mark_updated(case)
    add_event(
        session,
        case,
        kind=EventKind.PRIORITY_CHANGED,
        actor=actor,
        text=reason,
        data={"from": previous, "to": priority},
    )
    audit.record(
        session,
        actor=actor,
        action="case.priority",
        entity_type="case",
        entity_id=str(case.id),
        fields=["priority"],
        reason=reason,
    )
    return case


def add_note(
    session: Session,
    *,
    case_id: uuid.UUID,
    actor: Actor,
    text: str,
    visibility: Visibility = Visibility.INTERNAL,
    kind: str = "note",
) -> CaseEvent:
    """A note or a call on the timeline; shared notes are shown to the citizen."""
    case = load_case(session, case_id=case_id, actor=actor, action="case.note", for_update=True)
    now = utcnow()
    workflow.mark_responded(case, now)
    _mark_updated(case)
    event = add_event(
        session,
        case,
        kind=EventKind.CALL if kind == "call" else EventKind.NOTE,
        actor=actor,
        text=text,
        visibility=visibility,
        at=now,
    )
    audit.record(
        session,
        actor=actor,
        action="case.note",
        entity_type="case",
        entity_id=str(case.id),
        fields=["note"],
    )
    session.flush()
    return event


def add_person(
    session: Session,
    *,
    case_id: uuid.UUID,
    actor: Actor,
    person_id: uuid.UUID | None,
    name: str | None,
    phone: str | None,
) -> CasePerson:
    """Add someone the case concerns (e.g. another member of a crew)."""
    case = load_case(session, case_id=case_id, actor=actor, action="case.person_add")
    problems: list[FieldProblem] = []
    if person_id is None and not name:
        problems.append(
            problem(
                "name", "person_incomplete", _("Give a registered person's id, or at least a name.")
            )
        )
    if person_id is not None and session.get(Person, person_id) is None:
        problems.append(
            problem("person_id", "unknown_person", _("There is no person with this id."))
        )
    normalized, phone_problems = normalize_phone(phone, field="phone", region=None)
    require_valid(problems + phone_problems)
    link = CasePerson(
        case_id=case.id,
        person_id=person_id,
        name=name,
        phone_encrypted=get_cipher().encrypt(normalized, purpose=CONTACT_PURPOSE)
        if normalized
        else None,
    )
    session.add(link)
    _mark_updated(case)
    session.flush()
    add_event(
        session, case, kind=EventKind.PERSON_LINKED, actor=actor, data={"case_person_id": link.id}
    )
    audit.record(
        session,
        actor=actor,
        action="case.person_add",
        entity_type="case",
        entity_id=str(case.id),
        subject_person_id=person_id,
    )
    return link


def link_person(
    session: Session,
    *,
    case_id: uuid.UUID,
    case_person_id: uuid.UUID,
    actor: Actor,
    person_id: uuid.UUID,
) -> CasePerson:
    """Link a not-yet-registered person of a case to their registry record, once known."""
    case = load_case(session, case_id=case_id, actor=actor, action="case.person_link")
    link = session.scalar(
        select(CasePerson).where(CasePerson.id == case_person_id, CasePerson.case_id == case.id)
    )
    if link is None:
        raise NotFound(_("This case has no such person."))
    if session.get(Person, person_id) is None:
        require_valid(
            [problem("person_id", "unknown_person", _("There is no person with this id."))]
        )
    link.person_id = person_id
    _mark_updated(case)
    add_event(
        session,
        case,
        kind=EventKind.PERSON_LINKED,
        actor=actor,
        data={"case_person_id": link.id, "person_id": person_id},
    )
    audit.record(
        session,
        actor=actor,
        action="case.person_link",
        entity_type="case",
        entity_id=str(case.id),
        subject_person_id=person_id,
    )
    return link
