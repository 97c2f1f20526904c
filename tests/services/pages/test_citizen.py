"""The citizen's service pages without JavaScript, in two languages: the catalogue, applying
for a passport renewal with the details from the record and documents, and tracking it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.web.i18n import LANGUAGE_COOKIE
from tests.auth.pages.test_citizen import HTML, form_of, sign_in
from tests.services.conftest import ADDRESS, PDF, PNG, citizen_of


def test_the_catalogue_reads_in_indonesian_and_in_english(
    client: TestClient, loaded: Session
) -> None:
    client.cookies.set(LANGUAGE_COOKIE, "id")
    indonesian = client.get("/layanan", headers=HTML)
    assert indonesian.status_code == 200
    assert "Penggantian paspor habis berlaku" in indonesian.text
    assert "Layanan konsuler" in indonesian.text
    client.cookies.set(LANGUAGE_COOKIE, "en")
    english = client.get("/layanan/passport-renewal", headers=HTML)
    assert "Passport renewal" in english.text and "What to bring" in english.text
    assert "Sign in to apply" in english.text


def test_a_citizen_applies_for_a_renewal_and_follows_it(
    client: TestClient, loaded: Session
) -> None:
    citizen_of(loaded)
    client.cookies.set(LANGUAGE_COOKIE, "en")
    sign_in(client, ADDRESS, next_path="/layanan/passport-renewal")
    page = client.get("/layanan/passport-renewal", headers=HTML)
    assert "Muhammad Yusuf" in page.text  # from the record, not typed again
    assert "₩" in page.text or "KRW" in page.text  # the fee in won too
    fields = form_of(page.text, "/layanan/passport-renewal")
    # Forgot to confirm and to attach: problems next to the fields, nothing recorded.
    refused = client.post("/layanan/passport-renewal", data=fields, headers=HTML)
    assert refused.status_code == 422
    assert "Confirm that your details are correct." in refused.text
    assert "Send this document." in refused.text
    sent = client.post(
        "/layanan/passport-renewal",
        data=fields | {"details_confirmed": "yes", "payment": "online"},
        files={
            "document_current_passport": ("passport.pdf", PDF, "application/pdf"),
            "document_residence_permit": ("permit.png", PNG, "image/png"),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    tracking = client.get(sent.headers["location"], headers=HTML)
    assert "Your application is sent." in tracking.text
    assert "Submitted, waiting for an officer" in tracking.text
    assert re.search(r"8808\d{12}", tracking.text)  # the virtual account to pay into
    client.cookies.set(LANGUAGE_COOKIE, "id")
    mine = client.get("/saya/permohonan", headers=HTML)
    assert "Penggantian paspor habis berlaku" in mine.text
