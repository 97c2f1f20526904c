"""The officers' service pages: the post's queue with SLA clocks, an application taken to
hand-over through its decision forms, and the report; another post's officer sees none."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.core.db import session_scope, utcnow
from peduli.documents import service as documents
from peduli.services.models import ServiceApplication
from tests.services.conftest import citizen_of, renewal
from tests.web.officer_support import post_form, signed_in_officer


def applied(db: Session) -> str:
    application = renewal(db, citizen_of(db), payment="counter")
    db.execute(update(ServiceApplication).values(due_at=utcnow() - timedelta(hours=1)))
    db.commit()
    reference = application.reference
    identifier = str(application.id)
    db.rollback()
    return f"{identifier} {reference}"


def test_an_officer_works_the_queue_to_hand_over(client: TestClient, loaded: Session) -> None:
    identifier, reference = applied(loaded).split()
    signed_in_officer(client, loaded)
    client.cookies.set("peduli_lang", "en")
    queue = client.get("/officer/applications")
    assert queue.status_code == 200
    assert reference in queue.text and "sla-red" in queue.text and "Overdue" in queue.text
    page = f"/officer/applications/{identifier}"
    refused = post_form(client, f"{page}/decision", {"action": "refuse", "reason": ""}, page)
    assert refused.status_code == 422 and "Give the reason." in refused.text
    for action in ("approve", "issue", "hand_over"):
        done = post_form(client, f"{page}/decision", {"action": action, "reason": ""}, page)
        assert done.status_code == 303, done.text
    assert "Handed over" in client.get(page).text
    report = client.get("/officer/applications-report")
    assert report.status_code == 200 and "Passport renewal" in report.text


def test_another_posts_officer_sees_nothing(client: TestClient, loaded: Session) -> None:
    identifier, reference = applied(loaded).split()
    signed_in_officer(client, loaded, representation_code="kbri-kuala-lumpur",
                      email="officer.kl@example.org", role=Role.OFFICER)  # fmt: skip
    assert reference not in client.get("/officer/applications").text
    assert client.get(f"/officer/applications/{identifier}").status_code == 404


def test_issuing_signs_a_document_anyone_can_verify(client: TestClient, loaded: Session) -> None:
    identifier, _reference = applied(loaded).split()
    signed_in_officer(client, loaded)
    client.cookies.set("peduli_lang", "en")
    page = f"/officer/applications/{identifier}"
    assert client.get(f"{page}/document.pdf").status_code == 404  # not issued yet
    for action in ("approve", "issue"):
        done = post_form(client, f"{page}/decision", {"action": action, "reason": ""}, page)
        assert done.status_code == 303, done.text
    assert "Print the issued document" in client.get(page).text
    pdf = client.get(f"{page}/document.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    payload = pdf_payload(pdf.content)
    with session_scope() as session:
        checked = documents.verify(session, payload)
        assert checked.verdict == documents.Verdict.VALID
        assert checked.fields is not None and checked.fields.kind == "passport"
        assert checked.fields.post == "kbri-seoul"
        stored = session.get(ServiceApplication, uuid.UUID(identifier))
        assert stored is not None and stored.document_id is not None


def pdf_payload(pdf: bytes) -> str:
    """The QR payload a document's PDF carries as its subject."""
    found = re.search(rb"/Subject \((.*?)\)", pdf) or re.search(rb"/Subject <(.*?)>", pdf)
    assert found, pdf[:2000]
    raw = found.group(1)
    if found.re.pattern.endswith(rb"<(.*?)>"):
        return bytes.fromhex(raw.decode()).decode("utf-16")
    return raw.decode("latin-1")
