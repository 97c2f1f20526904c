"""Crisis targeting and broadcast fan-out on PostgreSQL with 1,000,000 active stays.

    python -m benchmarks.crisis_fanout [--stays 1000000]
    python -m benchmarks.crisis_fanout --database peduli_10m --broadcast hong-kong

Seeds people, phones and stays straight into the registry tables (COPY; positions around
Southeast Asian cities, H3 cells computed as the registry does), then measures:

- the audience of a 100 km circle and of a city polygon (target ≤ 1 s), next to a bare
  ``count(*)`` of the active stays as a baseline;
- a broadcast to every stay: the recipients ``INSERT … SELECT`` and the SMS outbox
  ``INSERT … SELECT`` (language CASE, HMAC-signed link, priority, idempotency key), against
  the ceiling: a raw ``INSERT … SELECT`` of the same number of rows into the same outbox
  table (target ≥ 50 %), also timed with the ``ON CONFLICT DO NOTHING`` the real statement
  needs; then a repeated send, which must write nothing.

``--database`` measures a population ``peduli seed`` wrote (the 10 M run) instead of seeding:
the metropolitan areas' audiences (Kuala Lumpur, Hong Kong) and a broadcast to the area chosen
with ``--broadcast``; the ceiling then copies as many phones as that broadcast has recipients.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import h3
import numpy as np
from sqlalchemy import text

from benchmarks._common import machine, postgres_url, recreate_postgres, use_database

DATABASE = "peduli_crisis_bench"
KL = (3.139, 101.687)
# (latitude, longitude, share, spread in degrees, post)
CITIES = (
    (3.139, 101.687, 0.30, 0.45, "kbri-kuala-lumpur"),
    (1.493, 103.741, 0.12, 0.3, "kjri-johor-bahru"),
    (5.414, 100.329, 0.08, 0.25, "kjri-penang"),
    (1.352, 103.820, 0.10, 0.12, "kbri-singapore"),
    (22.319, 114.169, 0.15, 0.15, "kjri-hong-kong"),
    (25.033, 121.565, 0.15, 0.4, "kdei-taipei"),
    (24.713, 46.675, 0.10, 0.4, "kbri-riyadh"),
)
LANGUAGES = ("id", "id", "id", "en", "zh", "fr")
CITY_POLYGON = {  # greater Kuala Lumpur, drawn by hand (12 vertices)
    "type": "Polygon",
    "coordinates": [
        [
            [101.60, 3.05],
            [101.66, 3.02],
            [101.73, 3.03],
            [101.78, 3.08],
            [101.79, 3.15],
            [101.76, 3.22],
            [101.71, 3.26],
            [101.65, 3.25],
            [101.60, 3.21],
            [101.57, 3.15],
            [101.58, 3.09],
            [101.59, 3.07],
            [101.60, 3.05],
        ]
    ],
}


RAW_OUTBOX = (
    "INSERT INTO outbox_message"
    " (channel, recipient, subject, body, idempotency_key, priority)"
    " SELECT 'sms', cp.value, 'Gempa',"
    " 'Gempa kuat. Jauhi bangunan. Balas AMAN atau TOLONG: "
    "http://127.0.0.1:8000/c/5BANRF55vWsc6iR',"
    " 'raw:' || cp.id::text, 50"
    " FROM contact_point cp WHERE cp.kind = 'phone' LIMIT :rows"
)
HONG_KONG = (22.319, 114.169)
BROADCASTS = {  # --broadcast: the area every active stay of which gets the message
    "malaysia": {"countries": ["MY"]},
    "kuala-lumpur": {"circle": {"lat": KL[0], "lon": KL[1], "radius_km": 100}},
    "hong-kong": {"countries": ["HK"]},
}
ON_CONFLICT = " ON CONFLICT (idempotency_key) DO NOTHING"


def seed(engine: Any, stays: int, rng: np.random.Generator) -> float:
    """COPY ``stays`` people, phones and stays; return seconds."""
    started = time.perf_counter()
    shares = np.array([c[2] for c in CITIES])
    which = rng.choice(len(CITIES), size=stays, p=shares / shares.sum())
    centres = np.array([(c[0], c[1], c[3]) for c in CITIES])[which]
    lat = centres[:, 0] + rng.normal(0, 1, stays) * centres[:, 2]
    lon = centres[:, 1] + rng.normal(0, 1, stays) * centres[:, 2]
    now = datetime.now(UTC)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        ids = [uuid.uuid4() for _ in range(stays)]
        with cursor.copy(
            "COPY person (id, created_at, updated_at, full_name, name_key, sex, date_of_birth,"
            " preferred_language, status, verification) FROM STDIN"
        ) as person_copy:
            for i, pid in enumerate(ids):
                person_copy.write_row(
                    (
                        pid,
                        now,
                        now,
                        f"Warga {i}",
                        f"warga {i}",
                        "F",
                        date(1990, 1, 1),
                        LANGUAGES[i % 6],
                        "active",
                        "unverified",
                    )
                )
        # One COPY at a time: a connection cannot interleave two.
        from peduli.core.crypto import CONTACT_PURPOSE, contact_index, get_cipher

        cipher = get_cipher()
        with cursor.copy(
            "COPY contact_point (id, person_id, kind, value, value_index, is_primary, trusted_at,"
            " trust_source) FROM STDIN"
        ) as phone_copy:
            for i, pid in enumerate(ids):
                phone = f"+601{i:09d}"
                sealed = cipher.encrypt(phone, purpose=CONTACT_PURPOSE)
                phone_copy.write_row(
                    (uuid.uuid4(), pid, "phone", sealed, contact_index(phone), True, now, "seed")
                )
        with cursor.copy(
            "COPY stay (id, created_at, updated_at, person_id, country, city, latitude, longitude,"
            " h3_cell, purpose, arrival_date, status, representation_code, source, language)"
            " FROM STDIN"
        ) as stay_copy:
            for i, pid in enumerate(ids):
                la, lo = float(lat[i]), float(lon[i])
                city = CITIES[which[i]]
                stay_copy.write_row(
                    (
                        uuid.uuid4(),
                        now,
                        now,
                        pid,
                        "MY",
                        "Somewhere",
                        la,
                        lo,
                        h3.latlng_to_cell(la, lo, 8),
                        "work",
                        date(2024, 1, 1),
                        "active",
                        city[4],
                        "self_report",
                        LANGUAGES[i % 6],
                    )
                )
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE person, contact_point"))
    return time.perf_counter() - started


def seeded_or_reused(engine: Any, *, reuse: bool, stays: int) -> int:
    """Seed ``stays`` people (``seed``), or keep those seeded before and drop only the crisis
    rows and the outbox; returns how many stays there are."""
    if reuse:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "TRUNCATE crisis, crisis_cell, crisis_edge, crisis_broadcast,"
                    " crisis_recipient, crisis_checkin, crisis_reach_attempt, crisis_delivery_mark,"
                    " outbox_message"
                )
            )
            stays = conn.execute(text("SELECT count(*) FROM stay")).scalar_one()
        print(f"reusing {stays:,} seeded stays")
    else:
        seconds = seed(engine, stays, np.random.default_rng(2026))
        print(f"seeded {stays:,} people, phones and stays in {seconds:.1f} s")
    vacuum_stays(engine)
    return stays


def vacuum_stays(engine: Any) -> None:
    """``VACUUM (ANALYZE) stay``, as autovacuum does soon after a bulk load: the pages it marks
    all-visible are what lets the audience read its index alone (before it, each index entry
    costs a visit of the table too)."""
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE) stay"))
    print(f"VACUUM (ANALYZE) stay: {time.perf_counter() - started:.1f} s")


def timed(run: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Median seconds of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stays", type=int, default=1_000_000)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the seeded people; drop only crisis rows"
    )
    parser.add_argument("--database", help="a database `peduli seed` filled (implies --reuse)")
    parser.add_argument("--broadcast", choices=sorted(BROADCASTS), default="malaysia")
    args = parser.parse_args()
    args.reuse = args.reuse or bool(args.database)
    database = args.database or DATABASE
    use_database(postgres_url(database) if args.reuse else recreate_postgres(database))
    from peduli.auth.actor import Role
    from peduli.core.db import get_engine, session_scope
    from peduli.crisis import broadcasts, delivery, service
    from peduli.crisis.schemas import BroadcastCreate, CrisisCreate
    from tests.factories import staff

    engine = get_engine()
    print(f"machine: {machine()}")
    args.stays = seeded_or_reused(engine, reuse=args.reuse, stays=args.stays)
    hq, second = staff(Role.HQ_ADMIN), staff(Role.HQ_ADMIN)

    with engine.connect() as conn:
        bare, _ = timed(
            lambda: conn.execute(text("SELECT count(*) FROM stay WHERE status = 'active'")).scalar()
        )
    print(f"baseline: count(*) of active stays: {bare * 1000:.0f} ms")

    areas = {
        "100 km circle around Kuala Lumpur": {
            "circle": {"lat": KL[0], "lon": KL[1], "radius_km": 100}
        },
        "city polygon (greater Kuala Lumpur)": CITY_POLYGON,
        "50 km circle around Hong Kong": {
            "circle": {"lat": HONG_KONG[0], "lon": HONG_KONG[1], "radius_km": 50}
        },
    }
    for name, area in areas.items():
        with session_scope() as db:
            started = time.perf_counter()
            crisis = service.declare(
                db,
                body=CrisisCreate(title=name, kind="earthquake", severity="severe", area=area),
                actor=hq,
            )
            declared = time.perf_counter() - started
            crisis_id = crisis.id
        with session_scope() as db:
            crisis = service.get(db, crisis_id=crisis_id, actor=hq)
            took, audience = timed(lambda: service.count_audience(db, crisis))  # noqa: B023
        print(
            f"targeting, {name}: audience {audience.total:,} stays in {took * 1000:.0f} ms "
            f"(target ≤ 1000 ms; {took / bare:.1f}× the bare count); declaring (cover of "
            f"the area with H3 cells, stored) took {declared * 1000:.0f} ms"
        )

    with session_scope() as db:
        crisis = service.declare(
            db,
            body=CrisisCreate(
                title=f"Broadcast: {args.broadcast}", kind="conflict", severity="extreme",
                area=BROADCASTS[args.broadcast],
            ),
            actor=hq,
        )  # fmt: skip
        rows = service.count_audience(db, crisis).total
        broadcast_crisis = crisis.id
    print(f"broadcast area {args.broadcast}: {rows:,} stays")
    ceilings = {}
    # The real statement needs ON CONFLICT DO NOTHING (a repeated send writes nothing twice),
    # so the raw statement is timed both without it (the target's ceiling) and with it.
    for name, conflict in (("plain", ""), ("on conflict", ON_CONFLICT)):
        with engine.begin() as conn:
            started = time.perf_counter()
            conn.execute(text(RAW_OUTBOX + conflict), {"rows": rows})
            ceilings[name] = time.perf_counter() - started
            conn.execute(text("TRUNCATE outbox_message"))
        print(
            f"ceiling: raw INSERT … SELECT of {rows:,} outbox rows ({name}):"
            f" {ceilings[name]:.2f} s = {rows / ceilings[name]:,.0f} rows/s"
        )
    ceiling = ceilings["plain"]

    with session_scope() as db:
        crisis = service.get(db, crisis_id=broadcast_crisis, actor=hq)
        body = BroadcastCreate(
            messages={
                "id": "Gempa kuat. Jauhi bangunan.",
                "en": "Strong earthquake. Stay outside.",
                "zh": "强烈地震。请留在室外。",
                "fr": "Fort séisme. Restez dehors.",
            },
            channels=["sms"],
        )
        broadcast = broadcasts.draft(db, crisis_id=crisis.id, body=body, actor=hq)
        broadcasts.approve(db, crisis_id=crisis.id, broadcast_id=broadcast.id, actor=second)
        crisis_id, broadcast_id = crisis.id, broadcast.id
    with session_scope() as db:
        crisis = service.get(db, crisis_id=crisis_id, actor=hq)
        broadcast = broadcasts.get(db, crisis_id=crisis_id, broadcast_id=broadcast_id, actor=hq)
        started = time.perf_counter()
        recipients = delivery.add_recipients(db, crisis, broadcast, now=datetime.now(UTC))
        delivery.count_recipients(db, broadcast, added_after=0)  # what the tallies are named by
        targeted = time.perf_counter() - started
        started = time.perf_counter()
        written = delivery.write_outbox(db, crisis, broadcast, channel="sms")
        outbox = time.perf_counter() - started
    print(
        f"fan-out: recipients INSERT … SELECT {recipients:,} rows in {targeted:.2f} s; "
        f"outbox INSERT … SELECT {written:,} rows in {outbox:.2f} s"
        f" = {written / outbox:,.0f} rows/s"
    )
    print(f"  outbox statement vs ceiling: {ceiling / outbox:.0%} (target ≥ 50 %)")
    print(f"  outbox statement vs ceiling with ON CONFLICT: {ceilings['on conflict'] / outbox:.0%}")
    print(f"  whole send (recipients + outbox) vs ceiling: {ceiling / (targeted + outbox):.0%}")
    with session_scope() as db:
        # What the worker does with a send too large for the request (``send`` hands it on).
        crisis = service.get(db, crisis_id=crisis_id, actor=hq)
        broadcast = broadcasts.get(db, crisis_id=crisis_id, broadcast_id=broadcast_id, actor=hq)
        started = time.perf_counter()
        queued = sum(broadcasts.fan_out(db, crisis, broadcast, now=datetime.now(UTC)).values())
        repeat = time.perf_counter() - started
    print(f"repeated send wrote {queued} new outbox rows in {repeat:.2f} s (must be 0)")
    run_by_run(crisis_id, body, hq, second, whole=targeted + outbox)


def run_by_run(crisis_id: Any, body: Any, hq: Any, second: Any, *, whole: float) -> None:
    """The worker's large send, run of cells by run of cells, each committed: a second
    broadcast to the same people, against the whole send in one transaction above."""
    from peduli.core.db import get_sessionmaker, session_scope
    from peduli.crisis import broadcasts
    from peduli.crisis.models import BroadcastStatus

    with session_scope() as db:
        broadcast = broadcasts.draft(db, crisis_id=crisis_id, body=body, actor=hq)
        broadcasts.approve(db, crisis_id=crisis_id, broadcast_id=broadcast.id, actor=second)
        broadcast.status = BroadcastStatus.SENDING  # what ``send`` does for a large audience
    runs: list[float] = []
    one_run = broadcasts.fan_out

    def timed_run(*args: Any, **kwargs: Any) -> dict[str, int]:
        started = time.perf_counter()
        written = one_run(*args, **kwargs)
        runs.append(time.perf_counter() - started)
        return written

    broadcasts.fan_out = timed_run
    started = time.perf_counter()
    try:
        broadcasts.fan_out_waiting(get_sessionmaker(), datetime.now(UTC))
    finally:
        broadcasts.fan_out = one_run
    took = time.perf_counter() - started
    print(
        f"run by run (the worker, {broadcasts.FAN_OUT_STAYS_PER_RUN:,} stays a run): "
        f"{len(runs)} runs in {took:.2f} s ({took / whole:.2f}× the whole send in one "
        f"transaction); the first run's messages committed after {runs[0]:.2f} s, "
        f"the longest run {max(runs):.2f} s"
    )


if __name__ == "__main__":
    main()
