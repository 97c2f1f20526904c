"""The case queue page over HTTP (filters, counts, HQ's post picker) and who reaches the
staff case desk at all (signed-out readers go to sign in, citizens and analysts are refused)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from tests.cases.pages.staff.conftest import opened_case
from tests.web.officer_support import csrf, signed_in_officer


def test_signed_out_reader_is_sent_to_sign_in(client: TestClient, db: Session) -> None:
    case = opened_case(db)
    for path in ("/officer/cases", f"/officer/cases/{case.id}", "/officer/cases/new",
                 "/officer/cases/team", "/hq/outcomes"):  # fmt: skip
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == f"/officer/sign-in?next={path}"


def test_queue_lists_the_posts_cases_with_filters_and_counts(
    client: TestClient, db: Session
) -> None:
    opened_case(db, summary="Wages unpaid at the factory.")
    opened_case(db, category="detention", summary="Arrested at the airport.", death_penalty=True)
    signed_in_officer(client, db)
    page = client.get("/officer/cases")
    assert page.status_code == 200
    assert "Open cases (2)" in page.text
    assert "Wages unpaid at the factory." in page.text
    # Most urgent first: the death-penalty case is critical.
    assert page.text.index("Arrested at the airport.") < page.text.index("Wages unpaid")
    filtered = client.get("/officer/cases?category=labour")
    assert "Arrested at the airport." not in filtered.text
    assert "1 cases match" in filtered.text
    assert "Unassigned (2)" in client.get("/officer/cases?assignee=none").text
    by_ref = client.get("/officer/cases?sort=reference&dir=desc&sla=overdue")
    assert by_ref.status_code == 200
    assert "No case matches" in by_ref.text


def test_a_citizen_session_is_not_staff(client: TestClient, db: Session) -> None:
    from tests.auth.pages.test_citizen import sign_in as citizen_sign_in

    case = opened_case(db)
    citizen_sign_in(client)
    answer = client.get(f"/officer/cases/{case.id}", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/officer/sign-in")


def test_hq_admin_sees_every_post_and_an_analyst_only_the_figures(
    client: TestClient, db: Session
) -> None:
    opened_case(db, summary="Seoul case for HQ.")
    signed_in_officer(client, db, "admin@example.org", Role.HQ_ADMIN, None)
    queue = client.get("/officer/cases?representation=kbri-seoul")
    assert "Seoul case for HQ." in queue.text
    client.post("/officer/sign-out", data={"csrf_token": csrf(queue.text)})
    signed_in_officer(client, db, "analyst@example.org", Role.HQ_ANALYST, None)
    assert client.get("/officer/cases").status_code == 403
    assert client.get("/hq/outcomes").status_code == 200


def test_queue_names_the_citizen_of_each_case(client: TestClient, db: Session) -> None:
    opened_case(db, summary="Passport kept.", people=[{"name": "Siti Aminah"}, {"name": "Dewi"}])
    opened_case(db, summary="Nobody named yet.")
    signed_in_officer(client, db)
    page = client.get("/officer/cases")
    assert '<th scope="col">Citizen</th>' in page.text
    row = next(line for line in page.text.split("<tr>") if "Passport kept." in line)
    assert "Siti Aminah" in row and "and 1 more" in row
    assert "Dewi" not in row
