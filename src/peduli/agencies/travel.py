"""The worker's checks of a person at immigration and BP2MI, and what they store.

``check_passport`` asks immigration about the person's current passport (its status against
what the person reported, and their recent border crossings); ``check_placements`` asks BP2MI
about a migrant worker's placements (whether BP2MI knows the worker, and whether a placement
is in the country of their stay). Each stores the answers for the person screen, replacing
the person's earlier ones, and returns the verification outcome of its source; an agency that
does not answer raises ``AgencyUnavailable`` (``verification`` defers the check, casework goes
on). ``queue_new_records`` queues both checks for new records, as the civil registry's are.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Insert, Select, delete, exists, insert, literal, select
from sqlalchemy.orm import Session

from peduli.agencies import bp2mi, immigration
from peduli.agencies.envelope import Purpose
from peduli.agencies.gateway import AgencyRefused, AgencyUnavailable
from peduli.agencies.immigration import CrossingAnswer, PassportAnswer, Question
from peduli.agencies.models import RECORD, CheckState, PersonVerification, Source
from peduli.agencies.travel_models import (
    BorderCrossing,
    PassportCheck,
    PassportStatus,
    PlacementRecord,
)
from peduli.agencies.workflow import DISCOVER_BATCH
from peduli.core.crypto import get_cipher
from peduli.core.db import insert_on_conflict, utcnow
from peduli.registry import repository as registry
from peduli.registry.models import (
    NIK_PURPOSE,
    PASSPORT_PURPOSE,
    Passport,
    Person,
    PersonStatus,
    Stay,
    StayStatus,
)
from peduli.registry.rights import deleting_rows

RECENT_CROSSINGS = timedelta(days=730)
WORKER = "agencies worker"
NEW_REPORT_CAUSE = "self-report"


@dataclass(frozen=True)
class SourceOutcome:
    """A person's verification state at one source after a check."""

    state: CheckState
    fields: tuple[str, ...] = ()
    detail: str | None = None


def _current_passport(session: Session, person_id: uuid.UUID) -> Passport | None:
    return next((p for p in registry.passports_of(session, person_id) if p.is_current), None)


def check_passport(session: Session, *, person_id: uuid.UUID, question: Question) -> SourceOutcome:
    """Immigration's word on the person's current passport, and their recent crossings (an
    outage of the crossings alone keeps the status: they are asked again next time)."""
    person = session.get(Person, person_id)
    passport = _current_passport(session, person_id)
    if person is None or passport is None:
        return SourceOutcome(CheckState.NOT_CHECKABLE, detail="no passport reported")
    number = get_cipher().decrypt(passport.number_encrypted, purpose=PASSPORT_PURPOSE)
    answer = immigration.passport_status(
        session, passport_number=number, date_of_birth=person.date_of_birth, question=question
    )
    now = utcnow()
    _store_passport(session, person_id, passport.number_index, answer, now)
    outcome = passport_outcome(answer)
    if answer.status == PassportStatus.NOT_FOUND:
        return outcome
    try:
        crossings = immigration.crossings(
            session, passport_number=number, since=(now - RECENT_CROSSINGS).date(),
            question=question,
        )  # fmt: skip
    except (AgencyUnavailable, AgencyRefused):
        return outcome  # the status stands; the crossings are asked again next time
    _store_crossings(session, person_id, crossings or [], now)
    return outcome


def passport_outcome(answer: PassportAnswer) -> SourceOutcome:
    """Verified when the passport the person reported is valid (and the birth date agrees);
    a mismatch names what does not: the passport's status, the birth date."""
    if answer.status == PassportStatus.NOT_FOUND:
        return SourceOutcome(CheckState.NOT_FOUND)
    fields = []
    if answer.status != PassportStatus.VALID:
        fields.append("passport_status")
    if answer.date_of_birth_match is False:
        fields.append("date_of_birth")
    if fields:
        return SourceOutcome(CheckState.MISMATCH, tuple(fields), detail=answer.status.value)
    return SourceOutcome(CheckState.VERIFIED, detail=answer.status.value)


def _store_passport(session: Session, person_id: uuid.UUID, number_index: str,
                    answer: PassportAnswer, now: datetime) -> None:  # fmt: skip
    session.execute(delete(PassportCheck).where(PassportCheck.person_id == person_id))
    session.add(
        PassportCheck(
            person_id=person_id,
            passport_index=number_index,
            status=answer.status.value,
            issued_on=answer.issued_on,
            expires_on=answer.expires_on,
            status_since=answer.status_since,
            replaced_by=answer.replaced_by,
            date_of_birth_match=answer.date_of_birth_match,
            checked_at=now,
        )
    )
    session.flush()


def _store_crossings(session: Session, person_id: uuid.UUID,
                     crossings: Sequence[CrossingAnswer], now: datetime) -> None:  # fmt: skip
    session.execute(delete(BorderCrossing).where(BorderCrossing.person_id == person_id))
    if crossings:
        session.execute(
            insert(BorderCrossing),
            [
                {"id": uuid.uuid4(), "person_id": person_id, "at": c.at, "direction": c.direction,
                 "port": c.port, "country": c.country, "fetched_at": now}
                for c in crossings
            ],
        )  # fmt: skip


