"""The correction requests page: the post's queue, paged, deciding with a reason kept after
an error, in the reader's language."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.notify.models import OutboxMessage
from peduli.registry import rights, service
from peduli.registry.models import DataRequest
from peduli.web.i18n import LANGUAGE_COOKIE
from tests import factories
from tests.web.officer_support import csrf, signed_in_officer

REASON = "Birth place corrected after checking the passport."


def _request(db: Session, serial: int = 1, message: str = "Born in Cirebon") -> DataRequest:
    citizen = factories.signed_in_citizen(db, f"warga{serial}@example.org")
    service.submit_self_report(
        db,
        report=factories.report(
            nik=factories.nik(serial=serial), passport_number=f"C{serial:07d}",
            email=f"warga{serial}@example.org", phone=None, full_name=f"Warga {serial}",
        ),
        actor=citizen,
    )  # fmt: skip
    citizen = factories.refreshed(db, citizen)
    request = rights.request_correction(db, actor=citizen, message=message)
    db.commit()
    return request


def test_the_queue_shows_the_posts_requests_only(client: TestClient, db: Session) -> None:
    _request(db)
    client.cookies.set(LANGUAGE_COOKIE, "en")
    signed_in_officer(client, db, "kl@example.org", representation_code="kbri-kuala-lumpur")
    page = client.get("/officer/corrections")
    assert page.status_code == 200 and "No correction request is waiting." in page.text
    client.cookies.clear()
    client.cookies.set(LANGUAGE_COOKIE, "en")
    signed_in_officer(client, db, "seoul@example.org")
    page = client.get("/officer/corrections")
    assert "Warga 1" in page.text and "Born in Cirebon" in page.text


def test_the_queue_is_paged(client: TestClient, db: Session) -> None:
    for serial in range(1, 28):
        _request(db, serial)
    client.cookies.set(LANGUAGE_COOKIE, "en")
    signed_in_officer(client, db)
    first = client.get("/officer/corrections")
    assert first.text.count('href="/officer/corrections/') == 25 and "Page 1 of 2" in first.text
    second = client.get("/officer/corrections?page=2")
    assert second.text.count('href="/officer/corrections/') == 2


@pytest.mark.parametrize(
    ("language", "heading"),
    [("id", "Permintaan koreksi"), ("en", "Correction requests"), ("zh", "更正请求"),
     ("fr", "Demandes de correction")],
)  # fmt: skip
def test_the_page_speaks_the_readers_language(
    client: TestClient, db: Session, language: str, heading: str
) -> None:
    client.cookies.set(LANGUAGE_COOKIE, language)
    signed_in_officer(client, db)
    assert f"<h1>{heading}</h1>" in client.get("/officer/corrections").text


def test_deciding_keeps_the_typed_reason_after_an_error_then_tells_the_citizen(
    client: TestClient, db: Session
) -> None:
    request = _request(db)
    client.cookies.set(LANGUAGE_COOKIE, "en")
    signed_in_officer(client, db)
    url = f"/officer/corrections/{request.id}"
    form = client.get(url)
    assert form.status_code == 200 and "Born in Cirebon" in form.text
    token = csrf(form.text)
    short = client.post(url, data={"csrf_token": token, "decision": "accepted", "reason": "ok 12"})
    assert short.status_code == 422
    assert ">ok 12</textarea>" in short.text and 'aria-invalid="true"' in short.text
    assert re.search(r'value="accepted" checked', short.text)
    assert "at least 10 characters" in short.text
    no_choice = client.post(url, data={"csrf_token": token, "reason": REASON})
    assert no_choice.status_code == 422 and REASON in no_choice.text
    done = client.post(
        url,
        data={"csrf_token": token, "decision": "accepted", "reason": REASON},
        follow_redirects=False,
    )
    assert (
        done.status_code == 303 and done.headers["location"] == "/officer/corrections?done=accepted"
    )
    db.expire_all()
    assert db.get_one(DataRequest, request.id).status == "accepted"
    told = db.scalars(select(OutboxMessage).where(OutboxMessage.channel == "in_app")).one()
    assert told.recipient == str(request.person_id) and "diterima" in told.body


def test_another_post_cannot_open_or_decide(client: TestClient, db: Session) -> None:
    request = _request(db)
    client.cookies.set(LANGUAGE_COOKIE, "en")
    signed_in_officer(client, db, "kl@example.org", representation_code="kbri-kuala-lumpur")
    assert client.get(f"/officer/corrections/{request.id}").status_code == 404
    token = csrf(client.get("/officer/corrections").text)
    answer = client.post(
        f"/officer/corrections/{request.id}",
        data={"csrf_token": token, "decision": "refused", "reason": REASON},
    )
    assert answer.status_code == 404
    db.expire_all()
    assert db.get_one(DataRequest, request.id).status == "open"


def test_an_analyst_is_refused(client: TestClient, db: Session) -> None:
    client.cookies.set(LANGUAGE_COOKIE, "en")
    signed_in_officer(
        client, db, "analyst@example.org", role=Role.HQ_ANALYST, representation_code=None
    )
    assert client.get("/officer/corrections").status_code == 403
