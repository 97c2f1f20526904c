"""The agencies' part of the demo: newcomers (people the sandbox civil registry knows and the
seeded registry does not) reported the way a citizen would, so the worker verifies one
within seconds, finds a mismatch on another (the birth place written otherwise), and defers
a third while the civil registry is in maintenance, checking it again once it is back.

``play`` runs the story and says what happened through ``say``; ``peduli demo`` calls it in a
thread once its worker runs. It files each report once: a newcomer already in the registry
(a demo kept from an earlier run) is not reported again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.agencies.models import RECORD, PersonVerification, Source
from peduli.agencies.sandbox import AgencySandboxes
from peduli.agencies.sandbox.faults import FaultMode
from peduli.agencies.sandbox.population import Resident, newcomers
from peduli.auth.actor import SYSTEM
from peduli.core.crypto import get_cipher
from peduli.registry import repository, service
from peduli.registry.models import NIK_PURPOSE, Person
from peduli.registry.schemas import SelfReportCreate

SessionFactory = Callable[[], Session]
# Where the demo's newcomers say they live: the posts the demo officers sign in to.
PLACES = (
    {"country": "KR", "city": "Seoul", "latitude": 37.5665, "longitude": 126.978},
    {"country": "MY", "city": "Kuala Lumpur", "latitude": 3.139, "longitude": 101.6869},
    {"country": "HK", "city": "Hong Kong", "latitude": 22.3193, "longitude": 114.1694},
)
MAINTENANCE_SECONDS = 40
WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class Story:
    """Who plays which part: the report verified, the mismatch, the one the outage defers,
    and newcomers left for the reader to report as."""

    verified: Resident
    mismatch: Resident
    outage: Resident
    left_to_try: tuple[Resident, ...]


def cast(people: tuple[Resident, ...], seeded: int) -> Story:
    """The parts, from the newcomers who are alive and registered under the name they use."""
    usable = [
        r for r in newcomers(people, seeded)
        if r.alive and r.registered_name == r.citizen.full_name
        and r.place_of_birth == r.citizen.place_of_birth
    ]  # fmt: skip
    return Story(usable[0], usable[1], usable[2], tuple(usable[3:6]))


def report_of(
    resident: Resident, place: int, *, place_of_birth: str | None = None
) -> SelfReportCreate:
    """A lapor diri of ``resident`` living at one of ``PLACES``."""
    c = resident.citizen
    return SelfReportCreate(
        nik=c.nik, passport_number=c.passport, full_name=c.full_name,
        date_of_birth=c.date_of_birth, place_of_birth=place_of_birth or c.place_of_birth,
        sex=c.sex,
        phone=c.phone, email=c.email, language=c.language, **PLACES[place],
        purpose=c.purpose,
        sector=c.sector,
        employer=c.employer, arrival_date=c.arrival_date, planned_end_date=c.planned_end_date,
        consent=True,
    )  # fmt: skip


def _file(session_factory: SessionFactory, report: SelfReportCreate) -> Person | None:
    """File the report through the registry, unless its NIK is on record already."""
    with session_factory() as session:
        index = get_cipher().blind_index(report.nik or "", purpose=NIK_PURPOSE)
        known = repository.person_by_nik_index(session, index)
        if known is not None:
            return known
        outcome = service.submit_self_report(session, report=report, actor=SYSTEM)
        session.commit()
        return getattr(outcome, "person", None)


def _check_of(session_factory: SessionFactory, person: Person) -> PersonVerification | None:
    with session_factory() as session:
        return session.scalar(
            select(PersonVerification).where(
                PersonVerification.person_id == person.id,
                PersonVerification.source == Source.CIVIL_REGISTRY.value,
                PersonVerification.subject == RECORD,
            )
        )


def _settled(
    session_factory: SessionFactory, person: Person, *, states: set[str], timeout: float
) -> tuple[PersonVerification | None, float]:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        check = _check_of(session_factory, person)
        if check is not None and check.state in states:
            return check, time.monotonic() - started
        time.sleep(0.25)
    return _check_of(session_factory, person), time.monotonic() - started


def play(
    session_factory: SessionFactory,
    sandboxes: AgencySandboxes,
    story: Story,
    say: Callable[[str], None],
    *,
    stopped: Callable[[], bool] = lambda: False,
) -> None:
    """File the three reports and tell what the worker made of each."""
    person = _file(session_factory, report_of(story.verified, 0))
    if person is not None:
        check, took = _settled(session_factory, person, states={"verified"}, timeout=WAIT_SECONDS)
        state = check.state if check else "not checked yet"
        say(f"Agencies: the self-report of {person.full_name} (Seoul) is {state} at the "
            f"sandbox civil registry after {took:.1f} s.")  # fmt: skip
    wrong_place = next(p for p in ("Jakarta", "Surabaya") if p != story.mismatch.place_of_birth)
    person = _file(session_factory, report_of(story.mismatch, 1, place_of_birth=wrong_place))
    if person is not None:
        check, _took = _settled(session_factory, person, states={"mismatch"}, timeout=WAIT_SECONDS)
        fields = ", ".join(json.loads(check.fields)) if check else "?"
        say(f"Agencies: {person.full_name} (Kuala Lumpur) wrote {wrong_place} as birth place: "
            f"mismatch on {fields}, shown to officers at /officer/agency-checks.")  # fmt: skip
    if stopped():
        return
    sandboxes["civil_registry"].faults.switch_on(FaultMode.MAINTENANCE, seconds=MAINTENANCE_SECONDS)
    person = _file(session_factory, report_of(story.outage, 2))
    if person is None:
        return
    check, _took = _settled(session_factory, person, states={"unavailable"}, timeout=WAIT_SECONDS)
    if check is not None and check.retry_at is not None:
        say(f"Agencies: the civil registry is in maintenance for {MAINTENANCE_SECONDS} s; the "
            f"check of {person.full_name} (Hong Kong) waits until {check.retry_at:%H:%M:%S} "
            f"UTC, casework goes on.")  # fmt: skip
    check, took = _settled(
        session_factory, person, states={"verified"}, timeout=MAINTENANCE_SECONDS * 3
    )
    if check is not None and check.state == "verified":
        say(f"Agencies: back from maintenance, {person.full_name} is verified ({took:.0f} s).")


def try_as_lines(story: Story) -> list[str]:
    """Who the reader can report as at /lapor-diri to see a check themselves."""
    return [
        f"    {r.citizen.full_name}, born {r.citizen.date_of_birth:%Y-%m-%d} in "
        f"{r.citizen.place_of_birth}, sex {r.citizen.sex}, NIK {r.nik}"
        for r in story.left_to_try
    ]


def seeded_on(session: Session) -> date | None:
    """The day the demo's population was seeded (its birth dates count back from it)."""
    from sqlalchemy import func

    first = session.scalar(select(func.min(Person.created_at)))
    return first.date() if first else None
