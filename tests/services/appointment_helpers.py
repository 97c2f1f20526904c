"""Helpers of the appointments' tests: a Seoul schedule, verified citizens, a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.registry import service as registry_service
from peduli.services import schedules
from peduli.services.appointment_schemas import AppointmentCreate
from peduli.services.schedules import Plan
from tests.cases.conftest import staff_actor
from tests.services.conftest import SEOUL, citizen_of

# Monday 7 December 2026, 09:00 in Seoul (UTC+9): slots of the coming two weeks are open.
MONDAY_9AM = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
RENEWAL = "passport-renewal"


def plan_seoul(
    db: Session, *, capacity: int = 4, max_party: int = 4, release_days: int = 14
) -> Actor:
    """Seoul takes passport renewals 09:00-12:00 in 30-minute slots; returns its supervisor."""
    supervisor = staff_actor(db, Role.SUPERVISOR, SEOUL, "supervisor-seoul")
    schedules.set_schedule(
        db, post=SEOUL, service=RENEWAL, actor=supervisor, now=MONDAY_9AM,
        plan=Plan(time(9), time(12), 30, capacity, max_party, release_days, 8),
    )  # fmt: skip
    db.commit()
    return supervisor


def verified_citizen(db: Session, address: str, verifier: Actor, number: int = 0) -> Actor:
    """A signed-in citizen of Seoul whose record an officer verified (``number`` makes
    another person: born another day, another name, phone and passport)."""
    overrides = (
        {
            "date_of_birth": date(1980, 1, 1) + timedelta(days=number * 37),
            "full_name": f"Siti Aminah {'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[number % 26]}",
            "sex": "F",
            "phone": f"+82101{number:07d}",
            "passport_number": f"X{number:07d}",
        }
        if number
        else {}
    )
    citizen = citizen_of(db, address, **overrides)
    assert citizen.person_id is not None
    registry_service.verify_person(db, person_id=citizen.person_id, actor=verifier, verified=True)
    db.commit()
    return citizen


def at(hour: int, day: int = 8, minute: int = 0) -> datetime:
    """A slot start, given in Seoul's time in December 2026."""
    return datetime(2026, 12, day, hour - 9, minute, tzinfo=UTC)


def booking(starts_at: datetime, party: int = 1) -> AppointmentCreate:
    return AppointmentCreate.model_validate(
        {"representation": SEOUL, "service": RENEWAL, "starts_at": starts_at, "party_size": party}
    )
