"""The crisis board and the evacuation list: counts, content, scope per post, audit."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from peduli.auth.audit import AuditEntry
from peduli.core.db import session_scope, utcnow
from peduli.crisis import delivery_state
from peduli.notify.models import OutboxMessage, OutboxStatus
from tests.crisis.conftest import Sent
from tests.outbox import all_messages, opened


def _board(sent: Sent, who: str) -> dict[str, Any]:
    response = sent.client.get(f"/api/v1/crises/{sent.crisis_id}/board", headers=sent.headers[who])
    assert response.status_code == 200, response.text
    return response.json()


def test_board_counts_delivery_and_answers_per_post(sent: Sent) -> None:
    sent.client.post(
        "/api/v1/crises/check-ins", json={"token": sent.tokens[sent.phones[0]], "answer": "safe"}
    )
    sent.client.post(
        "/api/v1/crises/check-ins",
        json={"token": sent.tokens[sent.phones[1]], "answer": "need_help"},
    )
    with session_scope() as db:  # the worker delivered two SMS and gave up on the third
        by_phone = {opened(m): m.id for m in all_messages(db)}
        ids = [by_phone[phone] for phone in sent.phones]
        now = utcnow()
        db.execute(
            OutboxMessage.__table__.update()
            .where(OutboxMessage.id.in_(ids[:2]))
            .values(status=OutboxStatus.SENT, sent_at=now)
        )
        db.execute(
            OutboxMessage.__table__.update()
            .where(OutboxMessage.id == ids[2])
            .values(status=OutboxStatus.DEAD, next_attempt_at=now)
        )
    with session_scope() as db:  # and the crisis task followed
        delivery_state.follow_outbox(db, now)
    totals = _board(sent, "hq")["totals"]
    assert {
        k: totals[k] for k in ("targeted", "delivered", "failed", "safe", "need_help", "no_answer")
    } == {
        "targeted": 3,
        "delivered": 2,
        "failed": 1,
        "safe": 1,
        "need_help": 1,
        "no_answer": 1,
    }
    kl = _board(sent, "officer_kl")
    assert kl["totals"]["targeted"] == 2
    assert [r["key"] for r in kl["by_representation"]] == ["kbri-kuala-lumpur"]
    assert (
        sent.client.get(
            f"/api/v1/crises/{sent.crisis_id}/board", headers=sent.headers["partner"]
        ).status_code
        == 403
    )
    page = sent.client.get(f"/officer/crises/{sent.crisis_id}", headers=sent.headers["hq"])
    assert page.status_code == 200 and 'hx-trigger="every 10s"' in page.text
    assert 'http-equiv="refresh"' in page.text
    board_url = f"/officer/crises/{sent.crisis_id}/board"
    polled = sent.client.get(board_url, headers=sent.headers["hq"] | {"HX-Request": "true"})
    assert polled.status_code == 200 and "<html" not in polled.text
    whole = sent.client.get(board_url, headers=sent.headers["hq"])
    assert whole.status_code == 200 and "<html" in whole.text, "a whole page when opened"


def _export(sent: Sent, who: str, file_format: str = "csv") -> Any:
    return sent.client.get(
        f"/api/v1/crises/{sent.crisis_id}/evacuation-list?format={file_format}",
        headers=sent.headers[who],
    )


def test_evacuation_list_content_scope_and_audit(sent: Sent, clean_engine: Engine) -> None:
    sent.client.post(
        "/api/v1/crises/check-ins",
        json={"token": sent.tokens[sent.phones[1]], "answer": "need_help", "place": "Masjid Jamek"},
    )
    everything = _export(sent, "hq")
    assert everything.status_code == 200
    rows = list(csv.reader(io.StringIO(everything.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Name", "Phone", "Email"]
    assert len(rows) == 4
    assert (
        rows[1][0] == "Budi Santoso"
        and rows[1][10] == "need_help"
        and rows[1][12] == "Masjid Jamek"
    )
    names = [r[0] for r in rows[1:]]
    assert '\'=HYPERLINK("x")' in names  # a formula is quoted, never run by a spreadsheet
    assert sent.phones[0] in {r[1] for r in rows}
    kl = list(csv.reader(io.StringIO(_export(sent, "officer_kl").content.decode("utf-8-sig"))))
    assert len(kl) == 3 and all(r[8] == "kbri-kuala-lumpur" for r in kl[1:])
    book = load_workbook(io.BytesIO(_export(sent, "officer_jb", "xlsx").content))
    sheet = list(book.active.values)
    assert len(sheet) == 2 and sheet[1][8] == "kjri-johor-bahru"
    assert _export(sent, "analyst").status_code == 403
    assert _export(sent, "partner").status_code == 403
    with clean_engine.connect() as conn:
        exports = conn.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "crisis.evacuation_export", AuditEntry.outcome == "allowed")
        )
    assert exports == 3
