"""Citizens asking for help: with or without an account, rate-limited, routed to the post
whose jurisdiction covers where they are; and a citizen's own list of requests.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.cases import service
from peduli.cases.models import Case, CaseEvent, CasePerson, IntakeChannel, Visibility
from peduli.cases.schemas import HelpRequestCreate
from peduli.core import ratelimit
from peduli.core.crypto import get_cipher
from peduli.core.errors import FieldProblem, Forbidden, require_valid
from peduli.core.i18n import _
from peduli.core.names import name_problems
from peduli.reference.profile import get_profile
from peduli.reference.representations import Representation, load_directory

PER_IP_PER_HOUR = 10
PER_CONTACT_PER_DAY = 5
HOUR, DAY = 3600, 86400


@dataclass(frozen=True)
class HelpRequestOutcome:
    case: Case
    representation: Representation


def _limit(session: Session, *, actor: Actor | None, ip: str, contact_key: str | None) -> None:
    ratelimit.hit(session, key=f"help:ip:{ip}", limit=PER_IP_PER_HOUR, window_seconds=HOUR)
    if actor is not None:
        ratelimit.hit(
            session,
            key=f"help:account:{actor.account_id}",
            limit=PER_CONTACT_PER_DAY,
            window_seconds=DAY,
        )
    if contact_key is not None:
        ratelimit.hit(
            session,
            key=f"help:contact:{contact_key}",
            limit=PER_CONTACT_PER_DAY,
            window_seconds=DAY,
        )


def submit_help_request(
    session: Session, *, data: HelpRequestCreate, actor: Actor | None, ip: str
) -> HelpRequestOutcome:
    """Open a case from a citizen's request in the representation serving where they are."""
    if actor is not None and actor.role != Role.CITIZEN:
        raise Forbidden(
            _("Staff open cases with POST /api/v1/cases; this form is for citizens."),
            code="citizens_only",
        )
    country = data.country.upper()
    phone, problems = service.normalize_phone(
        data.contact_phone, field="contact_phone", region=country
    )
    email = str(data.contact_email).lower() if data.contact_email else None
    contact = phone or email
    _limit(
        session,
        actor=actor,
        ip=ip,
        contact_key=get_cipher().blind_index(contact, purpose="help_contact") if contact else None,
    )
    category, category_problems = service.category_problems(data.category, data.subcategory)
    problems += category_problems + name_problems(data.name, field="name")
    if actor is None and not contact and not any(p.field == "contact_phone" for p in problems):
        problems.append(
            FieldProblem(
                "contact_phone",
                "contact_required",
                _("Give a phone number or an email address so we can reach you."),
                _("Or sign in first; then we reach you through your account."),
            )
        )
    directory = load_directory(get_profile().representations_resource)
    representation = directory.resolve(
        country=country,
        subdivision=data.subdivision.upper() if data.subdivision else None,
        city=data.city,
        latitude=data.latitude,
        longitude=data.longitude,
    )
    if representation is None:
        problems.append(
            FieldProblem(
                "country",
                "no_representation",
                _("No representation serves this country."),
                _("Check the country code (ISO 3166-1, e.g. KR), or call the ministry's hotline."),
            )
        )
    require_valid(problems)
    assert category is not None and representation is not None
    person_id = actor.person_id if actor is not None else None
    case = service.intake_case(
        session,
        intake=service.Intake(
            category=category,
            subcategory=data.subcategory,
            summary=data.summary,
            representation_code=representation.code,
            channel=IntakeChannel.CITIZEN_REQUEST,
            death_penalty=data.death_penalty,
            danger_to_life=data.danger_to_life,
            people=(service.NewPerson(person_id, None if person_id else data.name, phone),),
            contact_phone=phone,
            contact_email=email,
            contact_country=country,
            contact_city=data.city,
            requester_account_id=actor.account_id if actor is not None else None,
        ),
        actor=actor,
    )
    return HelpRequestOutcome(case=case, representation=representation)


@dataclass(frozen=True)
class MyRequest:
    case: Case
    shared_notes: list[CaseEvent]


def my_help_requests(session: Session, *, actor: Actor, limit: int = 50) -> list[MyRequest]:
    """A citizen's cases (asked for by them, or about their record) with shared notes only."""
    if actor.role != Role.CITIZEN:
        raise Forbidden(_("Only citizens have help requests."), code="citizens_only")
    mine = Case.requester_account_id == actor.account_id
    if actor.person_id is not None:
        about_me = exists().where(
            CasePerson.case_id == Case.id, CasePerson.person_id == actor.person_id
        )
        mine = or_(mine, about_me)
    cases = list(
        session.scalars(select(Case).where(mine).order_by(Case.created_at.desc()).limit(limit))
    )
    notes: dict[object, list[CaseEvent]] = {case.id: [] for case in cases}
    if cases:
        for event in session.scalars(
            select(CaseEvent)
            .where(
                CaseEvent.case_id.in_(list(notes)),
                CaseEvent.visibility == Visibility.SHARED,
                CaseEvent.kind.in_(["note", "call"]),
            )
            .order_by(CaseEvent.seq)
        ):
            notes[event.case_id].append(event)
    return [MyRequest(case=case, shared_notes=notes[case.id]) for case in cases]
