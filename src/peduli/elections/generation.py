"""Generating a round of every post's list from the registry, in set-based statements.

One ``INSERT … SELECT`` copies the eligible citizens abroad (``workflow.eligible`` in SQL)
from the registry's active stays and people, each with their voting method proposed
(``workflow.proposed_method`` in SQL) and an ordinal within their post and method; one
``UPDATE`` then assigns each voter of a polling station or mobile box to one of the post's,
in turn by that ordinal (alphabetical by city, then name). Sealed values are copied as
ciphertext; nothing is opened.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core.db import is_postgres, utcnow
from peduli.core.errors import Conflict
from peduli.core.i18n import _
from peduli.elections import access, civil_status, workflow
from peduli.elections.models import ElectorFact, Method, PollingPlace, VoterEntry, VoterList
from peduli.reference.places import directory
from peduli.registry.models import (
    ContactKind,
    ContactPoint,
    Passport,
    Person,
    PersonStatus,
    Stay,
    StayStatus,
)

KM_PER_DEGREE = 111.2
CIVIL = civil_status.answer()  # the civil registry's marital status, outer-joined


@dataclass(frozen=True)
class Generated:
    round: int
    lists: int
    voters: int


def _squared_degrees(km: float) -> float:
    return (km / KM_PER_DEGREE) ** 2


def _post_geometry(codes: list[str]) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """Per stay: the squared distance to its post in degrees (None without coordinates), and
    whether it lies outside the country of the post's seat; CASE expressions over the posts."""
    import math

    posts = [p for p in directory().all() if p.code in set(codes)]
    if not posts:
        return literal(None), false()
    squared = case(
        {
            p.code: (Stay.latitude - p.latitude) * (Stay.latitude - p.latitude)
            + (Stay.longitude - p.longitude)
            * math.cos(math.radians(p.latitude))
            * (Stay.longitude - p.longitude)
            * math.cos(math.radians(p.latitude))
            for p in posts
        },
        value=Stay.representation_code,
        else_=None,
    )
    seat = case({p.code: p.country for p in posts}, value=Stay.representation_code, else_=None)
    return squared, Stay.country != seat


def _method(codes: list[str]) -> ColumnElement[str]:
    squared, abroad_of_seat = _post_geometry(codes)
    return case(
        (or_(abroad_of_seat, squared > _squared_degrees(workflow.POS_KM)), Method.POS.value),
        (Stay.sector.in_(workflow.KSK_SECTORS), Method.KSK.value),
        (
            and_(
                Stay.sector.in_(workflow.KSK_WHEN_FAR_SECTORS),
                squared > _squared_degrees(workflow.KSK_KM),
            ),
            Method.KSK.value,
        ),
        else_=Method.TPSLN.value,
    )


def _contact() -> Any:
    """A person's phone (else email), as stored: the primary first."""
    return (
        select(ContactPoint.value)
        .where(
            ContactPoint.person_id == Person.id,
            ContactPoint.kind.in_((ContactKind.PHONE.value, ContactKind.EMAIL.value)),
        )
        .order_by(
            case((ContactPoint.kind == ContactKind.PHONE.value, 0), else_=1),
            ContactPoint.is_primary.desc(),
        )
        .limit(1)
        .scalar_subquery()
    )


def _passport() -> Any:
    return (
        select(Passport.number_encrypted)
        .where(Passport.person_id == Person.id, Passport.is_current)
        .order_by(Passport.reported_at.desc())
        .limit(1)
        .scalar_subquery()
    )


def newest_active_stays() -> Any:
    """Each person's newest active stay per post (``rank`` 1), as a subquery."""
    return (
        select(
            Stay.id.label("stay_id"),
            func.row_number()
            .over(
                partition_by=(Stay.person_id, Stay.representation_code),
                order_by=(Stay.arrival_date.desc(), Stay.id),
            )
            .label("rank"),
        )
        .where(Stay.status == StayStatus.ACTIVE.value, Stay.representation_code.is_not(None))
        .subquery()
    )


def may_vote(election_day: Any) -> ColumnElement[bool]:
    """``workflow.eligible`` over a person, their elector facts and the civil registry's
    marital status (both outer-joined)."""
    cutoff = workflow.seventeenth_birthday_by(election_day)
    return and_(
        Person.status == PersonStatus.ACTIVE.value,
        or_(
            Person.date_of_birth <= cutoff,
            civil_status.ever_married(ElectorFact, CIVIL).is_(True),
        ),
        or_(ElectorFact.armed_forces_active.is_(None), ElectorFact.armed_forces_active.is_(False)),
        or_(ElectorFact.right_removed.is_(None), ElectorFact.right_removed.is_(False)),
    )


