"""The committee's pages: the elections with the post's list, one list with its checks,
problems resolved through their forms (a missing note shown next to the field), a voting
method changed; another post's staff get 404."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from tests.elections.conftest import SEOUL, election, generated, person
from tests.web.officer_support import post_form, signed_in_officer


def listed(db: Session) -> str:
    person(db, 1, name="Dewi Lestari")
    person(db, 2, name="Rina Wati")
    made = election(db)
    generated(db, made.id)
    db.commit()
    return f"/officer/elections/{made.id}"


def test_the_committee_checks_resolves_and_fixes(client: TestClient, db: Session) -> None:
    page = listed(db)
    signed_in_officer(client, db, role=Role.SUPERVISOR)
    client.cookies.set("peduli_lang", "en")
    overview = client.get("/officer/elections")
    assert overview.status_code == 200 and "Pemilu 2029" in overview.text
    shown = client.get(page)
    assert shown.status_code == 200 and "Dewi Lestari" in shown.text and "TPSLN 01" in shown.text
    assert post_form(client, f"{page}/checks", {}, page).status_code == 303
    checked = client.get(page).text
    assert "Residence not verified" in checked
    problem = re.findall(r"/problems/(\d+)", checked)[0]
    missing = post_form(
        client, f"{page}/problems/{problem}", {"note": "", "outcome": "confirm"}, page
    )
    assert missing.status_code == 422 and "Say how it was resolved." in missing.text
    done = post_form(client, f"{page}/problems/{problem}",
                     {"note": "Seen at the counter", "outcome": "confirm"}, page)  # fmt: skip
    assert done.status_code == 303
    entry = re.findall(r"/voters/(\d+)/method", client.get(page).text)[0]
    moved = post_form(client, f"{page}/voters/{entry}/method", {"method": "pos", "place_code": ""},
                      page)  # fmt: skip
    assert moved.status_code == 303
    assert "By post" in client.get(page).text
    assert post_form(client, f"{page}/fix", {}, page).status_code == 303
    assert "Fixed" in client.get(page).text


def test_another_posts_staff_get_404(client: TestClient, db: Session) -> None:
    page = listed(db)
    signed_in_officer(client, db, representation_code="kbri-kuala-lumpur",
                      email="officer.kl@example.org")  # fmt: skip
    assert client.get(f"{page}?representation={SEOUL}").status_code == 404
    assert client.get(page).status_code == 404  # KL has no list: nobody abroad there
