"""Booking, moving and cancelling: only a verified citizen books, for themself, one active
appointment per service; a family counts against capacity; the holder is told and reminded
once the day before; officers check arrivals in with ticket numbers and call them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.agencies.models import PersonVerification
from peduli.auth.actor import Actor, Role
from peduli.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from peduli.notify.models import OutboxMessage
from peduli.services import appointment_access, appointments, jobs, reception
from peduli.services import erasure as service_erasure
from peduli.services.models import AppointmentSlot
from tests.cases.conftest import staff_actor
from tests.services.appointment_helpers import MONDAY_9AM, at, booking, plan_seoul, verified_citizen
from tests.services.conftest import citizen_of

NOW = MONDAY_9AM


@pytest.fixture
def holder(loaded: Session, officer: Actor) -> Actor:
    plan_seoul(loaded)
    return verified_citizen(loaded, "yusuf@example.org", officer)


def test_a_verified_citizen_books_and_is_told(loaded: Session, holder: Actor) -> None:
    booked = appointments.book(loaded, data=booking(at(10)), actor=holder, now=NOW)
    loaded.commit()
    assert booked.state == "booked" and booked.sequence == 0
    assert booked.local_start == "2026-12-08 10:00 KST"
    assert loaded.scalar(select(AppointmentSlot.booked)) == 1
    told = loaded.scalars(
        select(OutboxMessage.body).where(OutboxMessage.idempotency_key.like("appointment:%"))
    )
    assert any("2026-12-08 10:00 KST" in body and "KBRI Seoul" in body for body in told)


def test_an_unverified_citizen_cannot_book(loaded: Session) -> None:
    plan_seoul(loaded)
    unverified = citizen_of(loaded, "baru@example.org")
    with pytest.raises(Forbidden) as refused:
        appointments.book(loaded, data=booking(at(10)), actor=unverified, now=NOW)
    assert refused.value.code == "identity_not_verified"


def test_staff_cannot_book_for_someone(loaded: Session, officer: Actor) -> None:
    plan_seoul(loaded)
    with pytest.raises(Forbidden):
        appointments.book(loaded, data=booking(at(10)), actor=officer, now=NOW)


def test_one_active_appointment_per_person_and_service(loaded: Session, holder: Actor) -> None:
    appointments.book(loaded, data=booking(at(10)), actor=holder, now=NOW)
    loaded.commit()
    with pytest.raises(Conflict) as refused:
        appointments.book(loaded, data=booking(at(11)), actor=holder, now=NOW)
    assert refused.value.code == "already_booked"


def test_a_cancelled_appointment_frees_its_places_and_allows_a_new_one(
    loaded: Session, holder: Actor
) -> None:
    first = appointments.book(loaded, data=booking(at(10), party=3), actor=holder, now=NOW)
    appointments.cancel(loaded, appointment_id=first.id, actor=holder, now=NOW)
    assert first.state == "cancelled" and first.sequence == 1
    assert loaded.scalar(select(AppointmentSlot.booked)) == 0
    appointments.book(loaded, data=booking(at(10)), actor=holder, now=NOW)


def test_a_family_counts_against_capacity(loaded: Session, holder: Actor, officer: Actor) -> None:
    appointments.book(loaded, data=booking(at(10), party=3), actor=holder, now=NOW)
    loaded.commit()
    other = verified_citizen(loaded, "siti@example.org", officer, 1)
    with pytest.raises(Conflict) as full:
        appointments.book(loaded, data=booking(at(10), party=2), actor=other, now=NOW)
    assert full.value.code == "slot_full"
    with pytest.raises(ValidationFailed):
        appointments.book(loaded, data=booking(at(10), party=5), actor=other, now=NOW)
    appointments.book(loaded, data=booking(at(10), party=1), actor=other, now=NOW)


def test_times_not_offered_are_refused(loaded: Session, holder: Actor) -> None:
    for starts in (at(10, minute=15), at(13), at(10, day=12), at(10, day=25)):
        with pytest.raises(ValidationFailed):
            appointments.book(loaded, data=booking(starts), actor=holder, now=NOW)


def test_moving_raises_the_sequence_and_moves_the_places(loaded: Session, holder: Actor) -> None:
    booked = appointments.book(loaded, data=booking(at(10), party=2), actor=holder, now=NOW)
    appointments.reschedule(
        loaded, appointment_id=booked.id, starts_at=at(11, day=9), actor=holder, now=NOW
    )
    assert booked.sequence == 1 and booked.local_start == "2026-12-09 11:00 KST"
    counts = dict(loaded.execute(select(AppointmentSlot.starts_at, AppointmentSlot.booked)).all())
    assert counts == {at(10): 0, at(11, day=9): 2}


def test_nobody_else_moves_or_cancels_an_appointment(
    loaded: Session, holder: Actor, officer: Actor
) -> None:
    booked = appointments.book(loaded, data=booking(at(10)), actor=holder, now=NOW)
    loaded.commit()
    other = verified_citizen(loaded, "siti@example.org", officer, 1)
    with pytest.raises(NotFound):
        appointments.cancel(loaded, appointment_id=booked.id, actor=other, now=NOW)


def test_the_reminder_goes_once_the_day_before(loaded: Session, holder: Actor) -> None:
    appointments.book(loaded, data=booking(at(10)), actor=holder, now=NOW)
    loaded.commit()
    assert jobs.remind_appointments(loaded, NOW) == 0  # more than a day ahead
    day_before = at(10) - timedelta(hours=20)
    assert jobs.remind_appointments(loaded, day_before) == 1
    assert jobs.remind_appointments(loaded, day_before + timedelta(minutes=5)) == 0
    loaded.commit()
    bodies = list(
        loaded.scalars(
            select(OutboxMessage.body).where(
                OutboxMessage.idempotency_key.like("appointment-reminder:%")
            )
        )
    )
    assert len(bodies) == 1
    assert "2026-12-08 10:00 KST" in bodies[0] and "Bawa dokumen identitas" in bodies[0]


def test_arrivals_get_tickets_and_are_called_in_order(
    loaded: Session, holder: Actor, officer: Actor, officer_kl: Actor
) -> None:
    other = verified_citizen(loaded, "siti@example.org", officer, 1)
    first = appointments.book(loaded, data=booking(at(10, day=7)), actor=holder, now=NOW)
    second = appointments.book(loaded, data=booking(at(11, day=7)), actor=other, now=NOW)
    loaded.commit()
    assert [
        a.id
        for a in reception.day_list(loaded, post="kbri-seoul", day=first.local_day, actor=officer)
    ] == [first.id, second.id]
    with pytest.raises(NotFound):
        reception.check_in(loaded, appointment_id=first.id, actor=officer_kl, now=NOW)
    assert reception.check_in(loaded, appointment_id=second.id, actor=officer, now=NOW).ticket == 1
    assert reception.check_in(loaded, appointment_id=first.id, actor=officer, now=NOW).ticket == 2
    with pytest.raises(Conflict):
        reception.no_show(loaded, appointment_id=first.id, actor=officer, now=NOW)
    assert reception.screen(loaded, post="kbri-seoul", actor=officer, now=NOW).waiting == [1, 2]
    assert reception.call_next(loaded, post="kbri-seoul", actor=officer, now=NOW) == 1
    shown = reception.screen(loaded, post="kbri-seoul", actor=officer, now=NOW)
    assert shown.called == [1] and shown.waiting == [2]


def test_a_supervisor_of_another_post_sees_nothing(loaded: Session, holder: Actor) -> None:
    booked = appointments.book(loaded, data=booking(at(10)), actor=holder, now=NOW)
    loaded.commit()
    outsider = staff_actor(loaded, Role.SUPERVISOR, "kbri-kuala-lumpur", "sup-kl")
    with pytest.raises(NotFound):
        reception.no_show(loaded, appointment_id=booked.id, actor=outsider, now=NOW)
    with pytest.raises(NotFound):
        reception.day_list(loaded, post="kbri-seoul", day=booked.local_day, actor=outsider)


def test_erasure_cancels_the_booking_frees_its_places_and_forgets_the_person(
    loaded: Session, holder: Actor
) -> None:
    booked = appointments.book(loaded, data=booking(at(10)), actor=holder, now=NOW)
    loaded.commit()
    assert booked.remind_to is not None
    assert holder.person_id is not None
    service_erasure.erase_people(loaded, [holder.person_id], None)
    loaded.commit()
    loaded.refresh(booked)
    assert booked.holder_name != "Muhammad Yusuf" and booked.remind_to is None
    assert booked.account_id is None and booked.starts_at == at(10)
    assert booked.state == "cancelled" and booked.sequence == 1
    assert loaded.scalar(select(AppointmentSlot.booked)) == 0  # the places are free again


def test_a_civil_registry_match_verifies_the_identity(loaded: Session) -> None:
    plan_seoul(loaded)
    citizen = citizen_of(loaded, "baru@example.org")
    assert citizen.person_id is not None
    for source, state in (("placements", "verified"), ("civil_registry", "mismatch")):
        loaded.add(
            PersonVerification(
                person_id=citizen.person_id,
                source=source,
                state=state,
                purpose="identity",
                cause="test",
                requested_by="test",
            )
        )
    loaded.commit()
    assert not appointment_access.identity_verified(loaded, citizen.person_id)
    loaded.execute(
        update(PersonVerification)
        .where(PersonVerification.source == "civil_registry")
        .values(state="verified")
    )
    assert appointment_access.identity_verified(loaded, citizen.person_id)
    appointments.book(loaded, data=booking(at(10)), actor=citizen, now=NOW)