def generate(session: Session, *, election_id: uuid.UUID, actor: Actor) -> Generated:
    """A new round of every post's list (DP4LN): lists, entries and places, set-based."""
    access.require_organiser(session, actor, action="elections.generate")
    election = access.election(session, election_id)
    latest = session.scalar(
        select(func.max(VoterList.round)).where(VoterList.election_id == election_id)
    )
    if latest and session.scalar(
        select(func.count()).where(
            VoterList.election_id == election_id,
            VoterList.round == latest,
            VoterList.state == workflow.State.FIXED.value,
        )
    ):
        raise Conflict(_("A voter list of this election is already fixed."), code="list_fixed")
    round_ = (latest or 0) + 1
    # A list for every post with citizens abroad (some may have no voter).
    found = session.scalars(
        select(Stay.representation_code)
        .where(Stay.status == StayStatus.ACTIVE.value, Stay.representation_code.is_not(None))
        .distinct()
    )
    codes = sorted(code for code in found if code)
    now = utcnow()
    civil_status.ask(session, election=election, now=now)  # for the next round's newcomers
    try:
        # Two organisers generating at the same moment both take the same round: the second
        # meets the lists' unique key and is told so, instead of an error page.
        with session.begin_nested():
            session.add_all(
                VoterList(election_id=election_id, representation_code=code, round=round_,
                          state=workflow.State.DRAFT.value, generated_at=now)
                for code in codes
            )  # fmt: skip
    except IntegrityError as error:
        raise Conflict(
            _("These lists are being generated by someone else right now; reload in a minute."),
            code="generation_running",
        ) from error
    voters = _insert_entries(session, election_id=election_id, round_=round_, codes=codes,
                             election_day=election.election_day)  # fmt: skip
    if is_postgres(session):
        # Fresh statistics, or the checks' look-ups by NIK plan as if the round were empty.
        session.execute(text("ANALYZE voter_entry"))
    assign_places(session, election_id=election_id, where=VoterEntry.round == round_)
    audit.record(
        session, actor=actor, action="elections.generated", entity_type="election",
        entity_id=str(election_id), reason=f"round {round_}: {voters} voters, {len(codes)} posts",
    )  # fmt: skip
    return Generated(round_, len(codes), voters)


def _insert_entries(
    session: Session, *, election_id: uuid.UUID, round_: int, codes: list[str], election_day: Any
) -> int:
    method = _method(codes)
    newest = newest_active_stays()
    rows = (
        select(
            VoterList.id.label("list_id"),
            literal(election_id).label("election_id"),
            literal(round_).label("round"),
            Stay.representation_code,
            Person.id.label("person_id"),
            Person.nik_encrypted,
            Person.nik_index,
            _passport().label("passport_encrypted"),
            Person.full_name,
            Person.sex,
            Person.date_of_birth,
            Person.place_of_birth,
            civil_status.ever_married(ElectorFact, CIVIL).label("ever_married"),
            Stay.country,
            Stay.city,
            Stay.address.label("address_encrypted"),
            _contact().label("contact_encrypted"),
            Person.verification,
            Stay.sector,
            method.label("proposed_method"),
            method.label("method"),
            func.row_number()
            .over(
                partition_by=(Stay.representation_code, method),
                order_by=(Stay.city, Person.name_key, Person.id),
            )
            .label("ordinal"),
        )
        .select_from(Stay)
        .join(newest, and_(newest.c.stay_id == Stay.id, newest.c.rank == 1))
        .join(Person, Person.id == Stay.person_id)
        .outerjoin(ElectorFact, ElectorFact.person_id == Person.id)
        .outerjoin(CIVIL, civil_status.answer_of(CIVIL, Person.id))
        .join(
            VoterList,
            and_(
                VoterList.election_id == election_id,
                VoterList.round == round_,
                VoterList.representation_code == Stay.representation_code,
            ),
        )
        .where(may_vote(election_day))
    )
    names = list(rows.selected_columns.keys())
    result = session.execute(
        insert(VoterEntry).from_select(names, rows), execution_options={"preserve_rowcount": True}
    )
    return int(getattr(result, "rowcount", 0) or 0)


def assign_places(session: Session, *, election_id: uuid.UUID, where: ColumnElement[bool]) -> None:
    """Give each selected voter of a station or a box one of their post's, in turn."""

    def same(place: Any) -> ColumnElement[bool]:
        return and_(
            place.election_id == VoterEntry.election_id,
            place.representation_code == VoterEntry.representation_code,
            place.kind == VoterEntry.method,
        )

    counted = aliased(PollingPlace, name="counted_place")
    count = (
        select(func.count())
        .select_from(counted)
        .where(same(counted))
        .correlate(VoterEntry)
        .scalar_subquery()
    )
    place = (
        select(PollingPlace.id)
        .where(
            same(PollingPlace),
            PollingPlace.seq == (VoterEntry.ordinal - 1) % func.nullif(count, 0),
        )
        .limit(1)
        .scalar_subquery()
    )
    # Only voters of a method their post has places for: the others keep no place, unwritten.
    session.execute(
        update(VoterEntry)
        .where(
            VoterEntry.election_id == election_id,
            where,
            VoterEntry.method.in_((Method.TPSLN.value, Method.KSK.value)),
            select(counted.id).where(same(counted)).exists(),
        )
        .values(polling_place_id=place)
        .execution_options(synchronize_session=False)
    )
