"""Case use-cases: intake from every door, the case screen and its timeline.

Changes to an open case (transitions, assignment, priority, notes, people) are in
``casework``; outcomes in ``outcomes``; citizens' help requests in ``intake``; the queue and
the overdue list (shared with the pages) in ``repository``. Services never
commit; every staff read and change is audited in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, make_transient_to_detached

from peduli.auth import audit, policy
from peduli.auth.actor import Actor, Role
from peduli.auth.roles import CASE_OPENERS
from peduli.cases import references, taxonomy, workflow
from peduli.cases.access import opens_for_any_post
from peduli.cases.models import (
    CASE_CONTACT_PURPOSE,
    PRIORITY_RANK,
    Case,
    CasePerson,
    CaseStatus,
    EventKind,
    IntakeChannel,
)
from peduli.cases.schemas import CaseCreate, CasePersonIn
from peduli.cases.taxonomy import Category
from peduli.cases.timeline import write_event
from peduli.cases.triage import triage
from peduli.core import events
from peduli.core.crypto import get_cipher
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, require_valid
from peduli.core.i18n import _
from peduli.core.insert_new import insert_new
from peduli.core.names import name_problems
from peduli.reference.profile import get_profile
from peduli.reference.representations import load_directory
from peduli.registry.models import Person

CONTACT_PURPOSE = CASE_CONTACT_PURPOSE
STAFF_CHANNELS = frozenset(
    {IntakeChannel.WALK_IN, IntakeChannel.PHONE, IntakeChannel.EMERGENCY, IntakeChannel.PARTNER}
)


@dataclass(frozen=True)
class NewPerson:
    """A person to attach to a new case (already validated)."""

    person_id: uuid.UUID | None
    name: str | None
    phone: str | None


@dataclass(frozen=True)
class Intake:
    """Everything a new case needs, whichever door it came through (validated)."""

    category: Category
    subcategory: str | None
    summary: str
    representation_code: str
    channel: IntakeChannel
    death_penalty: bool = False
    danger_to_life: bool = False
    people: tuple[NewPerson, ...] = ()
    contact_phone: str | None = None
    contact_email: str | None = None
    contact_country: str | None = None
    contact_city: str | None = None
    requester_account_id: uuid.UUID | None = None


# --- validation ----------------------------------------------------------------------------


def problem(field: str, code: str, message: str, hint: str = "") -> FieldProblem:
    return FieldProblem(field, code, message, hint)


def category_problems(
    code: str, subcategory: str | None
) -> tuple[Category | None, list[FieldProblem]]:
    """The category for ``code`` and any problem with it or its subcategory."""
    tax = taxonomy.load()
    category = tax.get(code)
    if category is None:
        return None, [
            problem(
                "category",
                "unknown_category",
                _("There is no case category with this code."),
                _("Use one of: {codes}.").format(codes=", ".join(tax.codes)),
            )
        ]
    if subcategory is not None and subcategory not in category.subcategory_codes:
        codes = ", ".join(category.subcategory_codes) or "-"
        return category, [
            problem(
                "subcategory",
                "unknown_subcategory",
                _("This subcategory does not belong to the category."),
                _("Use one of: {codes}, or leave it out.").format(codes=codes),
            )
        ]
    return category, []


def normalize_phone(
    value: str | None, *, field: str, region: str | None
) -> tuple[str | None, list[FieldProblem]]:
    """A phone in E.164 (read as local to ``region`` when it has no country code)."""
    if value is None:
        return None, []
    return get_profile().normalize_phone(value, default_region=region, field=field)


def representation_problems(
    code: str | None, field: str = "representation_code"
) -> list[FieldProblem]:
    """Problems with a representation code given in a body."""
    directory = load_directory(get_profile().representations_resource)
    if code is None:
        return [
            problem(
                field,
                "representation_required",
                _("Say which representation will handle the case."),
                _("Give a code like 'kbri-seoul'; GET /api/v1/representations lists them."),
            )
        ]
    if code not in {r.code for r in directory.all()}:
        return [
            problem(
                field,
                "unknown_representation",
                _("No representation has this code."),
                _("GET /api/v1/representations lists the codes."),
            )
        ]
    return []


def people_problems(
    session: Session, people: Sequence[CasePersonIn], *, region: str | None
) -> tuple[list[NewPerson], list[FieldProblem]]:
    """Validate the people of a new case; registered ones must exist."""
    found: list[NewPerson] = []
    problems: list[FieldProblem] = []
    ids = [p.person_id for p in people if p.person_id]
    known = set(session.scalars(select(Person.id).where(Person.id.in_(ids)))) if ids else set()
    for index, person in enumerate(people):
        field = f"people[{index}]"
        if person.person_id is None and not person.name:
            problems.append(
                problem(
                    field,
                    "person_incomplete",
                    _("Give a registered person's id, or at least a name."),
                    _("Link the registered record later with POST …/people/{id}/link."),
                )
            )
            continue
        if person.person_id is not None and person.person_id not in known:
            problems.append(
                problem(
                    f"{field}.person_id", "unknown_person", _("There is no person with this id.")
                )
            )
            continue
        phone, phone_problems = normalize_phone(person.phone, field=f"{field}.phone", region=region)
        problems += phone_problems + name_problems(person.name, field=f"{field}.name")
        found.append(NewPerson(person.person_id, person.name, phone))
    return found, problems


# --- intake ---------------------------------------------------------------------------------


def open_case(session: Session, *, data: CaseCreate, actor: Actor) -> Case:
    """Open a case entered by staff (walk-in, phone, emergency) or referred by an agency."""
    policy.require_role(session, actor, roles=CASE_OPENERS, action="case.create")
    category, problems = category_problems(data.category, data.subcategory)
    representation_code, channel, more = _post_and_channel(actor, data)
    problems += more
    found, people_issues = people_problems(session, data.people, region=None)
    problems += people_issues
    if data.person_id is not None:
        if session.get(Person, data.person_id) is None:
            problems.append(
                problem("person_id", "unknown_person", _("There is no person with this id."))
            )
        found.insert(0, NewPerson(data.person_id, None, None))
    phone, phone_problems = normalize_phone(data.contact_phone, field="contact_phone", region=None)
    problems += phone_problems
    require_valid(problems)
    assert category is not None and representation_code is not None
    case = intake_case(
        session,
        intake=Intake(
            category=category,
            subcategory=data.subcategory,
            summary=data.summary,
            representation_code=representation_code,
            channel=channel,
            death_penalty=data.death_penalty,
            danger_to_life=data.danger_to_life,
            people=tuple(found),
            contact_phone=phone,
            contact_email=str(data.contact_email).lower() if data.contact_email else None,
        ),
        actor=actor,
    )
    return case


def _post_and_channel(
    actor: Actor, data: CaseCreate
) -> tuple[str | None, IntakeChannel, list[FieldProblem]]:
    """Which representation and channel a staff or agency intake goes to."""
    if actor.role == Role.AGENCY:
        return (
            data.representation_code,
            IntakeChannel.AGENCY_API,
            representation_problems(data.representation_code),
        )
    channel = data.intake_channel or IntakeChannel.WALK_IN
    problems: list[FieldProblem] = []
    if channel not in STAFF_CHANNELS:
        problems.append(
            problem(
                "intake_channel",
                "channel_not_for_staff",
                _("This intake channel is not for cases entered by staff."),
                _("Use one of: {names}.").format(names=", ".join(sorted(STAFF_CHANNELS))),
            )
        )
    if opens_for_any_post(actor):
        return (
            data.representation_code,
            channel,
            problems + representation_problems(data.representation_code),
        )
    own = actor.representation_code
    if data.representation_code is not None and data.representation_code != own:
        problems.append(
            problem(
                "representation_code",
                "other_representation",
                _("You can open cases only for your own representation."),
                _("Leave it out, or ask the other representation to open the case."),
            )
        )
    return own, channel, problems


def event_data(case: Case) -> dict[str, object]:
    """What a case's published events say of it: codes only, nobody's identity."""
    return {
        "reference": case.reference,
        "category": case.category,
        "priority": case.priority,
        "status": case.status,
        "representation_code": case.representation_code,
    }


def intake_case(session: Session, *, intake: Intake, actor: Actor | None) -> Case:
    """Create a validated case: triage, reference, clocks, people, timeline and audit.

    The one way every door (staff, agencies, citizens, partners' consultations) creates a
    case; callers check who may use their door and validate the input first.
    """
    now = utcnow()
    decided = triage(
        intake.category, death_penalty=intake.death_penalty, danger_to_life=intake.danger_to_life
    )
    cipher = get_cipher()
    case = Case(
        id=uuid.uuid4(),
        reference=references.next_reference(
            session, representation_code=intake.representation_code, year=now.year
        ),
        representation_code=intake.representation_code,
        category=intake.category.code,
        subcategory=intake.subcategory,
        summary=intake.summary,
        priority=decided.priority,
        priority_rank=PRIORITY_RANK[decided.priority],
        death_penalty=intake.death_penalty,
        danger_to_life=intake.danger_to_life,
        status=CaseStatus.NEW,
        intake_channel=intake.channel,
        created_by_account_id=actor.account_id if actor and actor.is_staff else None,
        requester_account_id=intake.requester_account_id,
        contact_phone_encrypted=cipher.encrypt(intake.contact_phone, purpose=CONTACT_PURPOSE)
        if intake.contact_phone
        else None,
        contact_email_encrypted=cipher.encrypt(intake.contact_email, purpose=CONTACT_PURPOSE)
        if intake.contact_email
        else None,
        contact_country=intake.contact_country,
        contact_city=intake.contact_city,
        created_at=now,
        updated_at=now,
    )
    workflow.start_clocks(case, intake.category, now)
    people = [
        CasePerson(
            case_id=case.id,
            person_id=person.person_id,
            name=person.name,
            phone_encrypted=cipher.encrypt(person.phone, purpose=CONTACT_PURPOSE)
            if person.phone
            else None,
        )
        for person in intake.people
    ]
    # The case and its people are certainly new: plain INSERTs (one statement on PostgreSQL)
    # instead of the unit of work, as every door opens cases this way and a call for help in
    # a crisis thousands a minute. The case then joins the session as a loaded row, so a
    # caller's later change to it is flushed as usual.
    session.flush()  # the caller's pending rows (a person the case names) go first
    insert_new(session, [case, *people])
    make_transient_to_detached(case)
    session.add(case)
    write_event(
        session,
        case.id,
        kind=EventKind.CREATED,
        actor=actor,
        at=now,
        data={"channel": intake.channel, "priority": decided.priority, "rule": decided.rule},
    )
    events.record(
        session,
        event_type=events.EventType.CASE_OPENED,
        subject_id=case.id,
        representation_code=case.representation_code,
        data=event_data(case),
        at=now,
    )
    audit.record(
        session,
        actor=actor,
        action="case.create",
        entity_type="case",
        entity_id=str(case.id),
        subject_person_id=next((p.person_id for p in intake.people if p.person_id), None),
        fields=["category", "summary", "priority"],
    )
    return case
