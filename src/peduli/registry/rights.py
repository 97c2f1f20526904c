"""A citizen's rights over their data (UU PDP): access, export, correction, deletion, trail."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth import citizens as citizen_accounts
from peduli.auth.actor import Actor, Role
from peduli.auth.audit import AuditEntry
from peduli.core.db import utcnow
from peduli.core.errors import NotFound
from peduli.core.i18n import _
from peduli.notify import notices
from peduli.registry import drafts, service
from peduli.registry.models import (
    ContactPoint,
    DataRequest,
    DuplicateCandidate,
    ErasureRecord,
    IdentityClaim,
    Passport,
    Person,
    PersonMerge,
    PersonStatus,
    Stay,
)


def own_person_id(actor: Actor) -> uuid.UUID:
    """The signed-in citizen's record (404 with a hint when they have none yet)."""
    return _own_person_id(actor)


def _own_person_id(actor: Actor) -> uuid.UUID:
    if actor.role != Role.CITIZEN or actor.person_id is None:
        raise NotFound(_("You have no record yet; make a self-report (lapor diri) first."))
    return actor.person_id


def export_own_data(session: Session, *, actor: Actor) -> dict[str, Any]:
    """Everything the registry holds on the signed-in citizen, as one JSON document."""
    view = service.own_person_view(session, actor=actor)
    person = view.person
    requests = session.scalars(select(DataRequest).where(DataRequest.person_id == person.id))
    total, trail = audit.trail_for_person(session, person_id=person.id, limit=1000)
    audit.record(
        session,
        actor=actor,
        action="person.export",
        entity_type="person",
        entity_id=str(person.id),
        subject_person_id=person.id,
        fields=["all"],
    )
    return {
        "person": {
            "id": str(person.id),
            "full_name": person.full_name,
            "sex": person.sex,
            "date_of_birth": person.date_of_birth.isoformat(),
            "place_of_birth": person.place_of_birth,
            "nik": view.nik,
            "preferred_language": person.preferred_language,
            "preferred_channel": person.preferred_channel,
            "emergency_contact": {
                "name": person.emergency_contact_name,
                "phone": person.emergency_contact_phone,
                "relation": person.emergency_contact_relation,
            },
            "consent_at": person.consent_at.isoformat() if person.consent_at else None,
            "verification": person.verification,
        },
        "passports": [
            {"number": number, "is_current": p.is_current, "reported_at": p.reported_at.isoformat()}
            for number, p in view.passports
        ],
        "contacts": [{"kind": c.kind, "value": c.value} for c in view.contacts],
        "stays": [_stay_dict(stay) for stay in view.stays],
        "requests": [
            {
                "kind": r.kind,
                "message": r.message,
                "status": r.status,
                "decided_at": r.decided_at.isoformat() if r.decided_at else None,
                "decision_reason": r.decision_reason,
            }
            for r in requests
        ],
        "processing_trail": {"total": total, "entries": [_trail_dict(e) for e in trail]},
    }


def _stay_dict(stay: Any) -> dict[str, Any]:
    fields = (
        "country",
        "subdivision",
        "city",
        "address",
        "latitude",
        "longitude",
        "purpose",
        "sector",
        "employer",
        "placement_agency",
        "status",
        "representation_code",
    )
    result = {field: getattr(stay, field) for field in fields}
    for field in ("arrival_date", "planned_end_date", "departed_on"):
        value = getattr(stay, field)
        result[field] = value.isoformat() if value else None
    result["id"] = str(stay.id)
    return result


def _trail_dict(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(),
        "by": entry.actor_role,
        "action": entry.action,
        "reason": entry.reason,
        "outcome": entry.outcome,
    }


def request_correction(session: Session, *, actor: Actor, message: str) -> DataRequest:
    """Ask the representation to correct something in the record."""
    person_id = _own_person_id(actor)
    request = DataRequest(person_id=person_id, kind="correction", message=message)
    session.add(request)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="person.correction_requested",
        entity_type="data_request",
        entity_id=str(request.id),
        subject_person_id=person_id,
    )
    return request


@dataclass(frozen=True)
class ErasureStep:
    """One domain's part of an erasure: remove or pseudonymise what it holds on the people.

    ``run(session, person_ids, account_id)``: ``person_ids`` are the erased record and the
    records merged into it; ``account_id`` is the citizen account that asked (what the
    citizen wrote themselves is found by it). It returns how many rows it changed, for the
    erasure record. Domains above the registry (cases, crises) provide one each;
    ``peduli.erasure`` lists them all.
    """

    name: str
    run: Callable[[Session, Sequence[uuid.UUID], uuid.UUID | None], int]


