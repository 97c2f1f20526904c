"""The crisis board on PostgreSQL: from the recipients' own delivery (issue 18) against the
outbox join it replaced, with N people each sent every broadcast.

    python -m benchmarks.crisis_board [--stays 100000] [--broadcasts 1] [--reuse] [--database D]

Seeds people, phones and stays as ``benchmarks.crisis_fanout`` does, declares a crisis over
Malaysia (every seeded stay), sends ``--broadcasts`` real SMS broadcasts (recipients and
outbox by the crisis domain's own statements), then has the worker's outcome land: 70 % of
the messages sent, 10 % dead, the rest still waiting, over the ten minutes after; a third of
the people answered. It times, median and slowest of ``--repeat`` calls:

- the board as counted before (``tests.crisis.board_before``: every recipient joined to the
  outbox, three statements; ``--old-repeat`` calls, a minute each at a million) and as
  counted now (``crisis.repository.board``, one statement over the recipient rows, with the
  crisis read and access check of the API call), for HQ and for one post's officer;
- the board page's other figures, the people not yet reached, once the reminder task
  (``crisis.reminders.remind_silent``, timed, and its UPDATEs that mark the people's counted
  rows and the due rows) has reminded the two thirds still silent: as counted before
  (``tests.crisis.unreached_before``: every recipient row grouped by person) and now
  (``crisis.unreached.counts``, the counted rows of the silent), checked equal; and the
  board page's whole read, the board and those counts;
- the task that keeps the rows' delivery (``crisis.delivery_state.follow_outbox``): its first
  run (every finished message), a run with nothing new, a run after 5,000 more sends and
  the run after it, which reads them again.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, text

from benchmarks._common import machine, postgres_url, recreate_postgres, use_database
from benchmarks.crisis_fanout import seeded_or_reused

DATABASE = "peduli_board_bench"
FRESH_SENDS = 5_000
# Outcomes by outbox id (stable, spread over every person and post): sent, dead, waiting.
OUTCOMES = """
    UPDATE outbox_message SET
        status = CASE WHEN id % 10 < 7 THEN 'sent' WHEN id % 10 = 7 THEN 'dead' ELSE 'pending' END,
        sent_at = CASE WHEN id % 10 < 7 THEN :now + (id % 600) * interval '1 second' END,
        next_attempt_at = CASE WHEN id % 10 = 7 THEN :now + (id % 600) * interval '1 second'
                               ELSE next_attempt_at END
    WHERE idempotency_key LIKE 'crisis:%'
"""
ANSWERS = """
    UPDATE crisis_recipient SET
        answer = CASE WHEN hashtext(person_id::text) % 6 = 0 THEN 'need_help' ELSE 'safe' END,
        answered_at = :now
    WHERE hashtext(person_id::text) % 3 = 0
"""
FRESH = """
    UPDATE outbox_message SET status = 'sent', sent_at = :now
    WHERE id IN (SELECT id FROM outbox_message WHERE status = 'pending' ORDER BY id LIMIT :n)
"""


def timed(run: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median and slowest seconds of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times), result


def _vacuum(engine: Any, tables: str) -> None:
    """VACUUM ANALYZE, as autovacuum would soon after: statistics and visibility map fresh."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM ANALYZE {tables}"))


# The reminder task's UPDATEs, by what their SQL sets: the people's counted rows marked
# (only those reminded on a later broadcast alone), then the due rows (and counted among them).
REMINDER_UPDATES = {"SET reminded=": "people marked", "SET reminded_at=": "due rows marked"}


