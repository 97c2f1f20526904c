"""The supervisor's team page: open cases per officer, overdue and escalated cases."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from tests.cases.pages.staff.conftest import opened_case
from tests.web.officer_support import make_staff, sign_in


def test_supervisor_sees_team_load(client: TestClient, db: Session) -> None:
    opened_case(db)
    make_staff(db, "colleague@example.org")
    sign_in(client, "boss@example.org", make_staff(db, "boss@example.org", Role.SUPERVISOR))
    page = client.get("/officer/cases/team")
    assert page.status_code == 200
    assert "Open cases per officer" in page.text
    assert "No case is overdue." in page.text
