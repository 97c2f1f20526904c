"""A crisis "I need help" reaches the duty officer's phone: seconds from the answer to the SMS.

    python -m benchmarks.crisis_help_alert --db sqlite|postgres [--people 3000]
        [--per-minute 1000] [--seconds 60] [--help-every 10]

Seeds people in three Malaysian posts, each post with an officer on duty who has a duty
phone, and sends a crisis broadcast to all of them (its SMS are queued, as in a real crisis).
Then starts the real processes: ``peduli serve`` (2 workers), ``peduli sandbox`` (the SMTP
server and SMS gateway that really listen) and one ``peduli worker``, and sends a burst of
``--per-minute`` answers a minute for ``--seconds`` seconds, open loop (one every 60 ms at
1,000 a minute, whatever the answers before took), every ``--help-every``-th "I need help"
from a person of its own. Every 7.5 s an SOS from the same city goes out too: the baseline,
the path an SOS has always taken to the same officer's phone in the same run.

Measured: for each call for help, the time from sending the answer to the moment the sandbox
gateway stored the officer's SMS for its emergency (step 0). Target: p95 ≤ 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import h3
import httpx
import numpy as np
from sqlalchemy import insert, select

from benchmarks import _common

DATABASE = "peduli_crisis_alert"
TARGET_SECONDS = 5.0
SOS_EVERY_SECONDS = 7.5
# (latitude, longitude, spread in degrees, city, post): where the people and duty officers are.
POSTS = (
    (3.139, 101.687, 0.2, "Kuala Lumpur", "kbri-kuala-lumpur"),
    (1.493, 103.741, 0.15, "Johor Bahru", "kjri-johor-bahru"),
    (5.414, 100.329, 0.1, "George Town", "kjri-penang"),
)


def seed_people(people: int, rng: np.random.Generator) -> None:
    """``people`` persons with a trusted phone and an active stay near one of ``POSTS``
    (multi-row INSERTs through the models, so SQLite and PostgreSQL alike)."""
    from peduli.core.crypto import contact_index
    from peduli.core.db import session_scope, utcnow
    from peduli.registry.models import ContactPoint, Person, Stay

    now = utcnow()
    persons, phones, stays = [], [], []
    for i in range(people):
        lat0, lon0, spread, city, post = POSTS[i % len(POSTS)]
        lat, lon = lat0 + rng.normal(0, spread), lon0 + rng.normal(0, spread)
        person_id = uuid.uuid4()
        name = f"Warga {i}"
        language = ("id", "en")[i % 2]
        persons.append(
            {"id": person_id, "full_name": name, "name_key": name.lower(), "sex": "F",
             "date_of_birth": date(1990, 1, 1), "preferred_language": language}
        )  # fmt: skip
        phone = f"+6012{i:07d}"
        phones.append(
            {"id": uuid.uuid4(), "person_id": person_id, "kind": "phone", "value": phone,
             "value_index": contact_index(phone), "trusted_at": now, "trust_source": "officer"}
        )  # fmt: skip
        stays.append(
            {"id": uuid.uuid4(), "person_id": person_id, "country": "MY", "city": city,
             "latitude": lat, "longitude": lon, "h3_cell": h3.latlng_to_cell(lat, lon, 8),
             "purpose": "work", "arrival_date": date(2024, 1, 1), "status": "active",
             "representation_code": post, "created_at": now, "language": language}
        )  # fmt: skip
    with session_scope() as db:
        for model, rows in ((Person, persons), (ContactPoint, phones), (Stay, stays)):
            for start in range(0, len(rows), 1000):
                db.execute(insert(model), rows[start : start + 1000])


def duty_rosters() -> dict[str, str]:
    """An officer on duty with a duty phone at each of ``POSTS``; their phones by post."""
    from peduli.auth import accounts
    from peduli.auth.actor import Role
    from peduli.core.db import session_scope, utcnow
    from peduli.emergency import roster
    from tests.factories import staff

    hq = staff(Role.HQ_ADMIN)
    phones = {}
    with session_scope() as db:
        for number, (*_place, post) in enumerate(POSTS):
            account, _ = accounts.create_staff(
                db, email=f"duty.{post}@bench.example", role=Role.OFFICER,
                representation_code=post, password="benchmark-password-1",
            )  # fmt: skip
            db.flush()
            zone = roster.zone_of(post)
            start = roster.to_local(utcnow() - timedelta(hours=1), zone).replace(microsecond=0)
            phones[post] = f"+60190000{number:03d}"
            roster.add_shift(
                db,
                representation_code=post,
                data=roster.ShiftInput(
                    account_id=account.id, starts_local=start,
                    ends_local=start + timedelta(hours=12), phone=phones[post],
                ),
                actor=hq,
            )  # fmt: skip
    return phones


def crisis_tokens(*, send: bool) -> list[str]:
    """A flood over Malaysia broadcast to everyone: one signed check-in token per person.

    ``send``: queue the broadcast's SMS as a real send does (the worker then delivers them
    while the answers come in); otherwise only the recipients and their links are written.
    """
    from peduli.auth.actor import Role
    from peduli.core.db import session_scope
    from peduli.crisis import broadcasts, delivery, links, service
    from peduli.crisis.models import Recipient
    from peduli.crisis.schemas import BroadcastCreate, CrisisCreate
    from tests.factories import staff

    hq, second = staff(Role.HQ_ADMIN), staff(Role.HQ_ADMIN)
    with session_scope() as db:
        body = CrisisCreate(
            title="Bench", kind="flood", severity="severe", area={"countries": ["MY"]}
        )
        crisis = service.declare(db, body=body, actor=hq)
        draft = BroadcastCreate(
            messages={"id": "Banjir. Balas AMAN atau TOLONG."}, channels=["sms"]
        )
        broadcast = broadcasts.draft(db, crisis_id=crisis.id, body=draft, actor=hq)
        broadcasts.approve(db, crisis_id=crisis.id, broadcast_id=broadcast.id, actor=second)
        if send:
            broadcasts.send(db, crisis_id=crisis.id, broadcast_id=broadcast.id, actor=hq)
        else:
            delivery.add_recipients(db, crisis, broadcast, now=datetime.now(UTC))
    with session_scope() as db:
        ids = db.scalars(select(Recipient.id).order_by(Recipient.id)).all()
    return [links.token_for(i) for i in ids]


@dataclass
class Sent:
    at: float  # time.time() when the request went out
    kind: str  # help | safe | sos
    answer_id: str | None = None  # check-in id or emergency id from the response
    status: int = 0
    seconds: float = 0.0  # the request's round trip


async def _burst(base: str, tokens: list[str], args: argparse.Namespace) -> list[Sent]:
    """Open loop: request i leaves at start + i × interval, whatever the earlier ones took."""
    interval = 60.0 / args.per_minute
    count = int(args.seconds * args.per_minute / 60)
    sos_every = max(1, round(SOS_EVERY_SECONDS / interval))
    results: list[Sent] = []

    async def one(client: httpx.AsyncClient, i: int) -> None:
        if i % sos_every == sos_every // 2:
            await _sos(client, base, i, results)
        kind = "help" if i % args.help_every == 0 else "safe"
        body = {"token": tokens[i], "answer": "need_help" if kind == "help" else "safe",
                "note": "Air naik, kami di atap"}  # fmt: skip
        sent = Sent(at=time.time(), kind=kind)
        started = time.perf_counter()
        answer = await client.post(f"{base}/api/v1/crises/check-ins", json=body)
        sent.seconds, sent.status = time.perf_counter() - started, answer.status_code
        sent.answer_id = answer.json().get("id") if answer.status_code == 201 else None
        results.append(sent)

    await _common.open_loop(count, interval, one)
    return results


async def _sos(client: httpx.AsyncClient, base: str, i: int, results: list[Sent]) -> None:
    body = {"name": f"Pekerja {i}", "country": "MY", "city": "Kuala Lumpur", "kind": "violence",
            "details": "Majikan mengunci saya.", "phone": f"+60133{i:06d}"}  # fmt: skip
    sent = Sent(at=time.time(), kind="sos")
    started = time.perf_counter()
    answer = await client.post(f"{base}/api/v1/emergencies", json=body)
    sent.seconds, sent.status = time.perf_counter() - started, answer.status_code
    sent.answer_id = answer.json().get("id") if answer.status_code == 201 else None
    results.append(sent)


def _alert_times(results: list[Sent], duty_phones: dict[str, str]) -> dict[str, list[float]]:
    """Seconds from each call for help (and SOS) to its duty officer's SMS in the gateway."""
    from peduli.core.db import session_scope
    from peduli.crisis.models import CheckIn
    from peduli.emergency.models import Emergency
    from peduli.notify.models import SandboxMessage

    latencies: dict[str, list[float]] = {"help": [], "sos": []}
    with session_scope() as db:
        emergency_of = dict(
            db.execute(
                select(CheckIn.id, Emergency.id).join(
                    Emergency, Emergency.case_id == CheckIn.case_id
                )
            ).all()
        )
        received = {
            key.split(":")[1].replace("-", ""): at
            for key, at in db.execute(
                select(SandboxMessage.idempotency_key, SandboxMessage.received_at).where(
                    SandboxMessage.channel == "sms",
                    SandboxMessage.idempotency_key.like("emergency:%:step:0:%:sms"),
                    SandboxMessage.recipient.in_(list(duty_phones.values())),
                )
            )
        }
    missing = 0
    for sent in results:
        if sent.kind not in latencies or sent.answer_id is None:
            continue
        emergency = (
            sent.answer_id if sent.kind == "sos" else emergency_of.get(uuid.UUID(sent.answer_id))
        )
        at = received.get(str(emergency).replace("-", ""))  # SQLite keys: hex, no dashes
        if at is None:
            missing += 1
            continue
        latencies[sent.kind].append(at.replace(tzinfo=at.tzinfo or UTC).timestamp() - sent.at)
    if missing:
        print(f"  {missing} calls for help have no SMS at the gateway")
    return latencies


