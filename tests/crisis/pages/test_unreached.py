"""The "not yet reached" screen: the list of the officer's post, a form per person that keeps
what was typed after an error, works without JavaScript and with htmx, and the board's counts."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from peduli.auth.actor import Role
from peduli.core.db import session_scope
from peduli.web.i18n import LANGUAGE_COOKIE
from tests.crisis.conftest import Sent
from tests.crisis.test_unreached import BUDI, JB, person_id, remind
from tests.web.officer_support import csrf, signed_in_officer


@pytest.fixture
def officer(sent: Sent) -> TestClient:
    """Sent's client, signed in on the pages as an officer of KBRI Kuala Lumpur, in English."""
    sent.client.cookies.set(LANGUAGE_COOKIE, "en")
    with session_scope() as db:
        signed_in_officer(
            sent.client, db, "page-kl@kemlu.example", Role.OFFICER, "kbri-kuala-lumpur"
        )
    remind()
    return sent.client


def _url(sent: Sent) -> str:
    return f"/officer/crises/{sent.crisis_id}/unreached"


def test_the_list_shows_the_posts_silent_people_with_a_way_to_call(
    sent: Sent, officer: TestClient
) -> None:
    page = officer.get(_url(sent))
    assert page.status_code == 200, page.text
    assert BUDI in page.text and "Ani Lestari" in page.text
    assert "HYPERLINK" not in page.text, "another post's person"
    assert f'href="tel:{sent.phones[1]}"' in page.text
    assert "Reminder not delivered yet" in page.text
    assert "Bahasa Indonesia" in page.text and "English" in page.text
    assert "Malaysia" in page.text and 'name="post"' not in page.text, "no post filter"
    assert 'hx-post="' in page.text and 'method="post"' in page.text


def test_a_refused_form_keeps_what_was_typed_and_a_good_one_is_recorded(
    sent: Sent, officer: TestClient
) -> None:
    budi = person_id(sent, BUDI)
    token = csrf(officer.get(_url(sent)).text)
    action = f"{_url(sent)}/{budi}"
    refused = officer.post(
        action, data={"note": "Called the hostel", "csrf_token": token}, follow_redirects=False
    )
    assert refused.status_code == 422
    assert "Choose what the call or visit came to." in refused.text
    assert ">Called the hostel</textarea>" in refused.text
    no_note = officer.post(
        action, data={"outcome": "unreachable", "csrf_token": token}, follow_redirects=False
    )
    assert no_note.status_code == 422 and "Say how you tried to reach this person." in no_note.text
    assert re.search(r'value="unreachable" id="outcome-[^"]+-unreachable" checked', no_note.text)
    done = officer.post(
        action,
        data={"outcome": "unreachable", "note": "No answer twice", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"{_url(sent)}?done=unreachable"
    back = officer.get(done.headers["location"])
    assert "The person stays on the list to try again." in back.text
    assert "No answer twice" in back.text, "the last attempt's note"


def test_with_htmx_only_the_persons_part_is_redrawn(sent: Sent, officer: TestClient) -> None:
    budi = person_id(sent, BUDI)
    token = csrf(officer.get(_url(sent)).text)
    htmx = {"HX-Request": "true"}
    action = f"{_url(sent)}/{budi}"
    refused = officer.post(action, data={"outcome": "x", "csrf_token": token}, headers=htmx)
    assert refused.status_code == 200 and "<html" not in refused.text
    assert f'id="unreached-{budi}"' in refused.text
    assert "Choose what the call or visit came to." in refused.text
    done = officer.post(
        action, data={"outcome": "need_help", "note": "Hurt", "csrf_token": token}, headers=htmx
    )
    assert done.status_code == 200 and "<html" not in done.text
    assert "A case is open" in done.text and 'href="/officer/cases/' in done.text
    assert BUDI not in officer.get(_url(sent)).text


def test_another_posts_person_is_refused_on_the_page(sent: Sent, officer: TestClient) -> None:
    jb = person_id(sent, JB)
    token = csrf(officer.get(_url(sent)).text)
    refused = officer.post(
        f"{_url(sent)}/{jb}",
        data={"outcome": "reached_safe", "csrf_token": token},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert "another representation" in refused.text


def test_the_board_shows_the_counts_and_the_way_to_the_list(
    sent: Sent, officer: TestClient
) -> None:
    budi = person_id(sent, BUDI)
    token = csrf(officer.get(_url(sent)).text)
    officer.post(
        f"{_url(sent)}/{budi}",
        data={"outcome": "reached_safe", "csrf_token": token},
        follow_redirects=False,
    )
    board = officer.get(f"/officer/crises/{sent.crisis_id}")
    assert board.status_code == 200
    figures = re.search(r"<table[^>]*crisis-reach.*?</table>", board.text, re.S)
    assert figures, "the counts' table"
    cells = re.findall(r"<td>([^<]*)</td>", figures.group(0))
    assert cells == ["1", "0", "1", "0"]  # Ani not reached; Budi reached safe
    assert f'href="{_url(sent)}"' in board.text
    polled = officer.get(f"/officer/crises/{sent.crisis_id}/board", headers={"HX-Request": "true"})
    assert "crisis-reach" in polled.text
    sent.client.cookies.clear()
    analyst = sent.client.get(f"/officer/crises/{sent.crisis_id}", headers=sent.headers["analyst"])
    assert "crisis-reach" in analyst.text, "figures for those who follow the crisis"
    assert f'href="{_url(sent)}"' not in analyst.text, "but no names"
    assert sent.client.get(_url(sent), headers=sent.headers["analyst"]).status_code == 403


def test_hq_sees_every_post_and_filters_by_post(sent: Sent) -> None:
    sent.client.cookies.set(LANGUAGE_COOKIE, "en")
    remind()
    hq = sent.headers["hq"]
    everyone = sent.client.get(_url(sent), headers=hq)
    assert everyone.status_code == 200
    assert BUDI in everyone.text and "HYPERLINK" in everyone.text
    assert 'name="post"' in everyone.text and "KJRI Johor Bahru" in everyone.text
    one_post = sent.client.get(f"{_url(sent)}?post=kjri-johor-bahru", headers=hq)
    assert "HYPERLINK" in one_post.text and BUDI not in one_post.text
    assert '<option value="kjri-johor-bahru" selected>' in one_post.text
    paged = sent.client.get(f"{_url(sent)}?per_page=25&page=9", headers=hq)
    assert paged.status_code == 200 and BUDI in paged.text, "past the end: the last page"
