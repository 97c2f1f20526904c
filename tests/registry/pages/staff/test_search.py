"""Search by POST (never identifiers in a URL): by NIK, by name, within the jurisdiction."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
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