def _wait_for_alerts(expected: int, duty_phones: dict[str, str], seconds: float = 120) -> None:
    from sqlalchemy import func

    from peduli.core.db import session_scope
    from peduli.notify.models import SandboxMessage

    deadline = time.monotonic() + seconds
    got = 0
    while time.monotonic() < deadline:
        with session_scope() as db:
            got = db.scalar(
                select(func.count()).select_from(SandboxMessage).where(
                    SandboxMessage.channel == "sms",
                    SandboxMessage.recipient.in_(list(duty_phones.values())),
                )
            ) or 0  # fmt: skip
        if got >= expected:
            return
        time.sleep(1)
    print(f"  only {got} of {expected} alert SMS arrived within {seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--per-minute", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--help-every", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    count = int(args.seconds * args.per_minute / 60)
    assert args.people >= count, "every answer needs a person of its own"
    url = _common.recreate_postgres(DATABASE) if args.db == "postgres" else _common.sqlite_url()
    _common.use_database(url)
    print(f"machine: {_common.machine()}; database: {args.db}")
    seed_people(args.people, np.random.default_rng(7))
    duty_phones = duty_rosters()
    tokens = crisis_tokens(send=True)
    with _common.sandbox_and_worker(url):
        with _common.server(url, workers=args.workers, start_seconds=300) as base:
            results = asyncio.run(_burst(base, tokens, args))
        helps = sum(1 for r in results if r.kind in ("help", "sos") and r.status == 201)
        _wait_for_alerts(helps, duty_phones)
    _report(results, _alert_times(results, duty_phones), args)


def _report(
    results: list[Sent], latencies: dict[str, list[float]], args: argparse.Namespace
) -> None:
    answers = [r for r in results if r.kind != "sos"]
    failed = [r for r in results if r.status not in (200, 201)]
    print(
        f"burst: {len(answers)} answers at {args.per_minute}/min over {args.seconds:.0f} s, "
        f"every {args.help_every}th 'I need help'; {len(failed)} failed requests"
    )
    print(f"  check-in round trip: {_common.summary_ms([r.seconds for r in answers])}")
    help_times, sos_times = latencies["help"], latencies["sos"]
    if not help_times:
        print("  no call for help reached the gateway")
        return
    p95 = _common.percentile(help_times, 95)
    print(
        f"'I need help' → duty officer's SMS at the gateway ({len(help_times)} calls): "
        + _seconds(help_times)
    )
    if sos_times:
        print(
            f"SOS → the same officer's SMS, same run ({len(sos_times)} SOS): " + _seconds(sos_times)
        )
        print(
            "ratio p50 help/SOS: "
            f"{_common.percentile(help_times, 50) / _common.percentile(sos_times, 50):.2f}"
        )
    print(
        f"p95 {p95:.2f} s against the target {TARGET_SECONDS:.0f} s: "
        f"{p95 / TARGET_SECONDS:.0%} of it"
    )


def _seconds(values: list[float]) -> str:
    return (
        f"p50 {_common.percentile(values, 50):.2f} s, p95 {_common.percentile(values, 95):.2f} s, "
        f"max {max(values):.2f} s"
    )


if __name__ == "__main__":
    main()
