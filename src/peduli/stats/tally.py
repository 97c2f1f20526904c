"""Keep the statistics of citizens abroad in step with the registry, set-based.

A periodic task (``stats.jobs``) reads the stays and people changed since its cursor, in
``(updated_at, id)`` order through their indexes, and re-reads those changed in the last
``OVERLAP`` too: timestamps are taken before commit, so a row may become visible after later
ones were read. A transaction open longer than that is caught on PostgreSQL by watching the
open write transactions: when one that was open longer than ``OVERLAP`` at the last round has
ended, the cursor goes back to its start and walks forward again (``_rewind``). On SQLite,
whose single writer keeps every transaction short, and for clocks more than ``OVERLAP`` apart
between app servers and the worker, a row missed that way is counted when it changes again or
``rebuild`` recounts.
For the stays found it applies deltas with a handful of statements per batch, whatever its
size: subtract each stay's recorded contribution, record the new one (from the stay and its
person now), add it. Applying a stay twice moves nothing, so re-reading is safe; a stay that
was deleted (the person erased) or whose person was merged away simply contributes nothing.

One worker at a time: a lease on the cursor row is taken with one conditional UPDATE (on
PostgreSQL the row lock also holds a second worker until the first commits), which works
across processes and on both databases.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    Select,
    String,
    Table,
    case,
    cast,
    delete,
    extract,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from peduli.core.db import is_postgres
from peduli.registry.models import Person, PersonStatus, Stay, StayStatus
from peduli.stats.models import (
    CitizenFlowDay,
    CitizenStock,
    Dimension,
    FlowKind,
    StayContribution,
    TallyCursor,
)

BATCH = 2000
OVERLAP = timedelta(seconds=10)
LEASE = timedelta(seconds=30)
STAYS, PEOPLE = "stay", "person"
_START = datetime(1970, 1, 1, tzinfo=UTC)
_NO_ID = uuid.UUID(int=0)
_CHUNK = 900  # ids per IN (...) list, within SQLite's smallest parameter limit
ALL = "*"  # the country or post of a roll-up row: every one


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _day(session: Session, column: Any) -> Any:
    """The UTC day of a timestamp column, on either database."""
    if is_postgres(session):
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def _create_cursors(session: Session) -> None:
    insert_ = pg_insert if is_postgres(session) else sqlite_insert
    for name in (STAYS, PEOPLE):
        session.execute(
            insert_(_table(TallyCursor))
            .values(name=name, seen_at=_START, seen_id=_NO_ID)
            .on_conflict_do_nothing(index_elements=["name"])
        )


def take_lease(session: Session, *, owner: str, now: datetime) -> bool:
    """Hold the tally for ``LEASE`` unless another worker holds it; creates the cursors."""
    _create_cursors(session)
    taken = session.execute(
        update(TallyCursor)
        .where(
            TallyCursor.name == STAYS,
            or_(
                TallyCursor.lease_until.is_(None),
                TallyCursor.lease_until < now,
                TallyCursor.lease_owner == owner,
            ),
        )
        .values(lease_owner=owner, lease_until=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def refresh(session: Session, now: datetime, *, owner: str = "tally", batch: int = BATCH) -> int:
    """Apply up to ``batch`` changed stays and people (plus the overlap); returns stays applied."""
    if not take_lease(session, owner=owner, now=now):
        return 0
    oldest = _oldest_long_write(session, now)
    stay_ids = _changed(session, STAYS, Stay, batch, now, oldest)
    person_ids = _changed(session, PEOPLE, Person, batch, now, oldest)
    if person_ids:
        for chunk in _chunks(person_ids):
            stay_ids |= set(session.scalars(select(Stay.id).where(Stay.person_id.in_(chunk))))
            stay_ids |= set(
                session.scalars(
                    select(StayContribution.stay_id).where(StayContribution.person_id.in_(chunk))
                )
            )
    apply(session, sorted(stay_ids))
    session.execute(
        update(TallyCursor)
        .where(TallyCursor.name == STAYS, TallyCursor.lease_owner == owner)
        .values(lease_until=None, lease_owner=None)
        .execution_options(synchronize_session=False)
    )
    return len(stay_ids)


def _oldest_long_write(session: Session, now: datetime) -> datetime | None:
    """When the oldest other transaction that has written and is still open began, if that
    is more than ``OVERLAP`` ago (PostgreSQL; the app and its workers share one role, whose
    own sessions ``pg_stat_activity`` shows in full)."""
    if not is_postgres(session):
        return None
    oldest: datetime | None = session.scalar(
        text(
            "SELECT min(xact_start) FROM pg_stat_activity WHERE backend_xid IS NOT NULL"
            " AND pid <> pg_backend_pid() AND datname = current_database()"
        )
    )
    return oldest if oldest is not None and oldest < now - OVERLAP else None


def _rewind(
    cursor: tuple[datetime, uuid.UUID, datetime | None], oldest: datetime | None
) -> tuple[datetime, uuid.UUID]:
    """Where to read from: back to the start of a long transaction seen open at the last
    round and ended since (its rows are stamped from then, and may lie behind the cursor),
    less ``OVERLAP`` for the clocks; else the cursor itself. Reading again is harmless."""
    seen_at, seen_id, long_open_since = cursor
    ended = long_open_since is not None and (oldest is None or oldest > long_open_since)
    if ended and long_open_since is not None and long_open_since - OVERLAP < seen_at:
        return long_open_since - OVERLAP, _NO_ID
    return seen_at, seen_id


def _changed(
    session: Session, name: str, model: Any, batch: int, now: datetime, oldest: datetime | None
) -> set[uuid.UUID]:
    """Ids of ``model`` changed after the cursor (``batch`` at most) and in the last
    ``OVERLAP``; moves the cursor to the last row read, and remembers ``oldest``, the start
    of the oldest long transaction open now."""
    cursor = session.execute(
        select(TallyCursor.seen_at, TallyCursor.seen_id, TallyCursor.long_open_since).where(
            TallyCursor.name == name
        )
    ).one()
    seen_at, seen_id = _rewind((cursor[0], cursor[1], cursor[2]), oldest)
    rows = session.execute(
        select(model.updated_at, model.id)
        .where(tuple_(model.updated_at, model.id) > tuple_(seen_at, seen_id))
        .order_by(model.updated_at, model.id)
        .limit(batch)
    ).all()
    ids = {row[1] for row in rows}
    # Look again at the last ``OVERLAP`` seconds, for rows whose transaction committed after
    # the cursor passed their timestamp: a row stamped at T and committed by T + 8 s is seen
    # by the first round after its commit. Rows older than that are not read again, so a
    # quiet registry costs an empty index range per round.
    ids |= set(
        session.scalars(select(model.id).where(model.updated_at >= now - OVERLAP).limit(batch))
    )
    if rows:
        seen_at, seen_id = rows[-1]
    if (seen_at, seen_id, oldest) != tuple(cursor):  # a quiet round writes nothing
        session.execute(
            update(TallyCursor)
            .where(TallyCursor.name == name)
            .values(seen_at=seen_at, seen_id=seen_id, long_open_since=oldest)
            .execution_options(synchronize_session=False)
        )
    return ids


def _chunks(ids: Sequence[uuid.UUID] | set[uuid.UUID]) -> list[list[uuid.UUID]]:
    ordered = list(ids)
    return [ordered[i : i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]


def apply(session: Session, stay_ids: Sequence[uuid.UUID]) -> None:
    """Bring the contributions of ``stay_ids`` and the aggregates up to date (idempotent)."""
    for chunk in _chunks(stay_ids):
        mine = StayContribution.stay_id.in_(chunk)
        _add(session, mine, sign=-1)
        session.execute(delete(StayContribution).where(mine))
        session.execute(
            insert(StayContribution).from_select(
                _CONTRIBUTION_COLUMNS, _contributions(session, Stay.id.in_(chunk))
            )
        )
        _add(session, mine, sign=1)


_CONTRIBUTION_COLUMNS = [
    "stay_id",
    "person_id",
    "counted",
    "country",
    "representation_code",
    "purpose",
    "sector",
    "sex",
    "birth_year",
    "province",
    "verification",
    "arrival_date",
    "departed_on",
    "reported_on",
]


def _contributions(session: Session, which: Any) -> Any:
    """The contribution of each stay ``which`` selects, from the stay and its person now.

    Only active people's stays contribute: a merged person's stays have moved to the
    survivor, an erased person's are gone.
    """
    query = (
        select(
            Stay.id,
            Stay.person_id,
            Stay.status == StayStatus.ACTIVE.value,
            Stay.country,
            func.coalesce(Stay.representation_code, ""),
            Stay.purpose,
            func.coalesce(Stay.sector, ""),
            Person.sex,
            cast(extract("year", Person.date_of_birth), String(4)),
            func.coalesce(Person.home_province, ""),
            Person.verification,
            Stay.arrival_date,
            Stay.departed_on,
            case((Stay.source == "self_report", _day(session, Stay.created_at)), else_=None),
        )
        .join(Person, Person.id == Stay.person_id)
        .where(which, Person.status == PersonStatus.ACTIVE.value)
    )
    return query


def _places(c: Any) -> list[tuple[Any, Any]]:
    """The (country, post) keys each contribution is counted under: its own, and the
    roll-ups ``ALL`` (every post of its country, every country of its post, everything),
    so that any reading is a handful of rows of one key."""
    every = cast(literal(ALL), String(40))
    return [
        (c.country, c.representation_code),
        (c.country, every),
        (cast(literal(ALL), String(2)), c.representation_code),
        (cast(literal(ALL), String(2)), every),
    ]


def _add(session: Session, which: Any, *, sign: int) -> None:
    """Add (``sign`` 1) or subtract (-1) the contributions ``which`` selects."""
    c = StayContribution
    dims = [
        select(
            cast(literal(d.value), String(12)).label("dimension"),
            getattr(c, d.value).label("value"),
            country.label("country"),
            post.label("representation_code"),
        ).where(which, c.counted)
        for d in Dimension
        for country, post in _places(c)
    ]
    stock = union_all(*dims).subquery()
    _upsert(
        session,
        CitizenStock,
        select(
            stock.c.dimension,
            stock.c.value,
            stock.c.country,
            stock.c.representation_code,
            sign * func.count(),
        )
        .where(true())
        .group_by(stock.c.dimension, stock.c.value, stock.c.country, stock.c.representation_code),
        keys=["dimension", "value", "country", "representation_code"],
    )
    flows = union_all(
        *(
            select(
                column.label("day"),
                cast(literal(kind.value), String(12)).label("kind"),
                country.label("country"),
                post.label("representation_code"),
            ).where(which, column.is_not(None))
            for kind, column in (
                (FlowKind.ARRIVAL, c.arrival_date),
                (FlowKind.DEPARTURE, c.departed_on),
                (FlowKind.SELF_REPORT, c.reported_on),
            )
            for country, post in _places(c)
        )
    ).subquery()
    _upsert(
        session,
        CitizenFlowDay,
        select(flows.c.day, flows.c.kind, flows.c.country, flows.c.representation_code)
        .add_columns(sign * func.count())
        .where(true())
        .group_by(flows.c.day, flows.c.kind, flows.c.country, flows.c.representation_code),
        keys=["day", "kind", "country", "representation_code"],
    )


def _upsert(session: Session, model: Any, rows: Select[Any], *, keys: list[str]) -> None:
    table = _table(model)
    insert_ = pg_insert if is_postgres(session) else sqlite_insert
    statement = insert_(table).from_select([*keys, "n"], rows)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=keys, set_={"n": table.c.n + statement.excluded.n}
        )
    )


def rebuild(session: Session) -> None:
    """Recount everything from the registry's rows (a full scan: setup and repair only).

    The stays' cursor, which holds the lease, is locked first, whatever lease a worker holds:
    a worker's round in flight ends before the recount starts, and the next waits for it to
    commit (a round begins by writing that row, and only then the people's). Without the
    lock both wrote the same stays' contributions and deadlocked (the 1 M load test, right
    after its seed); locking the people's cursor first deadlocked as well.
    """
    _create_cursors(session)
    session.execute(select(TallyCursor.name).where(TallyCursor.name == STAYS).with_for_update())
    for table in (StayContribution, CitizenStock, CitizenFlowDay):
        session.execute(delete(table))
    session.execute(
        insert(StayContribution).from_select(_CONTRIBUTION_COLUMNS, _contributions(session, true()))
    )
    _add(session, true(), sign=1)
    changing: tuple[tuple[str, Any], ...] = ((STAYS, Stay), (PEOPLE, Person))
    for name, model in changing:
        last = session.execute(
            select(model.updated_at, model.id).order_by(model.updated_at.desc(), model.id.desc())
        ).first()
        if last is not None:
            take_lease(session, owner="rebuild", now=last[0])
            session.execute(
                update(TallyCursor)
                .where(TallyCursor.name == name)
                .values(
                    seen_at=last[0],
                    seen_id=last[1],
                    long_open_since=None,
                    lease_owner=None,
                    lease_until=None,
                )
                .execution_options(synchronize_session=False)
            )
