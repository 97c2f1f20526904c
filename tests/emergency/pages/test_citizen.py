"""The SOS page works as a plain HTML form post."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.cases.models import Case
from peduli.emergency.models import Emergency
from tests.emergency.conftest import SEOUL, sos
from tests.emergency.pages.sos_form import send_sos_form as _send
from tests.web.officer_support import HTML


def test_the_sos_form_posted_without_javascript_opens_a_critical_case(
    client: TestClient, db: Session
) -> None:
    answer = _send(client, lang="en")
    assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
    case = db.scalars(select(Case)).one()
    assert (case.priority, case.representation_code) == ("critical", SEOUL)
    assert case.reference in answer.text  # type: ignore[attr-defined]
    assert "What happens next" in answer.text  # type: ignore[attr-defined]


def test_the_page_is_small_and_speaks_indonesian_by_default(client: TestClient) -> None:
    page = client.get("/sos")
    assert page.status_code == 200
    assert 'lang="id"' in page.text and "Kirim SOS sekarang" in page.text
    assert len(page.content) < 60_000, "the SOS page must stay light"
    assert "/static/emergency/sos.js" in page.text
    script = client.get("/static/emergency/sos.js")
    assert script.status_code == 200 and len(script.content) < 2_000


def test_problems_are_shown_next_to_their_fields(client: TestClient, db: Session) -> None:
    answer = _send(client, lang="en", phone=None, country=None, name="")
    assert answer.status_code == 422  # type: ignore[attr-defined]
    text = answer.text  # type: ignore[attr-defined]
    assert 'id="phone-error"' in text and "call you back" in text
    assert "Tell us which country you are in" in text
    assert 'aria-invalid="true"' in text
    assert db.scalars(select(Case)).all() == []


def test_a_forged_form_without_the_cookie_token_is_refused(client: TestClient) -> None:
    answer = client.post("/sos", data=sos(), headers=HTML)
    assert answer.status_code == 403
    assert "Siti Aminah" in answer.text, "what was typed is kept"


def test_pressing_send_twice_gives_the_same_reference(client: TestClient, db: Session) -> None:
    first, second = _send(client), _send(client)
    assert first.status_code == second.status_code == 200  # type: ignore[attr-defined]
    assert len(db.scalars(select(Emergency)).all()) == 1


def test_a_refused_new_sos_still_gives_the_hotline(client: TestClient) -> None:
    from peduli.emergency import service

    for n in range(service.PER_IP_PER_HOUR):
        assert _send(client, phone=f"+8210222200{n:02d}").status_code == 200  # type: ignore[attr-defined]
    refused = _send(client, lang="en", phone="+821022220099")
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert "KBRI Seoul" in refused.text  # type: ignore[attr-defined]
