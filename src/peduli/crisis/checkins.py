"""Check-ins: "I am safe" / "I need help" from a personal link or an SMS reply.

The signed link is the only credential: it names one recipient row, so an answer needs no
account and no session. An SMS reply is matched by the sender's phone to that person's
latest broadcast. A person's first "I need help" in a crisis opens a critical case and
raises an emergency on it, so the post's duty officer is alerted and escalation follows as
for an SOS; later ones add to that case without paging anyone again.

A citizen's answer only writes the check-in: in a crisis thousands answer at once, and the
answer must be fast and never fail on the case machinery. The worker raises the calls for
help a moment later (``raise_calls_for_help``, every second, any number of workers), so the
duty officer's phone rings within seconds, as for an SOS whose alert the worker sends too.
An officer recording a call for help (``raise_help_now``) opens the case at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from peduli.cases import service as cases_service
from peduli.cases import taxonomy
from peduli.cases.models import IntakeChannel
from peduli.core.db import is_postgres, utcnow
from peduli.core.errors import FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.core.logging import get_logger
from peduli.core.periodic import SessionFactory
from peduli.crisis import checkin_answers, links
from peduli.crisis.checkin_answers import RecordedCheckIn
from peduli.crisis.models import Answer, CheckIn, Crisis, CrisisKind, Recipient
from peduli.crisis.schemas import CheckInCreate
from peduli.emergency import crisis_help
from peduli.registry.models import ContactKind, ContactPoint, Person, Stay
from peduli.registry.rights import ErasureStep

log = get_logger(__name__)


@dataclass(frozen=True)
class LinkView:
    """What the check-in page shows: the crisis, and the answer given so far."""

    recipient: Recipient
    crisis: Crisis


def recipient_for(session: Session, token: str) -> Recipient:
    """The recipient a genuine token names; a forged or unknown one is not found."""
    recipient_id = links.read_token(token)
    recipient = session.get(Recipient, recipient_id) if recipient_id is not None else None
    if recipient is None:
        raise _invalid_link()
    return recipient


def view(session: Session, token: str) -> LinkView:
    """The recipient and crisis behind a link, for the check-in page."""
    recipient = recipient_for(session, token)
    return LinkView(recipient=recipient, crisis=session.get_one(Crisis, recipient.crisis_id))


def check_in(session: Session, *, body: CheckInCreate, via: str = "api") -> RecordedCheckIn:
    """Record an answer; the latest answer is the recipient's current one."""
    if (body.latitude is None) != (body.longitude is None):
        raise ValidationFailed(
            [
                FieldProblem(
                    field="latitude" if body.latitude is None else "longitude",
                    code="incomplete_location",
                    message=_("Give both latitude and longitude, or neither."),
                )
            ]
        )
    recipient_id = links.read_token(body.token)
    if recipient_id is None:
        raise _invalid_link()
    return record(
        session,
        recipient_id=recipient_id,
        answer=body.answer,
        latitude=body.latitude,
        longitude=body.longitude,
        place=body.place or None,
        note=body.note or None,
        via=via,
    )


def _invalid_link() -> NotFound:
    return NotFound(_("This check-in link is not valid. Open the link exactly as you received it."))


def record(
    session: Session,
    *,
    recipient_id: int,
    answer: Answer,
    latitude: float | None = None,
    longitude: float | None = None,
    place: str | None = None,
    note: str | None = None,
    via: str,
    raise_help_now: bool = False,
) -> RecordedCheckIn:
    """Write the check-in and make it the current answer on the person's broadcasts.

    Core statements built once, no unit of work: either answer is one round trip on
    PostgreSQL. "I need help" is left for the worker to raise unless ``raise_help_now``.
    """
    checkin = RecordedCheckIn(
        id=uuid.uuid4(),
        recipient_id=recipient_id,
        answer=Answer(answer).value,
        latitude=latitude,
        longitude=longitude,
        place=place,
        note=note,
        via=via,
        created_at=utcnow(),
    )
    if checkin.answer == Answer.NEED_HELP and raise_help_now:
        checkin.case_id = _case_for(session, recipient_id, note=note, place=place)
        checkin.help_raised_at = checkin.created_at
    target = checkin_answers.write(session, checkin)
    if target is None:
        raise _invalid_link()
    checkin.crisis_id = target.crisis_id
    checkin.person_id = target.person_id
    checkin.representation_code = target.representation_code
    return checkin


# Calls for help raised per turn of a worker; more wait for the next second.
RAISE_PER_TURN = 200


