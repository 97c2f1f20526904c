"""After the run: is every acknowledged write in the database, did every broadcast recipient
get exactly one message at the sandbox gateway, and how fast did the alerts and messages go.

Plain SQL on the primary, set-based: one statement per kind of write, one per figure.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

# kind in the ledger → the statement counting how many of the given ids exist
PRESENT = {
    kind: f"SELECT count(*) FROM {table} WHERE id = ANY(%s::uuid[])"  # noqa: S608 (fixed names)
    for kind, table in {
        "person": "person", "claim": "identity_claim", "case": "protection_case",
        "referral": "case_referral", "crisis": "crisis", "broadcast": "crisis_broadcast",
        "checkin": "crisis_checkin",
    }.items()
}  # fmt: skip
NOTES_PRESENT = (
    "SELECT count(*) FROM case_event e"
    " JOIN unnest(%s::uuid[], %s::bigint[]) AS n(case_id, seq)"
    " ON e.case_id = n.case_id AND e.seq = n.seq"
)
BROADCAST_KEY = r"^crisis:\d+:(sms|whatsapp|telegram|email)$"
BROADCAST = """
SELECT
  (SELECT count(*) FROM crisis_recipient WHERE broadcast_id = %(b)s::uuid) AS recipients,
  (SELECT count(*) FROM outbox_message WHERE idempotency_key ~ %(key)s) AS queued,
  (SELECT count(*) FROM outbox_message WHERE idempotency_key ~ %(key)s
     AND status NOT IN ('sent', 'dead')) AS waiting,
  (SELECT count(*) FROM outbox_message WHERE idempotency_key ~ %(key)s
     AND status = 'dead') AS dead,
  (SELECT extract(epoch FROM max(created_at) - b.approved_at) FROM outbox_message
     WHERE idempotency_key ~ %(key)s) AS queued_seconds,
  extract(epoch FROM b.sent_at - b.approved_at) AS fan_out_started_seconds,
  (SELECT count(*) FROM sandbox_message WHERE idempotency_key ~ %(key)s) AS received,
  (SELECT count(*) FROM sandbox_message WHERE idempotency_key ~ %(key)s
     AND deliveries > 1) AS posted_again,
  (SELECT count(*) FROM outbox_message o WHERE o.idempotency_key ~ %(key)s
     AND o.status = 'sent' AND NOT EXISTS
     (SELECT 1 FROM sandbox_message s WHERE s.idempotency_key = o.idempotency_key)) AS lost,
  (SELECT count(*) FROM sandbox_message s WHERE s.idempotency_key ~ %(key)s AND NOT EXISTS
     (SELECT 1 FROM outbox_message o WHERE o.idempotency_key = s.idempotency_key)) AS unknown,
  (SELECT extract(epoch FROM max(received_at) - min(received_at)) FROM sandbox_message
     WHERE idempotency_key ~ %(key)s) AS delivery_seconds,
  (SELECT max(n) FROM (SELECT count(*) AS n FROM sandbox_message WHERE idempotency_key ~ %(key)s
     GROUP BY date_trunc('second', received_at)) per_second) AS busiest_second
FROM crisis_broadcast b WHERE b.id = %(b)s::uuid
"""
# Seconds from each "need help" answer leaving the client to its emergency's first alert
# (step 0) stored by the sandbox gateway for the duty officer's phone.
HELP_ALERTS = """
SELECT n.sent, extract(epoch FROM min(s.received_at)), extract(epoch FROM min(e.created_at)),
  extract(epoch FROM min(o.created_at)), extract(epoch FROM min(o.sent_at))
FROM unnest(%s::uuid[], %s::float8[]) AS n(checkin_id, sent)
JOIN crisis_checkin c ON c.id = n.checkin_id
LEFT JOIN emergency e ON e.case_id = c.case_id
LEFT JOIN sandbox_message s ON s.channel = 'sms' AND s.recipient = %s
  AND s.idempotency_key LIKE 'emergency:' || e.id::text || ':step:0:%%'