def check_placements(
    session: Session, *, person_id: uuid.UUID, question: Question
) -> SourceOutcome:
    """BP2MI's placements of a migrant worker: verified when one is in the country of the
    worker's stay, a mismatch on ``country`` otherwise, not found when BP2MI knows no worker
    by their NIK or passport. Only for migrant workers (an active stay for work)."""
    person = session.get(Person, person_id)
    stays = [s for s in registry.stays_of(session, person_id) if s.status == StayStatus.ACTIVE]
    if person is None or not stays or stays[0].purpose != "work":
        return SourceOutcome(CheckState.NOT_CHECKABLE, detail="not a migrant worker")
    cipher = get_cipher()
    nik = (
        cipher.decrypt(person.nik_encrypted, purpose=NIK_PURPOSE) if person.nik_encrypted else None
    )
    passport = _current_passport(session, person_id)
    number = (
        cipher.decrypt(passport.number_encrypted, purpose=PASSPORT_PURPOSE) if passport else None
    )
    if nik is None and number is None:
        return SourceOutcome(CheckState.NOT_CHECKABLE, detail="no NIK or passport to ask with")
    found = bp2mi.placements(session, nik=nik, passport_number=number, question=question)
    now = utcnow()
    session.execute(delete(PlacementRecord).where(PlacementRecord.person_id == person_id))
    if found is None:
        return SourceOutcome(CheckState.NOT_FOUND)
    unique = {p.placement_id: p for p in found}
    session.execute(
        insert(PlacementRecord),
        [
            {"id": uuid.uuid4(), "person_id": person_id, "placement_id": p.placement_id,
             "employer": p.employer, "agency_licence": p.agency_licence,
             "agency_name": p.agency_name, "sector": p.sector, "country": p.country,
             "contract_start": p.contract_start, "contract_end": p.contract_end,
             "fetched_at": now}
            for p in unique.values()
        ],
    )  # fmt: skip
    if any(p.country == stays[0].country for p in found):
        return SourceOutcome(CheckState.VERIFIED)
    countries = ", ".join(sorted({p.country for p in found}))
    return SourceOutcome(CheckState.MISMATCH, ("country",), detail=f"placed in {countries}")


# A citizen's erasure: what immigration and BP2MI said of them is deleted.
ERASURE_STEP = deleting_rows(
    "agency_travel_records", PassportCheck, BorderCrossing, PlacementRecord
)


def queue_new_records(session: Session, now: datetime, *, since: datetime) -> int:
    """Queue an immigration check of every record created since ``since`` with a current
    passport, and a placements check of every migrant worker among them, that has none yet:
    one INSERT … SELECT per source over the creation index."""
    queued = 0
    with_passport = exists().where(Passport.person_id == Person.id, Passport.is_current)
    working = exists().where(
        Stay.person_id == Person.id, Stay.status == StayStatus.ACTIVE, Stay.purpose == "work"
    )
    for source, condition in ((Source.IMMIGRATION, with_passport), (Source.PLACEMENTS, working)):
        checked = exists().where(
            PersonVerification.person_id == Person.id,
            PersonVerification.source == source.value,
            PersonVerification.subject == RECORD,
        )
        rows = (
            select(
                Person.id, literal(source.value), literal(RECORD),
                literal(CheckState.QUEUED.value), literal("[]"),
                literal(Purpose.CONSULAR_SERVICE.value), literal(NEW_REPORT_CAUSE),
                literal(WORKER), literal(now, PersonVerification.requested_at.type),
                literal(now, PersonVerification.due_at.type), literal(0),
            )
            .where(Person.created_at >= since, Person.status == PersonStatus.ACTIVE,
                   condition, ~checked)
            .order_by(Person.created_at.desc())
            .limit(DISCOVER_BATCH)
        )  # fmt: skip
        columns = [
            "person_id", "source", "subject", "state", "fields", "purpose", "cause",
            "requested_by", "requested_at", "due_at", "attempts",
        ]  # fmt: skip
        result = session.execute(
            queued_unless_there(session, columns, rows),
            execution_options={"preserve_rowcount": True},
        )
        queued += int(getattr(result, "rowcount", 0) or 0)
    return queued


def queued_unless_there(
    session: Session, columns: Sequence[str], rows: Select[*tuple[Any, ...]]
) -> Insert:
    """The INSERT … SELECT that queues the checks ``rows`` selects, skipping one already
    there: two workers' periodic turns may select the same new person at once (each saw no
    check yet), and the second must not fail on the first's row."""
    return (
        insert_on_conflict(session, PersonVerification)
        .from_select(list(columns), rows)
        .on_conflict_do_nothing(index_elements=["person_id", "source", "subject"])
    )


def queue_check(session: Session, *, person_id: uuid.UUID, source: Source, purpose: Purpose,
                cause: str, requested_by: str, now: datetime) -> None:  # fmt: skip
    """Queue one check of the record at ``source`` for the worker's next turn (a check already
    queued or done is asked again)."""
    values = {
        "person_id": person_id, "source": source.value, "subject": RECORD,
        "state": CheckState.QUEUED.value, "fields": "[]", "purpose": purpose.value,
        "cause": cause, "requested_by": requested_by, "requested_at": now, "due_at": now,
        "attempts": 0,
    }  # fmt: skip
    statement = insert_on_conflict(session, PersonVerification).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["person_id", "source", "subject"],
            set_={k: statement.excluded[k] for k in ("state", "purpose", "cause",
                  "requested_by", "requested_at", "due_at")},
        )
    )  # fmt: skip
