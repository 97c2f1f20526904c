"""The officer's case desk over HTTP: queue, case page and its actions, team view, figures;
who may see what (another post gets 404, signed-out readers go to sign in, CSRF enforced)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.models import StaffAccount
from peduli.cases.models import Case, CaseEvent
from tests.cases.conftest import open_case, staff_actor
from tests.web.officer_support import csrf, make_staff, post_form, sign_in, signed_in_officer

SEOUL = "kbri-seoul"


@dataclass(frozen=True)
class Opened:
    id: uuid.UUID
    reference: str


def _case(db: Session, **overrides: object) -> Opened:
    """Open and commit a case of Seoul; the session lets go of the database afterwards."""
    author = staff_actor(db, Role.OFFICER, SEOUL, f"author-{uuid.uuid4().hex[:6]}")
    case = open_case(db, author, **overrides)
    opened = Opened(case.id, case.reference)
    db.commit()
    return opened


def _act(client: TestClient, case: Opened, action: str, data: dict[str, str]) -> object:
    return post_form(
        client, f"/officer/cases/{case.id}/{action}", data, f"/officer/cases/{case.id}"
    )


def test_signed_out_reader_is_sent_to_sign_in(client: TestClient, db: Session) -> None:
    case = _case(db)
    for path in ("/officer/cases", f"/officer/cases/{case.id}", "/officer/cases/new",
                 "/officer/cases/team", "/hq/outcomes"):  # fmt: skip
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == f"/officer/sign-in?next={path}"


def test_queue_lists_the_posts_cases_with_filters_and_counts(
    client: TestClient, db: Session
) -> None:
    _case(db, summary="Wages unpaid at the factory.")
    _case(db, category="detention", summary="Arrested at the airport.", death_penalty=True)
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


def test_officer_of_another_post_gets_404_and_sees_nothing_in_the_queue(
    client: TestClient, db: Session
) -> None:
    case = _case(db, summary="Seoul only.")
    signed_in_officer(client, db, "kl@example.org", Role.OFFICER, "kbri-kuala-lumpur")
    assert client.get(f"/officer/cases/{case.id}").status_code == 404
    assert "Seoul only." not in client.get("/officer/cases").text
    token = csrf(client.get("/officer/cases").text)
    answer = client.post(
        f"/officer/cases/{case.id}/notes",
        data={"text": "hello", "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 404


def test_actions_without_the_csrf_token_are_refused(client: TestClient, db: Session) -> None:
    case = _case(db)
    signed_in_officer(client, db)
    answer = client.post(
        f"/officer/cases/{case.id}/notes", data={"text": "no token"}, follow_redirects=False
    )
    assert answer.status_code == 403
    db.expire_all()
    notes = db.scalars(select(CaseEvent).where(CaseEvent.kind == "note")).all()
    db.rollback()
    assert notes == []


def test_an_officer_works_a_case_from_triage_to_resolution(client: TestClient, db: Session) -> None:
    case = _case(db)
    signed_in_officer(client, db)
    me = db.scalar(select(StaffAccount.id).where(StaffAccount.email == "officer@example.org"))
    db.rollback()
    page = client.get(f"/officer/cases/{case.id}")
    assert page.status_code == 200
    assert case.reference in page.text
    # Only the allowed move is offered.
    assert 'value="triaged"' in page.text and 'value="resolved"' not in page.text
    for action, data in (
        ("assign", {"officer_id": "me"}),
        ("status", {"to": "triaged"}),
        ("status", {"to": "in_progress", "note": "Called the employer."}),
        ("notes", {"text": "We are talking to your employer.", "visibility": "shared"}),
        ("notes", {"text": "Employer answered.", "kind": "call"}),
        ("priority", {"priority": "high", "reason": "Employer threatens to withhold passport."}),
        ("outcomes", {"kind": "money_recovered", "amount": "1500000", "currency": "KRW"}),
        ("status", {"to": "resolved"}),
    ):
        answer = _act(client, case, action, data)
        assert answer.status_code == 303, (action, answer.text[:3000])  # type: ignore[attr-defined]
    db.expire_all()
    done = db.get(Case, case.id)
    assert done is not None
    assert done.status == "resolved" and done.priority == "high"
    assert done.assigned_officer_id == me
    db.rollback()  # SQLite: release the database before the next request
    page = client.get(f"/officer/cases/{case.id}")
    for shown in ("We are talking to your employer.", "Employer answered.", "Money recovered",
                  "Employer threatens to withhold passport."):  # fmt: skip
        assert shown in page.text
    assert "1 cases resolved" not in page.text  # figures are on their own page
    figures = client.get("/hq/outcomes")
    assert figures.status_code == 200
    assert re.search(
        r'class="figure">1</span> <span class="figure-label">cases resolved', figures.text
    )


def test_refused_actions_show_the_problem_next_to_the_form(client: TestClient, db: Session) -> None:
    case = _case(db)
    signed_in_officer(client, db)
    wrong = _act(client, case, "status", {"to": "resolved"})
    assert wrong.status_code == 409  # type: ignore[attr-defined]
    assert "cannot move to" in wrong.text  # type: ignore[attr-defined]
    short = _act(client, case, "priority", {"priority": "low", "reason": "short"})
    assert short.status_code == 422  # type: ignore[attr-defined]
    assert 'id="priority-reason-error"' in short.text  # type: ignore[attr-defined]
    money = _act(client, case, "outcomes", {"kind": "money_recovered", "amount": "-5"})
    assert money.status_code == 422  # type: ignore[attr-defined]
    assert 'id="outcome-amount-error"' in money.text  # type: ignore[attr-defined]
    empty = _act(client, case, "notes", {"text": "  "})
    assert empty.status_code == 422  # type: ignore[attr-defined]


def test_errors_are_in_the_readers_language(client: TestClient, db: Session) -> None:
    case = _case(db)
    signed_in_officer(client, db)
    client.cookies.set("peduli_lang", "id")
    short = _act(client, case, "priority", {"priority": "low", "reason": "short"})
    assert short.headers["content-language"] == "id"  # type: ignore[attr-defined]
    assert "Ubah prioritas" in short.text  # type: ignore[attr-defined]


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


def test_supervisor_sees_team_load(client: TestClient, db: Session) -> None:
    _case(db)
    make_staff(db, "colleague@example.org")
    sign_in(client, "boss@example.org", make_staff(db, "boss@example.org", Role.SUPERVISOR))
    page = client.get("/officer/cases/team")
    assert page.status_code == 200
    assert "Open cases per officer" in page.text
    assert "No case is overdue." in page.text


def test_a_file_is_attached_and_downloaded_from_the_timeline(
    client: TestClient, db: Session
) -> None:
    case = _case(db)
    signed_in_officer(client, db)
    token = csrf(client.get(f"/officer/cases/{case.id}").text)
    answer = client.post(
        f"/officer/cases/{case.id}/attachments",
        data={"csrf_token": token, "visibility": "internal"},
        files={"file": ("contract.txt", b"Contract of employment, page 1.", "text/plain")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = client.get(f"/officer/cases/{case.id}")
    link = re.search(r'href="(/officer/cases/[^"]+/attachments/[^"]+)"', page.text)
    assert link, "the timeline links the file"
    download = client.get(link.group(1))
    assert download.status_code == 200
    assert download.content == b"Contract of employment, page 1."
    assert download.headers["cache-control"] == "no-store"
    fake = client.post(
        f"/officer/cases/{case.id}/attachments",
        data={"csrf_token": token},
        files={"file": ("photo.png", b"not a picture", "image/png")},
        follow_redirects=False,
    )
    assert fake.status_code in (415, 422)
    assert 'role="alert"' in fake.text


@pytest.mark.parametrize(
    "name",
    ["근로계약서.txt", "劳动合同.txt", "عقد العمل.txt", "kontrak 📄🙂.txt"],
    ids=["korean", "chinese", "arabic", "emoji"],
)
def test_a_file_of_any_name_downloads_from_the_case_page(
    client: TestClient, db: Session, name: str
) -> None:
    case = _case(db)
    signed_in_officer(client, db)
    token = csrf(client.get(f"/officer/cases/{case.id}").text)
    answer = client.post(
        f"/officer/cases/{case.id}/attachments",
        data={"csrf_token": token, "visibility": "internal"},
        files={"file": (name, b"Contract of employment.", "text/plain")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = client.get(f"/officer/cases/{case.id}")
    link = re.search(r'href="(/officer/cases/[^"]+/attachments/[^"]+)"', page.text)
    assert link, "the timeline links the file"
    download = client.get(link.group(1))
    assert download.status_code == 200
    assert download.content == b"Contract of employment."
    disposition = download.headers["content-disposition"]
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == name
    assert download.headers["x-content-type-options"] == "nosniff"


def test_a_citizen_session_is_not_staff(client: TestClient, db: Session) -> None:
    from tests.auth.pages.test_citizen import sign_in as citizen_sign_in

    case = _case(db)
    citizen_sign_in(client)
    answer = client.get(f"/officer/cases/{case.id}", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/officer/sign-in")


def test_hq_admin_sees_every_post_and_an_analyst_only_the_figures(
    client: TestClient, db: Session
) -> None:
    _case(db, summary="Seoul case for HQ.")
    signed_in_officer(client, db, "admin@example.org", Role.HQ_ADMIN, None)
    queue = client.get("/officer/cases?representation=kbri-seoul")
    assert "Seoul case for HQ." in queue.text
    client.post("/officer/sign-out", data={"csrf_token": csrf(queue.text)})
    signed_in_officer(client, db, "analyst@example.org", Role.HQ_ANALYST, None)
    assert client.get("/officer/cases").status_code == 403
    assert client.get("/hq/outcomes").status_code == 200
