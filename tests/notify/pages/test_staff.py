"""HQ's dead-letter page: the list (masked recipients, attempts, last error), who sees it,
and the retry buttons, which put letters back in line through the API's own rules."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.notify import service as notify_service
from peduli.notify.models import OutboxMessage, OutboxStatus
from peduli.notify.service import open_recipient
from tests.web.officer_support import HTML as ACCEPT_HTML
from tests.web.officer_support import csrf, signed_in_officer

PAGE = "/hq/dead-letters"
HTML = {**ACCEPT_HTML, "Accept-Language": "en"}


def _dead_letters(db: Session) -> None:
    """Two dead SMS and one dead e-mail, as the dispatcher leaves them after its last try."""
    letters = [
        ("sms", "+6281234567890", "HTTP 503 from the SMS gateway"),
        ("sms", "+6281298765432", "HTTP 503 from the SMS gateway"),
        ("email", "siti.aminah@example.org", "550 mailbox unavailable"),
    ]
    for number, (channel, recipient, error) in enumerate(letters):
        notify_service.enqueue(
            db,
            channel=channel,
            recipient=recipient,
            subject="Kode masuk",
            body="123456",
            idempotency_key=f"test.dead:{number}",
        )
        db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.idempotency_key == f"test.dead:{number}")
            .values(status=OutboxStatus.DEAD, attempts=5, last_error=error)
        )
    db.commit()


def _status(db: Session) -> dict[str, str]:
    """Each letter's status now (the read ends at once: SQLite lets one writer in)."""
    rows = db.execute(
        select(OutboxMessage.channel, OutboxMessage.recipient, OutboxMessage.status)
    ).all()
    db.rollback()
    return {open_recipient(channel, sealed): str(status) for channel, sealed, status in rows}


def _id_of(db: Session, recipient: str) -> int:
    rows = db.execute(
        select(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.recipient)
    ).all()
    db.rollback()
    found = [id_ for id_, channel, sealed in rows if open_recipient(channel, sealed) == recipient]
    assert len(found) == 1
    return found[0]


def test_hq_admin_sees_masked_dead_letters_and_retries_one(client: TestClient, db: Session) -> None:
    _dead_letters(db)
    signed_in_officer(client, db, "admin@kemlu.example", Role.HQ_ADMIN, None)

    page = client.get(PAGE, headers=HTML)
    assert page.status_code == 200
    assert 'href="/hq/dead-letters" aria-current="page"' in page.text  # in the navigation
    assert "+6281234567890" not in page.text and "siti.aminah@" not in page.text
    assert "+628…90" in page.text and "s…@example.org" in page.text
    assert "HTTP 503 from the SMS gateway" in page.text and "550 mailbox unavailable" in page.text
    assert "<td>5</td>" in page.text
    assert "3 dead letter(s)" in page.text

    sms_only = client.get(PAGE, params={"channel": "sms"}, headers=HTML)
    assert "2 dead letter(s)" in sms_only.text and "s…@example.org" not in sms_only.text

    message_id = _id_of(db, "+6281234567890")
    without_csrf = client.post(f"{PAGE}/{message_id}/retry", follow_redirects=False)
    assert without_csrf.status_code == 403
    assert _status(db)["+6281234567890"] == "dead"

    retried = client.post(
        f"{PAGE}/{message_id}/retry",
        data={"csrf_token": csrf(page.text), "channel": "sms"},
        headers=HTML,
        follow_redirects=False,
    )
    assert retried.status_code == 303
    assert retried.headers["location"] == f"{PAGE}?done=retried&count=1&channel=sms"
    assert _status(db) == {
        "+6281234567890": "pending",
        "+6281298765432": "dead",
        "siti.aminah@example.org": "dead",
    }
    shown = client.get(retried.headers["location"], headers=HTML)
    assert "1 message(s) put back in line." in shown.text
    assert db.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "notify.dead_letters.retry", AuditEntry.outcome != "denied")
    )


def test_retry_all_of_one_channel_leaves_the_others(client: TestClient, db: Session) -> None:
    _dead_letters(db)
    signed_in_officer(client, db, "admin@kemlu.example", Role.HQ_ADMIN, None)
    page = client.get(PAGE, params={"channel": "sms"}, headers=HTML)
    assert "Retry all of SMS" in page.text

    answer = client.post(
        f"{PAGE}/retry",
        data={"csrf_token": csrf(page.text), "channel": "sms"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == f"{PAGE}?done=retried&count=2&channel=sms"
    assert _status(db) == {
        "+6281234567890": "pending",
        "+6281298765432": "pending",
        "siti.aminah@example.org": "dead",
    }


def test_an_analyst_reads_but_has_no_retry_button_and_may_not_retry(
    client: TestClient, db: Session
) -> None:
    _dead_letters(db)
    signed_in_officer(client, db, "analyst@kemlu.example", Role.HQ_ANALYST, None)
    page = client.get(PAGE, headers=HTML)
    assert page.status_code == 200 and "+628…90" in page.text
    assert "/retry" not in page.text
    message_id = _id_of(db, "+6281234567890")
    refused = client.post(
        f"{PAGE}/{message_id}/retry", data={"csrf_token": csrf(page.text)}, headers=HTML
    )
    assert refused.status_code == 403
    assert set(_status(db).values()) == {"dead"}


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR])
def test_post_staff_are_refused_and_see_no_link(
    client: TestClient, db: Session, role: Role
) -> None:
    """A dead letter belongs to no post: the list is national, so HQ's alone."""
    _dead_letters(db)
    signed_in_officer(client, db, "post@kemlu.example", role, "kbri-seoul")
    assert "/hq/dead-letters" not in client.get("/officer", headers=HTML).text
    refused = client.get(PAGE, headers=HTML)
    assert refused.status_code == 403
    assert "+628…90" not in refused.text
    assert refused.headers["content-type"].startswith("text/html")


def test_signed_out_readers_go_to_the_sign_in(client: TestClient) -> None:
    answer = client.get(PAGE, headers=HTML, follow_redirects=False)
    assert answer.status_code == 303
    assert re.match(r"/officer/sign-in\?next=/hq/dead-letters", answer.headers["location"])
