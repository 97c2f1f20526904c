"""Demo protection cases: a few dozen realistic cases across the categories for the demo
posts, created through the cases services (triage, references, timeline, outcomes, stats)
exactly as officers would create them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.auth.models import StaffAccount
from peduli.cases import casework, outcomes, service
from peduli.cases.models import Case, CaseStatus, Visibility, WaitingOn
from peduli.cases.schemas import CaseCreate, CasePersonIn, OutcomeCreate
from peduli.core.db import utcnow
from peduli.registry.models import Person, Stay

DEMO_POSTS = ("kbri-seoul", "kbri-kuala-lumpur", "kjri-hong-kong")
CURRENCY = {"kbri-seoul": "KRW", "kbri-kuala-lumpur": "MYR", "kjri-hong-kong": "HKD"}
AMOUNT = {"KRW": 4_500_000, "MYR": 6_000, "HKD": 14_000}


@dataclass(frozen=True)
class Story:
    category: str
    subcategory: str | None
    summary: str
    status: str
    outcome: str | None = None
    people: int = 1
    death_penalty: bool = False
    danger_to_life: bool = False
    crew: int = 0


STORIES: tuple[Story, ...] = (
    Story("labour", "unpaid_wages", "Factory worker unpaid for four months; employer "
          "promises payment 'next month' again.", "resolved", "money_recovered"),
    Story("labour", "contract_violation", "Contract says 8 hours, made to work 14 hours "
          "seven days a week; passport held by the employer.", "in_progress"),
    Story("labour", "employer_abuse", "Domestic worker reports beatings by the employer's "
          "son; hiding at a friend's place.", "in_progress", danger_to_life=True),
    Story("job_fraud", "fake_job_offer", "Paid an agent IDR 35 million for a job that did "
          "not exist; stranded without a return ticket.", "waiting"),
    Story("job_fraud", "non_procedural_placement", "Entered on a tourist visa through an "
          "unlicensed recruiter; now without papers.", "triaged"),
    Story("trafficking", None, "Three women recruited as waitresses forced into sex work; "
          "one managed to call the hotline.", "resolved", "repatriated", people=3),
    Story("detention", "criminal_charge", "Arrested for drug possession; family says the bag "
          "was given to him at the airport. Capital charge.", "in_progress",
          death_penalty=True),
    Story("detention", "criminal_charge", "Sentenced to death in 2019; appeal pending. "
          "Lawyer hired by the embassy.", "resolved", "death_sentence_commuted",
          death_penalty=True),
    Story("detention", "immigration_detention", "Held at an immigration depot for overstay; "
          "asks for travel document.", "resolved", "released_from_detention"),
    Story("hostage", None, "Fishing boat crew member taken by an armed group at sea; "
          "ransom demanded.", "resolved", "freed_from_hostage", people=2),
    Story("online_scam", "scam_compound", "Recruited for 'customer service'; held in a "
          "compound and forced to run online scams.", "in_progress", people=4,
          danger_to_life=True),
    Story("online_scam", "online_gambling", "Worker lost savings to an online gambling "
          "site and is threatened by lenders.", "new"),
    Story("ship_crew", "unpaid_wages", "Eleven ABK on a long-line vessel unpaid for 10 "
          "months; the ship is in port this week.", "resolved", "money_recovered",
          people=11, crew=4),
    Story("ship_crew", "abandonment", "Crew abandoned in port after the owner went "
          "bankrupt; no food on board.", "waiting", crew=3),
    Story("immigration", "deportation", "Deportation order after visa expiry; needs SPLP "
          "and a flight home.", "closed", "repatriated"),
    Story("immigration", "lost_documents", "Passport stolen on the subway; needs an "
          "emergency travel document.", "resolved", "documents_issued"),
    Story("illness_death", "illness", "Stroke at work; in intensive care, employer "
          "refuses to pay the hospital.", "in_progress", "medical_care_arranged"),
    Story("illness_death", "repatriation_of_remains", "Worker died in a work accident; "
          "family asks for the body to be sent home to NTT.", "resolved",
          "remains_repatriated"),
    Story("family_civil", "marriage_divorce", "Asks how to register a marriage with a "
          "local citizen at the embassy.", "new"),
    Story("family_civil", "child_custody", "Ex-husband refuses to return the child after "
          "a visit.", "triaged"),
    Story("disaster_conflict", "natural_disaster", "Flooding in the dormitory area; "
          "twenty workers cannot reach their employer.", "resolved", "evacuated",
          people=20),
    Story("labour", "unpaid_wages", "Caregiver's last salary and severance withheld after "
          "contract end.", "waiting"),
)  # fmt: skip


def _actor(account: StaffAccount) -> Actor:
    return Actor(
        role=Role(account.role),
        account_id=account.id,
        display=account.display_name,
        representation_code=account.representation_code,
    )


def demo_officers(session: Session) -> dict[str, Actor]:
    """The demo officer of each demo post, as the actor their requests would carry."""
    accounts = session.scalars(
        select(StaffAccount).where(
            StaffAccount.role == Role.OFFICER.value,
            StaffAccount.representation_code.in_(DEMO_POSTS),
        )
    )
    return {a.representation_code or "": _actor(a) for a in accounts}


def _registered(session: Session, post: str, count: int) -> list[Person]:
    return list(
        session.scalars(
            select(Person)
            .join(Stay, Stay.person_id == Person.id)
            .where(Stay.representation_code == post)
            .order_by(Person.created_at)
            .limit(count)
        )
    )


def ensure_demo_cases(session: Session, *, seed: int = 2026) -> int:
    """Create the demo cases of each demo post once (none for a post that has a case, e.g.
    from an SOS tried before); returns how many."""
    officers = demo_officers(session)
    rng = random.Random(seed)
    created = 0
    for post in DEMO_POSTS:
        officer = officers.get(post)
        if officer is None or _has_cases(session, post):
            continue
        people = _registered(session, post, len(STORIES))
        for index, story in enumerate(STORIES):
            if (index + DEMO_POSTS.index(post)) % 4 == 3:
                continue  # each post gets a different three quarters of the stories
            person = people[index] if index < len(people) and index % 2 == 0 else None
            _tell(session, story, officer, post, person, rng)
            created += 1
    return created


def _has_cases(session: Session, post: str) -> bool:
    return bool(
        session.scalar(
            select(func.count()).select_from(Case).where(Case.representation_code == post)
        )
    )


def _tell(
    session: Session,
    story: Story,
    officer: Actor,
    post: str,
    person: Person | None,
    rng: random.Random,
) -> None:
    crew = [CasePersonIn(name=f"ABK {n + 1}", phone=None) for n in range(story.crew)]
    case = service.open_case(
        session,
        data=CaseCreate(
            category=story.category,
            subcategory=story.subcategory,
            summary=story.summary,
            person_id=person.id if person else None,
            death_penalty=story.death_penalty,
            danger_to_life=story.danger_to_life,
            people=crew,
            intake_channel=rng.choice(["walk_in", "phone", "phone", "emergency"]),
        ),
        actor=officer,
    )
    path = {
        "new": [],
        "triaged": ["triaged"],
        "in_progress": ["triaged", "in_progress"],
        "waiting": ["triaged", "in_progress", "waiting"],
        "resolved": ["triaged", "in_progress", "resolved"],
        "closed": ["triaged", "in_progress", "resolved", "closed"],
    }[story.status]
    if path:
        casework.assign(session, case_id=case.id, actor=officer, officer_id=officer.account_id)
    for step in path:
        if step == "resolved" and story.outcome:
            _record(session, case, officer, story, post, rng)
        if step == "in_progress":
            casework.add_note(
                session,
                case_id=case.id,
                actor=officer,
                text="Kami sudah menerima laporan Anda dan sedang menanganinya.",
                visibility=Visibility.SHARED,
            )
        casework.transition(
            session,
            case_id=case.id,
            actor=officer,
            to=CaseStatus(step),
            waiting_on=WaitingOn.AGENCY if step == "waiting" else None,
        )
    if story.status == "in_progress" and story.outcome:
        _record(session, case, officer, story, post, rng)


def _record(
    session: Session, case: Case, officer: Actor, story: Story, post: str, rng: random.Random
) -> None:
    assert story.outcome is not None
    money = story.outcome == "money_recovered"
    currency = CURRENCY[post]
    outcomes.record_outcome(
        session,
        case_id=case.id,
        actor=officer,
        data=OutcomeCreate(
            kind=story.outcome,
            people=story.people,
            achieved_on=(utcnow() - timedelta(days=rng.randint(0, 120))).date(),
            amount=Decimal(AMOUNT[currency] * story.people) if money else None,
            currency=currency if money else None,
        ),
    )
