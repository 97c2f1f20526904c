"""The officers' list of a person's documents, and revoking one with a reason."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.audit import AuditEntry
from peduli.documents import service
from peduli.registry.models import Person
from tests.documents.conftest import KL, issue
from tests.web.officer_support import HTML, csrf, signed_in_officer


def test_an_officer_revokes_a_lost_document(client: TestClient, db: Session,
                                            person: Person) -> None:  # fmt: skip
    issued = issue(db, person)
    other_post = issue(db, person, post=KL)
    signed_in_officer(client, db)
    person_page = client.get(f"/officer/persons/{person.id}?lang=en", headers=HTML)
    assert f"/officer/persons/{person.id}/documents" in person_page.text
    listing = client.get(f"/officer/persons/{person.id}/documents?lang=en", headers=HTML)
    assert listing.status_code == 200
    assert issued.document.number in listing.text
    assert other_post.document.number not in listing.text  # another post's document
    partial = client.get(f"/officer/persons/{person.id}/documents",
                         headers={**HTML, "HX-Request": "true"})  # fmt: skip
    assert "<html" not in partial.text and issued.document.number in partial.text
    done = client.post(
        f"/officer/documents/{issued.document.id}/revoke",
        data={"reason": "lost", "person_id": str(person.id), "csrf_token": csrf(listing.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = client.get(done.headers["location"] + "&lang=id", headers=HTML)
    assert "Dicabut" in after.text and "dilaporkan hilang" in after.text
    db.expire_all()
    assert service.verify(db, issued.payload).verdict == service.Verdict.REVOKED
    assert db.scalars(select(AuditEntry).where(AuditEntry.action == "document.revoked")).one()
    other_id, person_id = other_post.document.id, person.id
    db.commit()  # end the read (SQLite: one writer at a time, and the test's session is one)
    refused = client.post(
        f"/officer/documents/{other_id}/revoke",
        data={"reason": "lost", "person_id": str(person_id), "csrf_token": csrf(listing.text)},
        follow_redirects=False,
    )
    assert refused.status_code == 404
    assert service.verify(db, other_post.payload).verdict == service.Verdict.VALID
