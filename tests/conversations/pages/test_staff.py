"""The chat inbox pages: the list and a conversation in the reader's language, answering,
the 24-hour window, and an htmx refresh that returns only the part it replaces."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.conversations.models import Conversation, ConversationMessage
from peduli.core.db import utcnow
from peduli.notify.models import OutboxMessage
from tests.conversations.conftest import post_whatsapp, whatsapp_message, whatsapp_payload
from tests.web.officer_support import HTML, csrf, signed_in_officer

PHONE = "+821012345678"


def _conversation(
    client: TestClient, db: Session, text: str = "Halo pak, paspor saya hilang"
) -> Conversation:
    assert post_whatsapp(client, whatsapp_payload(whatsapp_message(PHONE, text))).status_code == 200
    conversation = db.scalars(select(Conversation)).one()
    db.commit()  # end the read, so the requests that follow may write
    return conversation


def test_the_inbox_and_a_conversation_in_two_languages(client: TestClient, db: Session) -> None:
    conversation = _conversation(client, db)
    signed_in_officer(client, db)
    indonesian = client.get("/officer/conversations", headers=HTML | {"Accept-Language": "id"})
    assert indonesian.status_code == 200
    assert "Obrolan dengan warga" in indonesian.text and "Menunggu jawaban" in indonesian.text
    french = client.get(f"/officer/conversations/{conversation.id}",
                        headers=HTML | {"Accept-Language": "fr"})  # fmt: skip
    assert french.status_code == 200
    assert "paspor saya hilang" in french.text and "Votre réponse" in french.text


def test_an_officer_answers_from_the_conversation_screen(client: TestClient, db: Session) -> None:
    conversation = _conversation(client, db)
    signed_in_officer(client, db)
    path = f"/officer/conversations/{conversation.id}"
    token = csrf(client.get(path, headers=HTML).text)
    answer = {"text": "Kami akan menelepon Anda.", "csrf_token": token}
    sent = client.post(f"{path}/replies", data=answer, follow_redirects=False)
    assert sent.status_code == 303
    assert db.scalars(select(OutboxMessage.channel)).all() == ["whatsapp"]
    db.commit()
    empty = client.post(f"{path}/replies", data={"text": " ", "csrf_token": token},
                        headers=HTML | {"Accept-Language": "id"})  # fmt: skip
    assert empty.status_code == 422 and "Tulis jawaban" in empty.text
    listed = client.get("/officer/conversations", headers=HTML | {"Accept-Language": "en"})
    assert "Answered" in listed.text


def test_after_24_hours_the_page_offers_only_the_template(client: TestClient, db: Session) -> None:
    conversation = _conversation(client, db)
    db.execute(update(Conversation).values(last_inbound_at=utcnow() - timedelta(hours=30)))
    db.commit()
    signed_in_officer(client, db)
    path = f"/officer/conversations/{conversation.id}"
    page = client.get(path, headers=HTML | {"Accept-Language": "en"})
    assert "only the approved template" in page.text and 'name="text"' not in page.text
    assert 'value="reopen"' in page.text and 'value="call_back"' not in page.text
    refused = client.post(f"{path}/replies", data={"text": "Halo", "csrf_token": csrf(page.text)},
                          headers=HTML)  # fmt: skip
    assert refused.status_code == 409
    client.post(f"{path}/replies", data={"template": "reopen", "csrf_token": csrf(page.text)})
    kinds = db.scalars(select(ConversationMessage.kind).order_by(ConversationMessage.created_at))
    assert list(kinds) == ["text", "template"]


def test_htmx_refreshes_only_the_list_and_the_thread(client: TestClient, db: Session) -> None:
    conversation = _conversation(client, db)
    signed_in_officer(client, db)
    htmx = HTML | {"HX-Request": "true"}
    listed = client.get("/officer/conversations", headers=htmx)
    assert listed.text.lstrip().startswith('<div id="chat-inbox"')
    thread = client.get(f"/officer/conversations/{conversation.id}", headers=htmx)
    assert thread.text.lstrip().startswith('<section id="chat-thread"')


def test_a_link_refused_keeps_what_the_officer_typed(client: TestClient, db: Session) -> None:
    conversation = _conversation(client, db)
    signed_in_officer(client, db)
    path = f"/officer/conversations/{conversation.id}"
    token = csrf(client.get(path, headers=HTML).text)
    refused = client.post(f"{path}/person", data={"person_id": "not-an-id", "csrf_token": token},
                          headers=HTML | {"Accept-Language": "en"})  # fmt: skip
    assert refused.status_code == 422
    assert 'name="person_id" autocomplete="off" value="not-an-id" aria-invalid="true"' in (
        refused.text
    )
