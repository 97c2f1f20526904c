"""A large send, written by the workers side by side, run of cells by run of cells.

A broadcast whose audience is larger than a request may write (``broadcasts.send``) waits in
``sending``. Each turn of a worker's ``fan_out_waiting`` does one of three steps, each in a
transaction of its own, until none is left:

1. **write** a planned run nobody is writing (``FOR UPDATE SKIP LOCKED`` on its row): its
   recipients and their messages (``broadcasts.fan_out``), then marks it written;
2. **plan** the next run of a broadcast: the cells after the last run planned that hold
   about ``FAN_OUT_STAYS_PER_RUN`` stays (``targeting.cells_holding``);
3. **finish** a broadcast whose runs are all planned and written: ``sent``, counted.

So every worker of the layout writes runs of the same send at once, and a worker killed
half-way leaves its run planned and unwritten, for the next turn of any worker.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from peduli.core.logging import get_logger
from peduli.crisis import broadcasts, targeting
from peduli.crisis.models import Broadcast, BroadcastRun, BroadcastStatus, Crisis

log = get_logger(__name__)

# People written per run: about 1.5 s of work, so the first messages leave seconds after the
# approval instead of after the whole million, and a worker killed half-way loses one run.
FAN_OUT_STAYS_PER_RUN = 50_000

SessionFactory = Callable[[], Session]


def fan_out_waiting(session_factory: SessionFactory, now: datetime) -> int:
    """The worker's part of every large send waiting, oldest approval first: write, plan and
    finish runs until none is left to this worker; returns how many broadcasts it finished."""
    finished = 0
    while True:
        if write_a_run(session_factory, now) or plan_a_run(session_factory):
            continue
        if not finish_a_send(session_factory):
            return finished
        finished += 1


def write_a_run(session_factory: SessionFactory, now: datetime) -> bool:
    """Write the first planned run that no other worker is writing; False when none is."""
    with session_factory() as session, session.begin():
        run = session.scalars(
            select(BroadcastRun)
            .join(Broadcast, Broadcast.id == BroadcastRun.broadcast_id)
            .where(Broadcast.status == BroadcastStatus.SENDING, BroadcastRun.written_at.is_(None))
            .order_by(Broadcast.approved_at, BroadcastRun.number)
            .limit(1)
            .with_for_update(of=BroadcastRun, skip_locked=True)
        ).first()
        if run is None:
            return False
        broadcast = session.get_one(Broadcast, run.broadcast_id)
        crisis = session.get_one(Crisis, broadcast.crisis_id)
        cells = targeting.CellRange(after=run.after_cell, through=run.through_cell)
        broadcasts.fan_out(session, crisis, broadcast, now=now, cells=cells)
        run.written_at = now
        return True


def plan_a_run(session_factory: SessionFactory) -> bool:
    """Plan the next run of the first broadcast with cells left to plan; False when none has."""
    with session_factory() as session, session.begin():
        broadcast = _first_sending(session, ~_planned_to_the_end())
        if broadcast is None:
            return False
        crisis = session.get_one(Crisis, broadcast.crisis_id)
        cells = targeting.cells_holding(
            session, crisis, after=broadcast.fanned_out_through, stays=FAN_OUT_STAYS_PER_RUN
        )
        planned = select(func.count()).where(BroadcastRun.broadcast_id == broadcast.id)
        session.add(
            BroadcastRun(
                broadcast_id=broadcast.id,
                number=(session.scalar(planned) or 0) + 1,
                after_cell=cells.after,
                through_cell=cells.through,
            )
        )
        broadcast.fanned_out_through = cells.through
        return True


def finish_a_send(session_factory: SessionFactory) -> bool:
    """Finish the first broadcast whose runs are planned to the area's end and all written;
    False when none is (a run still being written is not)."""
    unwritten = exists().where(
        BroadcastRun.broadcast_id == Broadcast.id, BroadcastRun.written_at.is_(None)
    )
    with session_factory() as session, session.begin():
        broadcast = _first_sending(session, _planned_to_the_end(), ~unwritten)
        if broadcast is None:
            return False
        crisis = session.get_one(Crisis, broadcast.crisis_id)
        written = broadcasts.finish_sending(session, crisis, broadcast)
        log.info("broadcast sent", broadcast_id=str(broadcast.id), again_queued=written)
        return True


def _planned_to_the_end() -> ColumnElement[bool]:
    """The broadcast's run through the area's end is planned."""
    return exists().where(
        BroadcastRun.broadcast_id == Broadcast.id, BroadcastRun.through_cell.is_(None)
    )


def _first_sending(session: Session, *conditions: ColumnElement[bool]) -> Broadcast | None:
    """The sending broadcast approved first that meets ``conditions``, locked; None when no
    other worker holds it."""
    return session.scalars(
        select(Broadcast)
        .where(Broadcast.status == BroadcastStatus.SENDING, *conditions)
        .order_by(Broadcast.approved_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
