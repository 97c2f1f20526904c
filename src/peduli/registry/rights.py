"""A citizen's rights over their data (UU PDP): access, export, correction, deletion, trail."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth import citizens as citizen_accounts
from peduli.auth.actor import Actor, Role
from peduli.auth.audit import AuditEntry
from peduli.core.errors import NotFound
from peduli.core.i18n import _
from peduli.registry import service
from peduli.registry.models import DataRequest, DuplicateCandidate, Person


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
        "requests": [{"kind": r.kind, "message": r.message, "status": r.status} for r in requests],
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


def delete_own_data(session: Session, *, actor: Actor) -> None:
    """Erase the citizen's record (and records merged into it); the audit trail keeps ids only."""
    person_id = _own_person_id(actor)
    merged_ids = list(session.scalars(select(Person.id).where(Person.merged_into_id == person_id)))
    everyone = [person_id, *merged_ids]
    session.execute(
        delete(DuplicateCandidate).where(
            DuplicateCandidate.person_id.in_(everyone)
            | DuplicateCandidate.other_person_id.in_(everyone)
        )
    )
    session.execute(update(Person).where(Person.id.in_(merged_ids)).values(merged_into_id=None))
    citizen_accounts.unlink_citizen_person(session, person_id=person_id)
    # stays, passports, contacts and requests go with the person (ON DELETE CASCADE)
    session.execute(delete(Person).where(Person.id.in_(everyone)))
    audit.record(
        session,
        actor=actor,
        action="person.delete",
        entity_type="person",
        entity_id=str(person_id),
        subject_person_id=person_id,
        fields=["all"],
        reason="erasure requested by the citizen (UU PDP)",
    )


def processing_trail(
    session: Session, *, actor: Actor, limit: int, offset: int
) -> tuple[int, list[AuditEntry]]:
    """Who processed the citizen's data and why (UU PDP art. 32)."""
    return audit.trail_for_person(
        session, person_id=_own_person_id(actor), limit=limit, offset=offset
    )