def deleting_rows(name: str, *models: Any) -> ErasureStep:
    """A step that deletes the people's rows of ``models`` (each keyed by ``person_id``), in
    the order given (rows that refer to others first); it counts the rows removed."""

    def run(
        session: Session, person_ids: Sequence[uuid.UUID], _account_id: uuid.UUID | None
    ) -> int:
        return sum(
            _count(
                session.execute(
                    delete(model)
                    .where(model.person_id.in_(person_ids))
                    .execution_options(synchronize_session=False)
                )
            )
            for model in models
        )

    return ErasureStep(name, run)


def pseudonym(person_id: uuid.UUID) -> str:
    """What an erased person is called from then on (no part of the real name)."""
    return f"erased-{person_id.hex[:12]}"


def delete_own_data(
    session: Session, *, actor: Actor, steps: Sequence[ErasureStep]
) -> ErasureRecord:
    """Erase the citizen's personal data (UU PDP art. 8 and 16) and record the erasure.

    Identity documents, contacts, stays, requests and duplicate pairs are deleted; the
    person row (and the rows merged into it) stays as a pseudonym, with only sex, year of
    birth and home province, because cases the law keeps still point at it. Each domain
    above the registry erases its own part through ``steps``. The audit trail keeps ids.
    """
    person_id = _own_person_id(actor)
    merged_ids = list(session.scalars(select(Person.id).where(Person.merged_into_id == person_id)))
    everyone = [person_id, *merged_ids]
    removed: dict[str, int] = {}
    removed["duplicate_candidates"] = _count(
        session.execute(
            delete(DuplicateCandidate).where(
                DuplicateCandidate.person_id.in_(everyone)
                | DuplicateCandidate.other_person_id.in_(everyone)
            )
        )
    )
    removed["person_merges"] = _count(
        session.execute(
            delete(PersonMerge).where(
                PersonMerge.kept_person_id.in_(everyone)
                | PersonMerge.absorbed_person_id.in_(everyone)
            )
        )
    )
    for table, name in (
        (Passport, "passports"),
        (ContactPoint, "contacts"),
        (Stay, "stays"),
        (DataRequest, "data_requests"),
    ):
        removed[name] = _count(session.execute(delete(table).where(table.person_id.in_(everyone))))
    # Claims naming the record, and those the citizen filed: each seals a whole report.
    removed["identity_claims"] = _count(
        session.execute(
            delete(IdentityClaim).where(
                IdentityClaim.person_id.in_(everyone)
                | (IdentityClaim.account_id == actor.account_id)
            )
        )
    )
    removed["lapor_drafts"] = drafts.drop_draft(session, account_id=actor.account_id)
    for step in steps:
        removed[step.name] = step.run(session, everyone, actor.account_id)
    for person in session.scalars(select(Person).where(Person.id.in_(everyone))):
        _pseudonymise(person)
    removed["people"] = len(everyone)
    removed["notices"] = sum(
        notices.forget_recipient(session, recipient=str(erased)) for erased in everyone
    )
    citizen_accounts.unlink_citizen_person(session, person_id=person_id)
    erasure = ErasureRecord(
        person_id=person_id,
        erased_at=utcnow(),
        requested_by_account_id=actor.account_id,
        removed=json.dumps(removed, sort_keys=True),
    )
    session.add(erasure)
    audit.record(
        session,
        actor=actor,
        action="person.delete",
        entity_type="person",
        entity_id=str(person_id),
        subject_person_id=person_id,
        fields=sorted(removed),
        reason="erasure requested by the citizen (UU PDP)",
    )
    return erasure


def _pseudonymise(person: Person) -> None:
    name = pseudonym(person.id)
    person.full_name = name
    person.name_key = name
    person.date_of_birth = date(person.date_of_birth.year, 1, 1)
    person.place_of_birth = None
    person.nik_encrypted = None
    person.nik_index = None
    person.emergency_contact_name = None
    person.emergency_contact_phone = None
    person.emergency_contact_relation = None
    person.consent_at = None
    person.consent_version = None
    person.preferred_channel = None  # its chat contact goes with the other contacts
    person.merged_into_id = None
    person.status = PersonStatus.ERASED
    person.link_token_a = person.link_token_b = person.link_name_year = None
    person.link_name_day = None
    person.link_region = person.link_initials = None


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def processing_trail(
    session: Session, *, actor: Actor, limit: int, offset: int
) -> tuple[int, list[AuditEntry]]:
    """Who processed the citizen's data and why (UU PDP art. 32)."""
    return audit.trail_for_person(
        session, person_id=_own_person_id(actor), limit=limit, offset=offset
    )
