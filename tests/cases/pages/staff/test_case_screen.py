"""The case screen over HTTP: its actions, files, refusals shown next to the form, in the
reader's language; another post gets 404, CSRF enforced."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.models import StaffAccount
from peduli.cases.models import Case, CaseEvent
from tests.cases.pages.staff.conftest import act, opened_case
from tests.web.officer_support import csrf, signed_in_officer


def test_officer_of_another_post_gets_404_and_sees_nothing_in_the_queue(
    client: TestClient, db: Session
) -> None:
    case = opened_case(db, summary="Seoul only.")
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
    case = opened_case(db)
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
    case = opened_case(db)
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
        answer = act(client, case, action, data)
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
    case = opened_case(db)
    signed_in_officer(client, db)
    wrong = act(client, case, "status", {"to": "resolved"})
    assert wrong.status_code == 409  # type: ignore[attr-defined]
    assert "cannot move to" in wrong.text  # type: ignore[attr-defined]
    short = act(client, case, "priority", {"priority": "low", "reason": "short"})
    assert short.status_code == 422  # type: ignore[attr-defined]
    assert 'id="priority-reason-error"' in short.text  # type: ignore[attr-defined]
    money = act(client, case, "outcomes", {"kind": "money_recovered", "amount": "-5"})
    assert money.status_code == 422  # type: ignore[attr-defined]
    assert 'id="outcome-amount-error"' in money.text  # type: ignore[attr-defined]
    empty = act(client, case, "notes", {"text": "  "})
    assert empty.status_code == 422  # type: ignore[attr-defined]


def test_errors_are_in_the_readers_language(client: TestClient, db: Session) -> None:
    case = opened_case(db)
    signed_in_officer(client, db)
    client.cookies.set("peduli_lang", "id")
    short = act(client, case, "priority", {"priority": "low", "reason": "short"})
    assert short.headers["content-language"] == "id"  # type: ignore[attr-defined]
    assert "Ubah prioritas" in short.text  # type: ignore[attr-defined]


def test_a_file_is_attached_and_downloaded_from_the_timeline(
    client: TestClient, db: Session
) -> None:
    case = opened_case(db)
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
    case = opened_case(db)
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


def test_refer_and_delegate_are_reached_from_the_case_screen(
    client: TestClient, db: Session
) -> None:
    case = opened_case(db)
    signed_in_officer(client, db)
    page = client.get(f"/officer/cases/{case.id}").text
    for link_id, heading in (("refer-link", "referrals-heading"),
                             ("delegate-link", "delegations-heading")):  # fmt: skip
        found = re.search(rf'id="{link_id}" href="([^"]+)"', page)
        assert found, link_id
        path, _, fragment = found.group(1).partition("#")
        sharing = client.get(path)
        assert sharing.status_code == 200
        assert f'id="{fragment}"' in sharing.text and fragment == heading
