"""The work queue page: counts, scoping to the officer's post, filters, sorting, paging."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.registry import work_queue
from peduli.registry.models import Person
from tests import factories
from tests.web.officer_support import reported, signed_in_officer

POSTS = {"KR": "kbri-seoul", "MY": "kbri-kuala-lumpur", "HK": "kjri-hong-kong"}


def _person(
    db: Session, serial: int, name: str, place: dict[str, object], **fields: object
) -> uuid.UUID:
    """A self-report of a distinct person (own NIK, passport, email) at ``place``."""
    born = fields.pop("date_of_birth", None) or date(
        1980 + serial % 20, 1 + serial % 12, 1 + serial % 27
    )
    assert isinstance(born, date)
    return reported(
        db,
        str(POSTS[str(place["country"])]),
        full_name=name,
        date_of_birth=born,
        nik=factories.nik(born=born, serial=serial),
        passport_number=f"C{serial:07d}",
        phone=None,
        email=f"p{serial}@example.org",
        **place,
        **fields,
    )


def _names(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/officer/persons/[^"]+">([^<]+)</a>', html)


def test_queue_lists_only_my_posts_unverified_people_with_counts(
    client: TestClient, db: Session
) -> None:
    _person(db, 1, "Siti Aminah", factories.SEOUL)
    _person(db, 2, "Budi Santoso", factories.SEOUL)
    _person(db, 3, "Wayan Sudarma", factories.KUALA_LUMPUR, arrival_date=date(2024, 5, 1))
    signed_in_officer(client, db)
    page = client.get("/officer")
    assert page.status_code == 200
    assert sorted(_names(page.text)) == ["Budi Santoso", "Siti Aminah"]
    assert "Wayan" not in page.text  # another post's person never shows
    assert re.search(r"\(2\)", page.text)  # the to-verify tab count


def test_hq_admin_sees_every_post_and_can_filter_by_representation(
    client: TestClient, db: Session
) -> None:
    _person(db, 1, "Siti Aminah", factories.SEOUL)
    _person(db, 3, "Wayan Sudarma", factories.KUALA_LUMPUR)
    signed_in_officer(client, db, "admin@example.org", Role.HQ_ADMIN, None)
    assert sorted(_names(client.get("/officer").text)) == ["Siti Aminah", "Wayan Sudarma"]
    narrowed = client.get("/officer?representation=kbri-kuala-lumpur")
    assert _names(narrowed.text) == ["Wayan Sudarma"]


def test_officer_cannot_widen_the_scope_with_the_representation_filter(
    client: TestClient, db: Session
) -> None:
    _person(db, 3, "Wayan Sudarma", factories.KUALA_LUMPUR)
    signed_in_officer(client, db)
    page = client.get("/officer?representation=kbri-kuala-lumpur")
    assert _names(page.text) == []


def test_verified_people_leave_the_default_queue(client: TestClient, db: Session) -> None:
    verified = _person(db, 1, "Siti Aminah", factories.SEOUL)
    _person(db, 2, "Budi Santoso", factories.SEOUL)
    db.get_one(Person, verified).verification = "verified"
    db.commit()
    signed_in_officer(client, db)
    assert _names(client.get("/officer").text) == ["Budi Santoso"]
    assert _names(client.get("/officer?verification=verified").text) == ["Siti Aminah"]
    assert len(_names(client.get("/officer?verification=all").text)) == 2


def test_filters_by_purpose_and_bad_dates_are_pointed_out(client: TestClient, db: Session) -> None:
    _person(db, 1, "Siti Aminah", factories.SEOUL, purpose="study", sector=None, employer=None)
    _person(db, 2, "Budi Santoso", factories.SEOUL)
    signed_in_officer(client, db)
    assert _names(client.get("/officer?purpose=study").text) == ["Siti Aminah"]
    assert _names(client.get("/officer?sector=manufacturing").text) == ["Budi Santoso"]
    bad = client.get("/officer?from=yesterday&purpose=nonsense")
    assert bad.status_code == 200
    assert 'id="from-error"' in bad.text
    assert len(_names(bad.text)) == 2  # an unknown purpose filters nothing
    future = client.get("/officer?from=2999-01-01")
    assert _names(future.text) == []


def test_sorting_by_name_both_ways(client: TestClient, db: Session) -> None:
    for serial, name in enumerate(("Citra", "Adi", "Bayu"), start=1):
        _person(db, serial, f"{name} Wibowo", factories.SEOUL)
    signed_in_officer(client, db)
    ascending = _names(client.get("/officer?sort=name&dir=asc").text)
    assert ascending == ["Adi Wibowo", "Bayu Wibowo", "Citra Wibowo"]
    page = client.get("/officer?sort=name&dir=desc")
    assert _names(page.text) == list(reversed(ascending))
    assert 'aria-sort="descending"' in page.text
    newest_first = _names(client.get("/officer").text)
    assert newest_first == ["Bayu Wibowo", "Adi Wibowo", "Citra Wibowo"]


def test_paging_is_bounded(client: TestClient, db: Session) -> None:
    for serial in range(1, 28):
        _person(db, serial, f"Orang {serial:02d} Nusantara", factories.SEOUL)
    signed_in_officer(client, db)
    first = client.get("/officer")
    assert len(_names(first.text)) == 25  # never more than a page
    assert 'rel="next"' in first.text
    second = client.get("/officer?page=2")
    assert len(_names(second.text)) == 2
    assert not set(_names(first.text)) & set(_names(second.text))
    beyond = client.get("/officer?page=99999")
    assert _names(beyond.text) == _names(second.text)  # past the end: the last page
    for junk in ("0", "-3", "abc"):
        assert _names(client.get(f"/officer?page={junk}").text) == _names(first.text)
    assert len(_names(client.get("/officer?per_page=50").text)) == 27
    assert len(_names(client.get("/officer?per_page=100000").text)) == 25


def test_duplicates_tab_lists_my_posts_pairs(client: TestClient, db: Session) -> None:
    _person(db, 1, "Muhammad Yusuf", factories.SEOUL, date_of_birth=date(1990, 5, 17))
    reported(
        db,
        full_name="Moh. Jusuf",
        nik=None,
        passport_number="C7654321",
        phone=None,
        email="jusuf@example.org",
    )
    signed_in_officer(client, db)
    page = client.get("/officer/duplicates")
    assert page.status_code == 200
    assert "Moh. Jusuf" in page.text and "Muhammad Yusuf" in page.text
    assert re.search(r'href="/officer/duplicates/[0-9a-f-]{36}"', page.text)
    signed_in_officer(client, db, "kl@example.org", Role.OFFICER, "kbri-kuala-lumpur")
    assert "Moh. Jusuf" not in client.get("/officer/duplicates").text


@pytest.mark.parametrize(
    ("language", "title", "tab"),
    [
        ("id", "Antrean kerja", "Perlu diverifikasi (1)"),
        ("en", "Work queue", "To verify (1)"),
        ("zh", "工作队列", "待核实（1）"),
        ("fr", "File de travail", "À vérifier (1)"),
    ],
)
def test_queue_speaks_the_officers_language(
    client: TestClient, db: Session, language: str, title: str, tab: str
) -> None:
    _person(db, 1, "Siti Aminah", factories.SEOUL, arrival_date=date(2024, 3, 1))
    signed_in_officer(client, db)
    page = client.get(f"/officer?lang={language}")
    assert f'<html lang="{language}">' in page.text
    assert title in page.text and tab in page.text
    arrived = {"id": "1 Mar 2024", "en": "1 Mar 2024", "zh": "2024年3月1日", "fr": "1 mars 2024"}
    assert f"<td>{arrived[language]}</td>" in page.text  # dates in the reader's locale


def test_counts_stop_at_the_cap(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    for serial in range(1, 6):
        _person(db, serial, f"Orang {serial:02d} Nusantara", factories.SEOUL)
    monkeypatch.setattr(work_queue, "COUNT_CAP", 3)
    signed_in_officer(client, db)
    page = client.get("/officer?lang=en&per_page=25")
    assert "To verify (3+)" in page.text
    assert "More than 3 people match" in page.text
    assert len(_names(page.text)) == 5  # the rows of the page are not capped, the count is


def test_the_tab_counts_the_whole_queue_once_whatever_the_list_is_narrowed_to(
    client: TestClient, db: Session, engine: Engine
) -> None:
    _person(db, 1, "Siti Aminah", factories.SEOUL, arrival_date=date(2024, 5, 1))
    _person(db, 2, "Budi Santoso", factories.SEOUL, purpose="study")
    signed_in_officer(client, db)
    queue_counts: list[str] = []

    def counted(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().startswith("SELECT count(*)") and "FROM stay" in statement:
            queue_counts.append(statement)

    event.listen(engine, "before_cursor_execute", counted)
    try:
        whole = client.get("/officer?lang=en")
        counted_whole = len(queue_counts)
        narrowed = client.get("/officer?lang=en&purpose=study")
    finally:
        event.remove(engine, "before_cursor_execute", counted)

    assert "To verify (2)" in whole.text
    assert counted_whole == 1  # the list's own count is the tab's
    assert _names(narrowed.text) == ["Budi Santoso"]
    assert "To verify (2)" in narrowed.text  # the tab still counts the whole queue
    assert len(queue_counts) == 3  # a narrowed list and the tab: two counts
