"""The side-by-side merge of a duplicate pair, and its dismissal."""

from __future__ import annotations

import re
import uuid
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.registry.models import DuplicateCandidate, Person, Stay
from tests import factories
from tests.web.officer_support import csrf, reported, signed_in_officer

NIK = factories.nik()


def _pair(db: Session) -> tuple[str, str, str]:
    first = reported(db, full_name="Muhammad Yusuf", nik=NIK)
    second = reported(
        db,
        full_name="Moh. Jusuf",
        nik=None,
        passport_number="C7654321",
        phone="+821099998888",
        email="jusuf@example.org",
        city="Seoul",
        arrival_date=date(2025, 1, 10),
    )
    pair = db.scalars(select(DuplicateCandidate)).one()
    db.rollback()
    return str(pair.id), str(first), str(second)


def test_merge_side_by_side_keeps_the_chosen_record(client: TestClient, db: Session) -> None:
    pair_id, first, second = _pair(db)
    signed_in_officer(client, db)
    page = client.get(f"/officer/duplicates/{pair_id}")
    assert page.status_code == 200
    assert "Muhammad Yusuf" in page.text and "Moh. Jusuf" in page.text
    assert page.text.count('class="officer-differs"') >= 3  # name, NIK, passports, …
    checked = re.search(r'value="([0-9a-f-]{36})" checked', page.text)
    assert checked and checked.group(1) == first  # the one with a NIK is suggested
    answer = client.post(
        f"/officer/duplicates/{pair_id}/merge",
        data={"keep_person_id": first, "csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/officer/duplicates?done=merged"
    db.expire_all()
    absorbed = db.get_one(Person, uuid.UUID(second))
    assert absorbed.status == "merged"
    assert absorbed.merged_into_id == uuid.UUID(first)
    assert len(db.scalars(select(Stay).where(Stay.person_id == uuid.UUID(first))).all()) == 2
    db.rollback()
    assert "Moh. Jusuf" not in client.get("/officer/duplicates").text


def test_dismiss_from_the_page(client: TestClient, db: Session) -> None:
    pair_id, _, _ = _pair(db)
    signed_in_officer(client, db)
    page = client.get(f"/officer/duplicates/{pair_id}")
    answer = client.post(
        f"/officer/duplicates/{pair_id}/dismiss",
        data={"csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/officer/duplicates?done=dismissed"
    db.expire_all()
    assert db.scalars(select(DuplicateCandidate.status)).one() == "dismissed"
    db.rollback()
    again = client.get(f"/officer/duplicates/{pair_id}")
    assert "/merge" not in again.text  # a handled pair offers no more actions


def test_another_posts_officer_cannot_open_or_merge_the_pair(
    client: TestClient, db: Session
) -> None:
    pair_id, first, _ = _pair(db)
    signed_in_officer(client, db, "kl@example.org", Role.OFFICER, "kbri-kuala-lumpur")
    html = {"Accept": "text/html"}
    assert client.get(f"/officer/duplicates/{pair_id}", headers=html).status_code == 403
    token = csrf(client.get("/officer/search").text)
    answer = client.post(
        f"/officer/duplicates/{pair_id}/merge",
        data={"keep_person_id": first, "csrf_token": token},
        headers=html,
    )
    assert answer.status_code == 403
    db.expire_all()
    assert db.scalars(select(DuplicateCandidate.status)).one() == "open"