def _remind(engine: Any, at: datetime) -> tuple[int, float, dict[str, float]]:
    """The reminder task's run at ``at``: reminders written, its seconds, and the seconds of
    each of its UPDATEs."""
    from peduli.core.db import session_scope
    from peduli.crisis import reminders

    began: dict[str, float] = {}
    took: dict[str, float] = {}

    def which(statement: str) -> str | None:
        return next((name for key, name in REMINDER_UPDATES.items() if key in statement), None)

    def started(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if (name := which(statement)) is not None:
            began[name] = time.perf_counter()

    def ended(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if (name := which(statement)) is not None:
            took[name] = time.perf_counter() - began[name]

    event.listen(engine, "before_cursor_execute", started)
    event.listen(engine, "after_cursor_execute", ended)
    try:
        begun = time.perf_counter()
        with session_scope() as db:
            written = reminders.remind_silent(db, at)
        seconds = time.perf_counter() - begun
    finally:
        event.remove(engine, "before_cursor_execute", started)
        event.remove(engine, "after_cursor_execute", ended)
    return written, seconds, took


def _send(hq: Any, second: Any, broadcasts_wanted: int) -> tuple[Any, int, Any]:
    """The crisis over Malaysia and its broadcasts, sent; the crisis id, the recipient rows
    and the last broadcast's id."""
    from peduli.core.db import session_scope
    from peduli.crisis import broadcasts, delivery, service
    from peduli.crisis.schemas import BroadcastCreate, CrisisCreate

    with session_scope() as db:
        crisis = service.declare(
            db,
            body=CrisisCreate(
                title="Board benchmark", kind="flood", severity="severe",
                area={"countries": ["MY"]},
            ),
            actor=hq,
        )  # fmt: skip
        crisis_id = crisis.id
    rows = 0
    for number in range(broadcasts_wanted):
        body = BroadcastCreate(messages={"id": f"Banjir ({number + 1})."}, channels=["sms"])
        with session_scope() as db:
            crisis = service.get(db, crisis_id=crisis_id, actor=hq)
            broadcast = broadcasts.draft(db, crisis_id=crisis_id, body=body, actor=hq)
            broadcasts.approve(db, crisis_id=crisis_id, broadcast_id=broadcast.id, actor=second)
            rows += delivery.add_recipients(db, crisis, broadcast, now=datetime.now(UTC))
            delivery.count_recipients(db, broadcast, added_after=0)
            delivery.write_outbox(db, crisis, broadcast, channel="sms")
            broadcast_id = broadcast.id
    return crisis_id, rows, broadcast_id


def _live_figures(crisis_id: Any, broadcast_id: Any, hq: Any, repeat: int) -> None:
    """HQ's live figures of the last broadcast, what HQ's broadcast screen polls while it
    sends: as counted before (every recipient's messages joined to the outbox by key) and
    now (``crisis.broadcast_live``: the broadcast's counts per post, its messages' tallies,
    the answered recipients)."""
    from peduli.core.db import session_scope
    from peduli.crisis import broadcast_live

    with session_scope() as db:
        before = timed(lambda: _live_recounted(db, broadcast_id), repeat)
        now = timed(
            lambda: broadcast_live.live(
                db, crisis_id=crisis_id, broadcast_id=broadcast_id, actor=hq
            ),
            repeat,
        )
    sms = next(c for c in now[2].channels if c.channel == "sms")
    print(
        f"live broadcast figures before (HQ, outbox join by key): median"
        f" {before[0] * 1000:,.0f} ms, slowest {before[1] * 1000:,.0f} ms"
    )
    print(
        f"live broadcast figures now (kept counts): median {now[0] * 1000:,.1f} ms, slowest"
        f" {now[1] * 1000:,.1f} ms = {before[0] / now[0]:,.0f}× faster; {now[2].recipients:,}"
        f" recipients ({before[2]['recipients']:,} recounted), sms queued {sms.queued:,}"
        f" (this benchmark lands its outcomes by SQL, past the tallies; recounted:"
        f" {before[2]['sent']:,} sent, {before[2]['dead']:,} dead)"
    )


def _live_recounted(db: Any, broadcast_id: Any) -> dict[str, int]:
    """The live figures as the screen counted them before the tallies: every recipient of
    the broadcast, and each one's messages joined to the outbox by key."""
    from sqlalchemy import func, select

    from peduli.crisis import delivery
    from peduli.crisis.models import Recipient
    from peduli.notify import service as notify_service
    from peduli.notify.models import OutboxMessage

    counted = Recipient.broadcast_id == broadcast_id
    per_channel = notify_service.delivery_counts(
        group=OutboxMessage.channel, idempotency_keys=delivery.message_keys(), where=counted
    )
    figures = db.execute(select(per_channel)).mappings().one()
    recipients = db.scalar(select(func.count()).select_from(Recipient).where(counted))
    return {"recipients": recipients, "sent": figures["sent"], "dead": figures["dead"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stays", type=int, default=100_000)
    parser.add_argument("--broadcasts", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--old-repeat", type=int, default=3, help="calls of the old board")
    parser.add_argument("--reuse", action="store_true", help="keep the seeded people")
    parser.add_argument("--database", default=DATABASE)
    args = parser.parse_args()
    use_database(postgres_url(args.database) if args.reuse else recreate_postgres(args.database))
    from peduli.auth.actor import Role
    from peduli.core.db import get_engine, session_scope
    from peduli.crisis import delivery_state, repository, unreached
    from tests.crisis.board_before import board_before
    from tests.crisis.unreached_before import counts_before
    from tests.factories import staff

    engine = get_engine()
    print(f"machine: {machine()}")
    seeded_or_reused(engine, reuse=args.reuse, stays=args.stays)
    hq, second = staff(Role.HQ_ADMIN), staff(Role.HQ_ADMIN)
    officer = staff(Role.OFFICER, "kbri-kuala-lumpur")
    started = time.perf_counter()
    crisis_id, rows, broadcast_id = _send(hq, second, args.broadcasts)
    sending = time.perf_counter() - started
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(text(OUTCOMES), {"now": now})
        conn.execute(text(ANSWERS), {"now": now})
    print(
        f"{args.broadcasts} broadcast(s): {rows:,} recipient rows and their SMS written in"
        f" {sending:.1f} s"
    )
    reminded, reminding, updates = _remind(engine, now + timedelta(hours=3))
    parts = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in updates.items())
    print(f"reminder task: {reminded:,} reminders written in {reminding:.1f} s; UPDATEs: {parts}")
    with session_scope() as db:
        unvacuumed = timed(lambda: unreached.counts(db, crisis_id=crisis_id, actor=hq), 3)
    print(
        f"not yet reached now, right after the reminder (before VACUUM):"
        f" median {unvacuumed[0] * 1000:,.0f} ms, slowest {unvacuumed[1] * 1000:,.0f} ms"
    )
    _vacuum(engine, "outbox_message, crisis_recipient")

    # The task's clock: ten minutes after the send, when every outcome above has landed.
    clock = [now + timedelta(minutes=10)]

    def follow() -> int:
        """One run of the task, in its own transaction, two seconds after the last."""
        clock[0] += timedelta(seconds=2)
        with session_scope() as db:
            return delivery_state.follow_outbox(db, clock[0])

    first = timed(follow, 1)
    print(f"task, first run: {first[2]:,} rows brought up to date in {first[0]:.2f} s")
    _vacuum(engine, "crisis_recipient")

    with session_scope() as db:
        old = timed(lambda: board_before(db, crisis_id), args.old_repeat)
        new = timed(lambda: repository.board(db, crisis_id=crisis_id, actor=hq), args.repeat)
        post = timed(lambda: repository.board(db, crisis_id=crisis_id, actor=officer), args.repeat)
        silent_before = timed(
            lambda: counts_before(db, crisis_id=crisis_id, actor=hq), args.old_repeat
        )
        silent = timed(lambda: unreached.counts(db, crisis_id=crisis_id, actor=hq), args.repeat)
        silent_post = timed(
            lambda: unreached.counts(db, crisis_id=crisis_id, actor=officer), args.repeat
        )
        page = timed(
            lambda: (
                repository.board(db, crisis_id=crisis_id, actor=hq),
                unreached.counts(db, crisis_id=crisis_id, actor=hq),
            ),
            args.repeat,
        )
        assert silent_post[2] == counts_before(db, crisis_id=crisis_id, actor=officer)
    assert silent[2] == silent_before[2], (silent[2], silent_before[2])
    now_board = new[2].model_dump()
    assert [now_board["totals"]] == [row.model_dump() for row in old[2]["totals"]]
    for table in ("by_representation", "by_area"):
        assert now_board[table] == [row.model_dump() for row in old[2][table]], table
    print(
        f"board before (outbox join, 3 statements): median {old[0] * 1000:,.0f} ms,"
        f" slowest {old[1] * 1000:,.0f} ms"
    )
    print(
        f"board now (recipient rows, 1 statement): median {new[0] * 1000:,.0f} ms,"
        f" slowest {new[1] * 1000:,.0f} ms = {old[0] / new[0]:,.0f}× faster (target ≤ 500 ms)"
    )
    print(f"  the same board both ways; totals {now_board['totals']}")
    print(
        f"board now, an officer of kbri-kuala-lumpur ({post[2].totals.targeted:,} people):"
        f" median {post[0] * 1000:,.0f} ms, slowest {post[1] * 1000:,.0f} ms"
    )
    print(
        f"not yet reached before (every row grouped by person): median"
        f" {silent_before[0] * 1000:,.0f} ms, slowest {silent_before[1] * 1000:,.0f} ms"
    )
    print(
        f"not yet reached now (counted rows of the silent): median {silent[0] * 1000:,.1f} ms,"
        f" slowest {silent[1] * 1000:,.1f} ms = {silent_before[0] / silent[0]:,.0f}× faster;"
        f" the same counts both ways: {silent[2]}"
    )
    print(
        f"not yet reached now, an officer of kbri-kuala-lumpur ({silent_post[2].not_reached:,}"
        f" people): median {silent_post[0] * 1000:,.1f} ms, slowest {silent_post[1] * 1000:,.1f} ms"
    )
    print(
        f"the board page's whole read (board + not yet reached, HQ): median"
        f" {page[0] * 1000:,.0f} ms, slowest {page[1] * 1000:,.0f} ms (target ≤ 500 ms)"
    )

    _live_figures(crisis_id, broadcast_id, hq, args.old_repeat)

    idle = timed(follow, args.repeat)
    print(f"task, nothing new: {idle[2]} rows written, median {idle[0] * 1000:,.1f} ms")
    with engine.begin() as conn:
        conn.execute(text(FRESH), {"now": clock[0], "n": FRESH_SENDS})
    fresh = timed(follow, 1)
    print(f"task, after {FRESH_SENDS:,} more sends: {fresh[2]:,} rows in {fresh[0] * 1000:,.0f} ms")
    again = timed(follow, 1)
    print(
        f"task, the run after (reads those {FRESH_SENDS:,} again in its overlap):"
        f" {again[2]} rows in {again[0] * 1000:,.0f} ms"
    )


if __name__ == "__main__":
    main()
