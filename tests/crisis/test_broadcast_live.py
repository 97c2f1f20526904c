"""A sent broadcast's delivery figures over the API: waiting, sent, delivered (from the
gateway's reports) and failed per channel, for the caller's posts only."""

from __future__ import annotations

from sqlalchemy import select

from peduli.core.db import session_scope
from peduli.crisis.models import Broadcast
from peduli.notify import receipts
from tests.crisis.conftest import Sent
from tests.crisis.crisis_helpers import gateway_took_every_sms


def _delivery(sent: Sent, who: str) -> dict:
    with session_scope() as db:
        broadcast_id = db.scalars(select(Broadcast.id)).one()
    path = f"/api/v1/crises/{sent.crisis_id}/broadcasts/{broadcast_id}/delivery"
    answer = sent.client.get(path, headers=sent.headers[who])
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    return {c["channel"]: c for c in answer.json()["channels"]} | {"people": answer.json()}


def test_delivery_counts_what_the_gateway_reported(sent: Sent) -> None:
    before = _delivery(sent, "hq")
    assert before["sms"] == {"channel": "sms", "queued": 3, "sent": 0, "delivered": 0, "failed": 0}
    assert before["email"]["delivered"] is None  # e-mail sends no receipts
    assert before["people"]["recipients"] == 3

    with session_scope() as db:
        ids = gateway_took_every_sms(db)
        receipts.record_sms_reports(db, [receipts.SmsReport(i, "delivered") for i in ids])

    after = _delivery(sent, "hq")
    assert after["sms"] == {"channel": "sms", "queued": 0, "sent": 3, "delivered": 3, "failed": 0}
    # Johor Bahru's officer counts their own post's one person.
    assert _delivery(sent, "officer_jb")["sms"]["delivered"] == 1


def test_delivery_is_for_staff_who_follow_crises(sent: Sent) -> None:
    with session_scope() as db:
        broadcast_id = db.scalars(select(Broadcast.id)).one()
    path = f"/api/v1/crises/{sent.crisis_id}/broadcasts/{broadcast_id}/delivery"

    assert sent.client.get(path).status_code == 401
    assert sent.client.get(path, headers=sent.headers["partner"]).status_code == 403
