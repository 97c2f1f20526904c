"""The verify page without JavaScript: the form posts the payload, the server answers in the
reader's language; the page carries the trust list for the offline check."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.documents import keys
from peduli.registry.models import Person
from tests.documents.conftest import issue, tampered

HTML = {"Accept": "text/html"}


def _embedded_trust_list(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="trust-list">(.*?)</script>', html)
    assert match, "the page carries the trust list for the offline check"
    return json.loads(match.group(1))


def test_the_page_carries_a_signed_trust_list(client: TestClient, db: Session,
                                              person: Person) -> None:  # fmt: skip
    issued = issue(db, person)
    page = client.get("/verifikasi?lang=en", headers=HTML)
    assert page.status_code == 200
    assert 'src="/static/documents/verify.js' in page.text or "documents/verify.js" in page.text
    listed = _embedded_trust_list(page.text)
    assert keys.read_signed_list(str(listed["signed"])) is not None
    assert [k["kid"] for k in listed["keys"]] == [issued.document.key_id]  # type: ignore[index]


def test_posting_a_payload_without_javascript(client: TestClient, db: Session,
                                              person: Person) -> None:  # fmt: skip
    issued = issue(db, person)
    english = client.post("/verifikasi?lang=en", data={"payload": issued.payload}, headers=HTML)
    assert english.status_code == 200
    assert 'data-status="valid"' in english.text
    assert "Valid: this document was issued and signed" in english.text
    assert person.full_name in english.text and "KBRI Seoul" in english.text
    assert english.headers["cache-control"].startswith("no-store")
    indonesian = client.post("/verifikasi?lang=id", data={"payload": tampered(issued.payload)},
                             headers=HTML)  # fmt: skip
    assert 'data-status="forged"' in indonesian.text
    assert "Tidak asli" in indonesian.text
    assert "Someone Else" not in indonesian.text  # a forgery's fields are never shown


def test_garbage_is_answered_on_the_field_in_the_readers_language(client: TestClient) -> None:
    for language, words in (("en", "This is not the code of a document."),
                            ("fr", "Ce n’est pas le code d’un document.")):  # fmt: skip
        page = client.post(f"/verifikasi?lang={language}", data={"payload": "PDL1:nonsense"},
                           headers=HTML)  # fmt: skip
        assert page.status_code == 422
        assert words in page.text and 'aria-invalid="true"' in page.text
    assert client.post("/verifikasi", data={}, headers=HTML).status_code == 422
