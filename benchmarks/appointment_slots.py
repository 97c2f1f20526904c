"""Appointments over HTTP: the slot search for a month at a post (``GET
/api/v1/appointments/slots``) against ``GET /healthz`` in the same run, then 200 concurrent
bookings (``POST /api/v1/appointments``, 200 verified citizens at once) for the last 20
slots of one day: never more places taken than the capacity.

    python -m benchmarks.appointment_slots --db sqlite|postgres [--samples 300]

Seoul takes passport renewals 08:00-17:00 in 15-minute slots, 4 people each, released 45
days ahead; a third of the month's slots already hold bookings (slot rows with counters), so
the search merges computed slots with stored ones. PostgreSQL uses its own database
``peduli_appt_bench``. Target: search p95 ≤ 50 ms; bookings: taken ≤ capacity per slot.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
import uuid
from datetime import date, timedelta
from datetime import time as clock
from functools import partial

import httpx
from sqlalchemy import func, select, text

from benchmarks import _common
from benchmarks.cases import _timed, _verdict

DATABASE = "peduli_appt_bench"
POST, SERVICE = "kbri-seoul", "passport-renewal"
TARGET_P95 = 0.050
CAPACITY = 4
BOOKERS = 200
LAST_SLOTS = 20


def _plan() -> None:
    """Load the catalogue, plan Seoul and pre-book a third of the month's slots."""
    from peduli.auth.actor import Actor, Role
    from peduli.core.db import session_scope, utcnow
    from peduli.services import catalogue, schedules, slots
    from peduli.services.models import AppointmentSlot

    planner = Actor(role=Role.HQ_ADMIN, account_id=uuid.uuid4(), display="bench")
    with session_scope() as session:
        catalogue.load_shipped(session)
        plan = schedules.Plan(clock(8), clock(17), 15, CAPACITY, 3, 45, 0)
        schedules.set_schedule(session, post=POST, service=SERVICE, plan=plan, actor=planner,
                               now=utcnow())  # fmt: skip
        now = utcnow()
        month = slots.offered(session, post=POST, service=SERVICE, first=now.date(),
                              last=now.date() + timedelta(days=30), now=now)  # fmt: skip
        session.add_all(
            AppointmentSlot(representation_code=POST, service_code=SERVICE, starts_at=s.starts_at,
                            ends_at=s.ends_at, capacity=CAPACITY, booked=n % CAPACITY)
            for n, s in enumerate(month) if n % 3 == 0
        )  # fmt: skip
        print(f"  {len(month)} slots offered in the month, {len(month[::3])} with bookings")


def _citizens(count: int) -> list[dict[str, str]]:
    """``count`` signed-in citizens with verified records; each one's cookie and CSRF token."""
    from peduli.auth import codes, sessions
    from peduli.auth import service as auth_service
    from peduli.core.db import session_scope
    from peduli.notify.models import OutboxMessage
    from peduli.registry import service as registry_service
    from peduli.registry.models import Person
    from peduli.registry.schemas import SelfReportCreate

    headers = []
    with session_scope() as session:
        for n in range(count):
            address, ip = f"booker{n}@bench.example", f"198.51.{n // 250}.{n % 250 + 1}"
            codes.request_code(session, address=address, ip=ip)
            body = session.scalars(
                select(OutboxMessage.body).order_by(OutboxMessage.created_at.desc()).limit(1)
            ).one()
            code = re.search(r"\b(\d{6})\b", body).group(1)  # type: ignore[union-attr]
            account = codes.verify_code(session, address=address, code=code, ip=ip)
            born = date(1970, 1, 1) + timedelta(days=97 * n)
            report = SelfReportCreate.model_validate({
                "full_name": f"Pemesan {n:04d} Bench", "date_of_birth": born.isoformat(),
                "sex": "F" if n % 2 else "M", "language": "id", "country": "KR", "city": "Seoul",
                "purpose": "work", "sector": "manufacturing", "email": address,
                "phone": f"+8210{n:08d}", "passport_number": f"E{n:07d}",
                "arrival_date": "2024-03-01", "consent": True,
            })  # fmt: skip
            citizen = auth_service.citizen_actor(account, ip=ip)
            registry_service.submit_self_report(session, report=report, actor=citizen)
            started = sessions.start(session, citizen_account_id=account.id, ip=ip)
            headers.append({"Cookie": f"peduli_session={started.token}",
                            "X-CSRF-Token": started.row.csrf_token})  # fmt: skip
        session.execute(text("UPDATE person SET verification = 'verified'"))
        assert (session.scalar(select(func.count()).select_from(Person)) or 0) >= count
    return headers


