"""Opening a walk-in case from the staff form."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.web.officer_support import post_form, signed_in_officer


def test_a_walk_in_case_is_opened_from_the_form(client: TestClient, db: Session) -> None:
    signed_in_officer(client, db)
    answer = post_form(
        client,
        "/officer/cases/new",
        {
            "category": "labour",
            "summary": "Came to the counter: passport held by the agent.",
            "intake_channel": "walk_in",
            "name": "Siti Aminah",
            "phone": "+821012345678",
            "danger_to_life": "yes",
        },
        "/officer/cases/new",
    )
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"])
    assert "Siti Aminah" in page.text
    assert "Danger to life" in page.text
    missing = post_form(client, "/officer/cases/new", {"summary": ""}, "/officer/cases/new")
    assert missing.status_code == 422
    assert 'id="new-category-error"' in missing.text
    assert 'id="new-summary-error"' in missing.text
