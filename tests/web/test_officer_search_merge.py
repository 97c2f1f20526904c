"""Search by POST (never identifiers in a URL) and the side-by-side merge and dismissal."""

from __future__ import annotations

import re
import uuid
from datetime import date

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.registry.models import DuplicateCandidate, Person, Stay
from tests import factories
from tests.web.officer_support import csrf, reported, signed_in_officer

NIK = factories.nik()


def _search(client: TestClient, **fields: str) -> httpx.Response:
    token = csrf(client.get("/officer/search").text)
    return client.post("/officer/search", data={**fields, "csrf_token": token})


def test_search_by_nik_finds_the_person(client: TestClient, db: Session) -> None:
    person_id = reported(db, nik=NIK)
    signed_in_officer(client, db)
    answer = _search(client, nik=NIK)
    assert answer.status_code == 200
    assert f'href="/officer/persons/{person_id}"' in answer.text
    assert answer.url.path == "/officer/search" and not answer.url.query


def test_search_by_name_tolerates_spelling_variants(client: TestClient, db: Session) -> None:
    person_id = reported(db, full_name="Muhammad Yusuf")
    signed_in_officer(client, db)
    answer = _search(client, name="Moh. Jusuf")
    assert f'href="/officer/persons/{person_id}"' in answer.text


def test_search_stays_in_my_jurisdiction_unless_i_give_a_reason(
    client: TestClient, db: Session
) -> None:
    person_id = reported(db, nik=NIK)
    signed_in_officer(client, db, "kl@example.org", Role.OFFICER, "kbri-kuala-lumpur")
    assert str(person_id) not in _search(client, nik=NIK).text
    short = _search(client, nik=NIK, reason="why")
    assert short.status_code == 422 and 'id="reason-error"' in short.text
    wide = _search(client, nik=NIK, reason="Call from the employer about case 2026/77")
    assert str(person_id) in wide.text


def test_empty_or_bad_search_is_explained_next_to_the_field(
    client: TestClient, db: Session
) -> None:
    signed_in_officer(client, db)
    empty = _search(client)
    assert empty.status_code == 422 and 'id="name-error"' in empty.text
    short = _search(client, name="A")
    assert short.status_code == 422 and 'id="name-error"' in short.text
    bad_date = _search(client, date_of_birth="17/05/1990")
    assert bad_date.status_code == 422 and 'id="date_of_birth-error"' in bad_date.text
    assert 'value="17/05/1990"' in bad_date.text  # what was typed stays


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
