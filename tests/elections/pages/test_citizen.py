"""The citizen's voter registration page, without JavaScript, in two languages."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.web.i18n import LANGUAGE_COOKIE
from tests.auth.pages.test_citizen import HTML, sign_in
from tests.elections.conftest import election, generated
from tests.services.conftest import ADDRESS, citizen_of


def test_a_citizen_reads_where_and_how_they_vote_in_two_languages(
    client: TestClient, db: Session
) -> None:
    assert client.get("/saya/pemilu", headers=HTML, follow_redirects=False).status_code == 303
    citizen_of(db)
    made = election(db)
    generated(db, made.id)
    db.commit()
    sign_in(client, ADDRESS, next_path="/saya/pemilu")
    client.cookies.set(LANGUAGE_COOKIE, "en")
    english = client.get("/saya/pemilu", headers=HTML)
    assert english.status_code == 200
    assert "You are registered to vote abroad." in english.text
    assert "At a polling station (TPSLN)" in english.text and "TPSLN 01" in english.text
    assert "Pemilu 2029" in english.text
    client.cookies.set(LANGUAGE_COOKIE, "id")
    indonesian = client.get("/saya/pemilu", headers=HTML)
    assert "Anda terdaftar sebagai pemilih di luar negeri." in indonesian.text
    assert "Di tempat pemungutan suara (TPSLN)" in indonesian.text


def test_a_citizen_not_on_a_list_is_told_what_to_do(client: TestClient, db: Session) -> None:
    citizen_of(db, date_of_birth=date(2015, 1, 1))
    election(db)
    db.commit()
    sign_in(client, ADDRESS, next_path="/saya/pemilu")
    client.cookies.set(LANGUAGE_COOKIE, "en")
    page = client.get("/saya/pemilu", headers=HTML)
    assert "You are not on a voter list for this election." in page.text
