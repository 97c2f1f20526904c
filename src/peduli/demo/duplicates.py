"""Possible duplicates in the demo officers' own posts: for a few people of Seoul, Kuala
Lumpur and Hong Kong, a second self-report as a citizen reported twice would make it (the
name written another way, no NIK, a new passport and phone), filed by the post's officer
through the registry, whose matching flags the pair. So every demo officer's duplicates tab
has work, however the random population fell.
"""

from __future__ import annotations

import random

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.auth.models import StaffAccount
from peduli.core.crypto import get_cipher
from peduli.demo.cases import DEMO_POSTS
from peduli.demo.phones import phone_plan
from peduli.demo.spellings import spelling_variant
from peduli.reference.profile import get_profile
from peduli.registry import service
from peduli.registry.models import (
    PASSPORT_PURPOSE,
    DuplicateCandidate,
    DuplicateStatus,
    Passport,
    Person,
    PersonStatus,
    Stay,
    StayStatus,
)
from peduli.registry.schemas import SelfReportCreate

PER_POST = 3


def ensure_demo_duplicates(session: Session, *, seed: int = 2026, per_post: int = PER_POST) -> int:
    """File second reports in each demo post that has people but no open possible duplicate
    yet; returns how many pairs the registry flagged."""
    rng = random.Random(seed)
    flagged = 0
    for post in DEMO_POSTS:
        officer = _officer(session, post)
        if officer is None or _has_open_pair(session, post):
            continue
        for person, stay in _people_of(session, post, per_post):
            before = _open_pairs(session, post)
            service.submit_self_report(
                session, report=_second_report(session, rng, person, stay), actor=officer
            )
            flagged += _open_pairs(session, post) - before
    return flagged


def _officer(session: Session, post: str) -> Actor | None:
    account = session.scalar(
        select(StaffAccount)
        .where(StaffAccount.role == Role.OFFICER.value, StaffAccount.representation_code == post)
        .order_by(StaffAccount.created_at)
        .limit(1)
    )
    if account is None:
        return None
    return Actor(
        role=Role.OFFICER,
        account_id=account.id,
        display=account.display_name,
        representation_code=post,
    )


def _open_pairs(session: Session, post: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(DuplicateCandidate)
            .where(
                DuplicateCandidate.representation_code == post,
                DuplicateCandidate.status == DuplicateStatus.OPEN,
            )
        )
        or 0
    )


def _has_open_pair(session: Session, post: str) -> bool:
    return _open_pairs(session, post) > 0


def _people_of(session: Session, post: str, count: int) -> list[tuple[Person, Stay]]:
    """The post's first people with an active stay (and a NIK, so the pair is plausible)."""
    flagged = exists().where(
        (DuplicateCandidate.person_id == Person.id)
        | (DuplicateCandidate.other_person_id == Person.id)
    )
    rows = session.execute(
        select(Person, Stay)
        .join(Stay, Stay.person_id == Person.id)
        .where(
            Stay.representation_code == post,
            Stay.status == StayStatus.ACTIVE,
            Person.status == PersonStatus.ACTIVE,
            Person.nik_index.is_not(None),
            ~flagged,
        )
        .order_by(Person.created_at, Person.id)
        .limit(count)
    ).all()
    return [(person, stay) for person, stay in rows]


def _second_report(
    session: Session, rng: random.Random, person: Person, stay: Stay
) -> SelfReportCreate:
    """The same person reported again, as ``population.Population`` writes a second report."""
    return SelfReportCreate(
        nik=None,
        passport_number=_new_passport(session, rng),
        full_name=spelling_variant(rng, person.full_name),
        date_of_birth=person.date_of_birth,
        place_of_birth=person.place_of_birth,
        sex=person.sex,  # "M" or "F" as stored
        phone=phone_plan(stay.country, rng).draw(rng),
        email=None,
        language=person.preferred_language,
        country=stay.country,
        subdivision=stay.subdivision,
        city=stay.city,
        latitude=stay.latitude,
        longitude=stay.longitude,
        purpose=stay.purpose,  # a Purpose value as stored
        sector=stay.sector,
        employer=stay.employer,
        arrival_date=stay.arrival_date,
        planned_end_date=stay.planned_end_date,
        consent=True,
    )


def _new_passport(session: Session, rng: random.Random) -> str:
    """A passport number no one in the registry holds yet."""
    profile = get_profile()
    while True:
        number = profile.sample_passport(rng)
        index = get_cipher().blind_index(number, purpose=PASSPORT_PURPOSE)
        if session.scalar(select(Passport.id).where(Passport.number_index == index)) is None:
            return number