async def _book_all(base: str, bookers: list[dict[str, str]], starts: list[str]) -> list[int]:
    """Every booker at once, each for one of ``starts`` (round robin), party of 1 or 2."""
    limits = httpx.Limits(max_connections=len(bookers))
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:

        async def book(n: int) -> int:
            body = {"representation": POST, "service": SERVICE,
                    "starts_at": starts[n % len(starts)], "party_size": 1 + n % 2}  # fmt: skip
            answer = await client.post("/api/v1/appointments", json=body, headers=bookers[n])
            return answer.status_code

        return list(await asyncio.gather(*(book(n) for n in range(len(bookers)))))


def _check_capacity() -> tuple[int, int, int]:
    """(appointments, places taken, slots over capacity) according to the database."""
    from peduli.core.db import session_scope
    from peduli.services.models import Appointment, AppointmentSlot

    with session_scope() as session:
        made = session.scalar(select(func.count()).select_from(Appointment)) or 0
        places = session.scalar(select(func.coalesce(func.sum(Appointment.party_size), 0))) or 0
        over = session.scalar(
            select(func.count()).select_from(AppointmentSlot)
            .where(AppointmentSlot.booked > AppointmentSlot.capacity)
        ) or 0  # fmt: skip
        # Places counted from the appointments must equal the slots' counters.
        counted = session.execute(
            select(Appointment.slot_id, func.sum(Appointment.party_size)).group_by(
                Appointment.slot_id
            )
        ).all()
        for slot_id, taken in counted:
            assert session.get_one(AppointmentSlot, slot_id).booked == taken
    return int(made), int(places), int(over)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(_common.machine(), f"database: {args.db}")
    url = _common.recreate_postgres(DATABASE) if args.db == "postgres" else _common.sqlite_url()
    _common.use_database(url)
    _plan()
    started = time.perf_counter()
    bookers = _citizens(BOOKERS)
    print(f"  {BOOKERS} verified citizens signed in ({time.perf_counter() - started:.0f} s)")
    today = date.today()
    search = {"representation": POST, "service": SERVICE, "from": today.isoformat(),
              "to": (today + timedelta(days=30)).isoformat()}  # fmt: skip
    with (
        _common.server(url, workers=args.workers, start_seconds=240) as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        month = client.get("/api/v1/appointments/slots", params=search)
        assert month.status_code == 200, month.text[:300]
        for _ in range(20):  # warm up
            client.get("/api/v1/appointments/slots", params=search)
            client.get("/healthz")
        baseline = _timed([partial(client.get, "/healthz")] * args.samples)
        searches = _timed(
            [partial(client.get, "/api/v1/appointments/slots", params=search)] * args.samples
        )
        print(f"  GET /healthz (baseline):              {_common.summary_ms(baseline)}")
        print(f"  GET /appointments/slots (a month):    {_common.summary_ms(searches)}")
        ratio = _common.percentile(searches, 95) / _common.percentile(baseline, 95)
        print(
            f"  {_verdict('slot search', searches, 95, TARGET_P95)}; {ratio:.1f}× the baseline p95"
        )
        # The last 20 slots of the last full day in the month, none booked yet.
        slots = [s for s in month.json()["slots"] if s["free"] == CAPACITY]
        last_day = max(s["local_start"][:10] for s in slots)
        day = [s for s in slots if s["local_start"].startswith(last_day)][-LAST_SLOTS:]
        starts = [s["starts_at"] for s in day]
        began = time.perf_counter()
        codes = asyncio.run(_book_all(base, bookers, starts))
        took = time.perf_counter() - began
    made, places, over = _check_capacity()
    tally = {status: codes.count(status) for status in sorted(set(codes))}
    print(f"  {BOOKERS} concurrent bookings for {len(starts)} slots of {last_day} "
          f"({len(starts) * CAPACITY} places) in {took:.1f} s: answers {tally}")  # fmt: skip
    print(f"  booked {made} appointments holding {places} places; slots over capacity: {over} "
          f"{'OK' if over == 0 and places <= len(starts) * CAPACITY else 'BROKEN'}")  # fmt: skip


if __name__ == "__main__":
    main()
