"""Check-ins: "I am safe" / "I need help" from a personal link or an SMS reply.

The signed link is the only credential: it names one recipient row, so an answer needs no
account and no session. An SMS reply is matched by the sender's phone to that person's
latest broadcast. Need-help check-ins not yet handled are the queue officers work from.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from peduli.cases import service as cases_service
from peduli.cases import taxonomy
from peduli.cases.models import IntakeChannel
from peduli.core.db import is_postgres, utcnow
from peduli.core.errors import FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.crisis import links
from peduli.crisis.models import Answer, CheckIn, Crisis, CrisisKind, Recipient
from peduli.crisis.schemas import CheckInCreate
from peduli.registry.models import ContactKind, ContactPoint, Person, Stay

# First word of an SMS reply, in any of the four languages, upper-cased.
SAFE_WORDS = frozenset({"AMAN", "SAFE", "SELAMAT", "OK", "安全", "平安", "SAUF", "SAIN", "SÛR"})
HELP_WORDS = frozenset({"TOLONG", "HELP", "BANTU", "SOS", "求助", "救命", "AIDE", "SECOURS"})


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
        raise NotFound(
            _("This check-in link is not valid. Open the link exactly as you received it.")
        )
    return recipient


def view(session: Session, token: str) -> LinkView:
    """The recipient and crisis behind a link, for the check-in page."""
    recipient = recipient_for(session, token)
    return LinkView(recipient=recipient, crisis=session.get_one(Crisis, recipient.crisis_id))


def check_in(session: Session, *, body: CheckInCreate, via: str = "api") -> CheckIn:
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
    if body.answer == Answer.SAFE and is_postgres(session):
        return _safe_in_one_statement(session, body, via=via)
    recipient = recipient_for(session, body.token)
    return record(
        session,
        recipient=recipient,
        answer=body.answer,
        latitude=body.latitude,
        longitude=body.longitude,
        place=body.place or None,
        note=body.note or None,
        via=via,
    )


# "I am safe" on PostgreSQL: the recipient look-up, the answer on every broadcast of the
# crisis to the person and the check-in row in one round trip (most answers are this one).
_SAFE_SQL = text(
    """
    WITH target AS (
        SELECT id, crisis_id, person_id, representation_code
        FROM crisis_recipient WHERE id = :recipient_id
    ), answered AS (
        UPDATE crisis_recipient r SET answer = :answer, answered_at = :now
        FROM target t WHERE r.crisis_id = t.crisis_id AND r.person_id = t.person_id
        RETURNING r.id
    )
    INSERT INTO crisis_checkin (id, recipient_id, crisis_id, person_id, representation_code,
                                answer, latitude, longitude, place, note, via, created_at)
    SELECT :id, t.id, t.crisis_id, t.person_id, t.representation_code, :answer,
           :latitude, :longitude, :place, :note, :via, :now
    FROM target t
    RETURNING crisis_id
    """
)


def _safe_in_one_statement(session: Session, body: CheckInCreate, *, via: str) -> CheckIn:
    recipient_id = links.read_token(body.token)
    checkin = CheckIn(
        id=uuid.uuid4(),
        recipient_id=recipient_id or 0,
        answer=Answer.SAFE,
        latitude=body.latitude,
        longitude=body.longitude,
        place=body.place or None,
        note=body.note or None,
        via=via,
        created_at=utcnow(),
    )
    crisis_id = None
    if recipient_id is not None:
        crisis_id = session.scalar(
            _SAFE_SQL,
            {
                "recipient_id": recipient_id,
                "answer": Answer.SAFE.value,
                "now": checkin.created_at,
                "id": checkin.id,
                "latitude": checkin.latitude,
                "longitude": checkin.longitude,
                "place": checkin.place,
                "note": checkin.note,
                "via": via,
            },
        )
    if crisis_id is None:
        raise NotFound(
            _("This check-in link is not valid. Open the link exactly as you received it.")
        )
    checkin.crisis_id = crisis_id
    return checkin


def record(
    session: Session,
    *,
    recipient: Recipient,
    answer: Answer,
    latitude: float | None = None,
    longitude: float | None = None,
    place: str | None = None,
    note: str | None = None,
    via: str,
) -> CheckIn:
    """Write the check-in and update the recipient's current answer."""
    now = utcnow()
    checkin = CheckIn(
        id=uuid.uuid4(),
        recipient_id=recipient.id,
        crisis_id=recipient.crisis_id,
        person_id=recipient.person_id,
        representation_code=recipient.representation_code,
        answer=answer,
        latitude=latitude,
        longitude=longitude,
        place=place,
        note=note,
        via=via,
        created_at=now,
    )
    if answer == Answer.NEED_HELP:
        checkin.case_id = _case_for(session, recipient, note=note, place=place)
    session.add(checkin)
    # Every broadcast of the crisis to this person now carries the latest answer.
    session.execute(
        update(Recipient)
        .where(
            Recipient.crisis_id == recipient.crisis_id, Recipient.person_id == recipient.person_id
        )
        .values(answer=answer, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    return checkin


CASE_CATEGORY = "disaster_conflict"
CONFLICT_KINDS = frozenset(
    {CrisisKind.CONFLICT, CrisisKind.CIVIL_UNREST, CrisisKind.SCAM_COMPOUND_RAID}
)


def _case_for(
    session: Session, recipient: Recipient, *, note: str | None, place: str | None
) -> uuid.UUID | None:
    """The person's case for this crisis: the one opened before, or a new critical one."""
    opened = session.scalar(
        select(CheckIn.case_id)
        .where(
            CheckIn.crisis_id == recipient.crisis_id,
            CheckIn.person_id == recipient.person_id,
            CheckIn.case_id.is_not(None),
        )
        .limit(1)
    )
    category = taxonomy.load().get(CASE_CATEGORY)
    if opened is not None or category is None or not recipient.representation_code:
        return opened
    crisis = session.get_one(Crisis, recipient.crisis_id)
    person = session.get_one(Person, recipient.person_id)
    stay = session.get(Stay, recipient.stay_id)
    phone = session.scalar(
        select(ContactPoint.value)
        .where(ContactPoint.person_id == person.id, ContactPoint.kind == ContactKind.PHONE)
        .limit(1)
    )
    subcategory = "armed_conflict" if crisis.kind in CONFLICT_KINDS else "natural_disaster"
    summary = _('Asked for help in the crisis "{title}".').format(title=crisis.title)
    details = " ".join(part for part in (place, note) if part)
    case = cases_service.intake_case(
        session,
        intake=cases_service.Intake(
            category=category,
            subcategory=subcategory,
            summary=f"{summary} {details}".strip()[:2000],
            representation_code=recipient.representation_code,
            channel=IntakeChannel.EMERGENCY,
            danger_to_life=True,
            people=(cases_service.NewPerson(person.id, person.full_name, phone),),
            contact_phone=phone,
            contact_country=stay.country if stay else None,
            contact_city=(place or (stay.city if stay else None)),
        ),
        actor=None,
    )
    return case.id


def parse_reply(text: str) -> tuple[Answer, str | None]:
    """The answer an SMS reply gives (its first word) and the rest as a note."""
    words = text.strip().split(maxsplit=1)
    first = re.sub(r"[^\w]", "", words[0]).upper() if words else ""
    rest = words[1].strip() if len(words) > 1 else None
    if first in SAFE_WORDS:
        return Answer.SAFE, rest
    if first in HELP_WORDS:
        return Answer.NEED_HELP, rest
    raise ValidationFailed(
        [
            FieldProblem(
                field="text",
                code="unknown_keyword",
                message=_("The reply does not start with a known keyword."),
                hint=_("Start the reply with AMAN or SAFE, or with TOLONG or HELP."),
            )
        ]
    )


def sms_reply(session: Session, *, sender: str, text: str) -> CheckIn:
    """Match an inbound SMS to the sender's latest broadcast and record the answer."""
    answer, note = parse_reply(text)
    people = select(ContactPoint.person_id).where(
        ContactPoint.kind == ContactKind.PHONE, ContactPoint.value == sender.strip()
    )
    recipient = session.scalar(
        select(Recipient)
        .where(Recipient.person_id.in_(people))
        .order_by(Recipient.created_at.desc(), Recipient.id.desc())
        .limit(1)
    )
    if recipient is None:
        raise NotFound(_("No broadcast went to this phone number."))
    return record(session, recipient=recipient, answer=answer, note=note, via="sms")