LEFT JOIN outbox_message o ON o.idempotency_key = s.idempotency_key
GROUP BY n.checkin_id, n.sent
"""


@dataclass
class Ledger:
    entries: list[dict[str, Any]]

    @classmethod
    def read(cls, path: Path) -> Ledger:
        if not path.exists():
            return cls([])
        return cls([json.loads(line) for line in path.read_text().splitlines() if line])

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.entries if e["kind"] == kind]


def ledger_present(conn: psycopg.Connection[Any], ledger: Ledger) -> dict[str, dict[str, int]]:
    """Per kind of write: how many were acknowledged and how many are in the database."""
    ids: dict[str, set[str]] = defaultdict(set)
    for entry in ledger.entries:
        ids[entry["kind"]].add(entry["id"])
    found: dict[str, dict[str, int]] = {}
    for kind, wanted in sorted(ids.items()):
        if kind == "case_note":
            notes = {(e["id"], int(e["seq"])) for e in ledger.of(kind)}
            cases, seqs = zip(*notes, strict=True)
            row = conn.execute(NOTES_PRESENT, (list(cases), list(seqs))).fetchone()
            found[kind] = {"acknowledged": len(notes), "present": row[0] if row else 0}
            continue
        row = conn.execute(PRESENT[kind], (sorted(wanted),)).fetchone()
        found[kind] = {"acknowledged": len(wanted), "present": row[0] if row else 0}
    return found


def wait_for_outbox(conn: psycopg.Connection[Any], *, seconds: float) -> float | None:
    """Seconds until no broadcast message waits any more, nor a broadcast still being
    written by the worker (None: still some after ``seconds``)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM outbox_message WHERE status NOT IN ('sent', 'dead'))"
            " + (SELECT count(*) FROM crisis_broadcast WHERE status = 'sending')"
        ).fetchone()
        if row is not None and row[0] == 0:
            return time.monotonic() - started
        time.sleep(2)
    return None


def broadcast_figures(conn: psycopg.Connection[Any], broadcast_id: str) -> dict[str, Any]:
    """Recipients, messages queued and received, lost, duplicated, and how fast."""
    cursor = conn.execute(BROADCAST, {"b": broadcast_id, "key": BROADCAST_KEY})
    row = cursor.fetchone()
    names = [column.name for column in cursor.description or ()]
    return {
        name: (float(v) if hasattr(v, "is_finite") else v)
        for name, v in zip(names, row or (), strict=True)
    }


def help_alert_seconds(
    conn: psycopg.Connection[Any], ledger: Ledger, duty_phone: str
) -> tuple[list[float], int, list[dict[str, float]]]:
    """Seconds to the duty officer's phone for each acknowledged "need help"; how many never
    reached it; and for each that did, where its seconds went: the answer to the emergency
    raised, raised to queued in the outbox, queued to sent, sent to received."""
    helps = [e for e in ledger.of("checkin") if e.get("answer") == "need_help"]
    if not helps:
        return [], 0, []
    rows = conn.execute(
        HELP_ALERTS, ([e["id"] for e in helps], [float(e["sent"]) for e in helps], duty_phone)
    ).fetchall()
    arrived = [row for row in rows if row[1] is not None]
    stages = [
        {"answered": float(sent), "raised": float(raised) - float(sent),
         "queued": float(queued) - float(raised), "sent": float(out) - float(queued),
         "received": float(received) - float(out)}
        for sent, received, raised, queued, out in arrived
        if None not in (raised, queued, out)
    ]  # fmt: skip
    seconds = [float(received) - float(sent) for sent, received, *_ in arrived]
    return seconds, len(rows) - len(arrived), stages


def slowest(stages: list[dict[str, float]], count: int) -> list[dict[str, float]]:
    """The alerts that took longest from the answer to the phone, with their stages."""
    return sorted(stages, key=lambda a: -(a["raised"] + a["queued"] + a["sent"] + a["received"]))[
        :count
    ]