def _next_to_raise(skipping: Sequence[uuid.UUID]) -> Any:
    """The oldest call for help not raised yet (nor failing this turn), locked for this
    worker (others skip it)."""
    return (
        select(CheckIn.id, CheckIn.recipient_id, CheckIn.note, CheckIn.place)
        .where(
            CheckIn.answer == Answer.NEED_HELP,
            CheckIn.help_raised_at.is_(None),
            CheckIn.id.not_in(skipping),
        )
        .order_by(CheckIn.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def raise_calls_for_help(session_factory: SessionFactory, _now: datetime) -> int:
    """Open (or join) the case of every call for help not raised yet, oldest first; returns
    how many.

    Each call in a transaction of its own: on SQLite a batch in one transaction held the one
    writer's turn for all of them, and the citizens' answers waited behind it. One that fails
    is logged and waits for the next turn without holding back the others.
    """
    raised, failing = 0, list[uuid.UUID]()
    while raised + len(failing) < RAISE_PER_TURN:
        call = None
        try:
            with session_factory() as session, session.begin():
                call = session.execute(_next_to_raise(failing)).first()
                if call is None:
                    break
                case_id = _case_for(session, call.recipient_id, note=call.note, place=call.place)
                session.execute(
                    update(CheckIn)
                    .where(CheckIn.id == call.id)
                    .values(case_id=case_id, help_raised_at=utcnow())
                )
        except Exception:
            if call is None:
                raise  # the database itself failed: the worker logs it and tries next turn
            log.exception("raising a call for help failed; trying again", checkin_id=call.id)
            failing.append(call.id)
            continue
        raised += 1
    return raised


CASE_CATEGORY = "disaster_conflict"
CONFLICT_KINDS = frozenset(
    {CrisisKind.CONFLICT, CrisisKind.CIVIL_UNREST, CrisisKind.SCAM_COMPOUND_RAID}
)

# Everything opening a case needs, in one round trip: the recipient, the crisis, the
# person's name, their stay and phone, and the case an earlier call for help opened.
_OPENED_CASE = (
    select(CheckIn.case_id)
    .where(
        CheckIn.person_id == Recipient.person_id,
        CheckIn.crisis_id == Recipient.crisis_id,
        CheckIn.case_id.is_not(None),
    )
    .limit(1)
    .correlate(Recipient)
    .scalar_subquery()
)
_PHONE = (
    select(ContactPoint.value)
    .where(
        ContactPoint.person_id == Recipient.person_id,
        ContactPoint.kind == ContactKind.PHONE,
        ContactPoint.trusted_at.is_not(None),
    )
    .limit(1)
    .correlate(Recipient)
    .scalar_subquery()
)
_HELP_CONTEXT = (
    select(
        Recipient.person_id,
        Recipient.crisis_id,
        Recipient.representation_code,
        Crisis.title,
        Crisis.kind,
        Person.full_name,
        Stay.country,
        Stay.city,
        _PHONE.label("phone"),
        _OPENED_CASE.label("opened_case"),
    )
    .select_from(Recipient)
    .join(Crisis, Crisis.id == Recipient.crisis_id)
    .join(Person, Person.id == Recipient.person_id)
    .outerjoin(Stay, Stay.id == Recipient.stay_id)
    .where(Recipient.id == bindparam("recipient_id"))
)


def _case_for(
    session: Session, recipient_id: int, *, note: str | None, place: str | None
) -> uuid.UUID | None:
    """The person's case for this crisis: the one opened before (noted on its timeline, nobody
    paged again), or a new critical one whose emergency alerts the post's duty officer."""
    if is_postgres(session):
        # Two first calls for help of one person at once must open one case, not two: the
        # second waits here until the first commits, then finds its case.
        session.execute(_LOCK_PERSON_IN_CRISIS, {"recipient_id": recipient_id})
    found = _help_context(session, recipient_id)
    if found.opened_case is not None:
        crisis_help.crisis_help_again(
            session, case_id=found.opened_case, note=" ".join(p for p in (place, note) if p)
        )
        return found.opened_case
    category = taxonomy.load().get(CASE_CATEGORY)
    if category is None or not found.representation_code:
        return None
    subcategory = "armed_conflict" if found.kind in CONFLICT_KINDS else "natural_disaster"
    summary = _('Asked for help in the crisis "{title}".').format(title=found.title)
    details = " ".join(part for part in (place, note) if part)
    case = cases_service.intake_case(
        session,
        intake=cases_service.Intake(
            category=category,
            subcategory=subcategory,
            summary=f"{summary} {details}".strip()[:2000],
            representation_code=found.representation_code,
            channel=IntakeChannel.EMERGENCY,
            danger_to_life=True,
            people=(cases_service.NewPerson(found.person_id, found.full_name, found.phone),),
            contact_phone=found.phone,
            contact_country=found.country,
            contact_city=place or found.city,
        ),
        actor=None,
    )
    crisis_help.raise_for_crisis_help(
        session,
        case_id=case.id,
        case_reference=case.reference,
        representation_code=case.representation_code,
        phone=found.phone,
    )
    return case.id


_LOCK_PERSON_IN_CRISIS = text(
    "SELECT pg_advisory_xact_lock(hashtextextended(crisis_id::text || ':' || person_id::text, 0))"
    " FROM crisis_recipient WHERE id = :recipient_id"
)


def _help_context(session: Session, recipient_id: int) -> Any:
    found = session.connection().execute(_HELP_CONTEXT, {"recipient_id": recipient_id}).first()
    if found is None:
        raise _invalid_link()
    return found


def erase_people(
    session: Session, person_ids: Sequence[uuid.UUID], _account_id: uuid.UUID | None
) -> int:
    """A citizen's erasure: their answers keep safe/need-help, lose where and what they wrote."""
    result = session.execute(
        update(CheckIn)
        .where(CheckIn.person_id.in_(person_ids))
        .values(latitude=None, longitude=None, place=None, note=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


ERASURE_STEP = ErasureStep("crisis_checkins", erase_people)
