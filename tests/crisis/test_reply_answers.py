"""Every SMS reply from a person a broadcast reached is answered, in their language, through
the outbox; a number no broadcast reached gets nothing back (crisis.reply_answers)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from peduli.core.crypto import get_cipher
from peduli.core.db import session_scope
from peduli.core.i18n import LANGUAGES
from peduli.crisis import replies, reply_answers
from peduli.crisis.models import Answer, CheckIn
from peduli.notify.models import OutboxMessage
from peduli.notify.segments import measure
from peduli.notify.service import open_body
from tests.crisis.conftest import Sent
from tests.crisis.crisis_helpers import add_person
from tests.outbox import messages_to

GATEWAY = {"X-Gateway-Token": "sandbox"}
KINDS = (Answer.SAFE, Answer.NEED_HELP, reply_answers.HOW_TO_REPLY)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_answer_fits_one_sms_in_every_language(kind: str, language: str) -> None:
    text = reply_answers.text_of(kind, language)
    assert measure(text).segments == 1, (kind, language, text)
    if language != "en":
        assert text != reply_answers.text_of(kind, "en"), "translated"


def _reply(sent: Sent, sender: str, text: str) -> str:
    """What became of the text: "check_in", or "conversation" (kept for the inbox)."""
    answer = sent.client.post(
        "/api/v1/channels/sms/inbound", json={"sender": sender, "text": text}, headers=GATEWAY
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["outcome"])


def _answers_to(phone: str) -> list[str]:
    """The answers queued to ``phone`` (not the broadcast), oldest first, opened."""
    with session_scope() as db:
        rows = [m for m in messages_to(db, phone) if m.idempotency_key.startswith("crisis-reply:")]
        assert all(get_cipher().is_sealed(m.body) for m in rows), "sealed like an alert"
        return [open_body(m.body) for m in reversed(rows)]


def test_safe_and_help_are_confirmed_in_the_language_of_the_broadcast(sent: Sent) -> None:
    ani, budi = sent.phones[0], sent.phones[1]  # Ani reads English, Budi Indonesian
    assert _reply(sent, budi, "Saya aman pak") == "check_in"
    assert _answers_to(budi) == ["Terima kasih, kami catat Anda aman."]
    assert _reply(sent, ani, "need help pls") == "check_in"
    assert _answers_to(ani) == [reply_answers.text_of(Answer.NEED_HELP, "en")]
    assert "duty officer" in _answers_to(ani)[0]


def test_a_text_that_is_no_answer_is_told_how_to_reply_and_comes_back_whole(
    sent: Sent,
) -> None:
    budi = sent.phones[1]
    assert _reply(sent, budi, "siapa ini?") == "conversation"
    how = "Balasan Anda tidak kami pahami. Balas AMAN jika Anda aman, atau TOLONG jika Anda"
    assert _answers_to(budi)[0].startswith(how)
    with session_scope() as db:
        assert db.scalars(select(CheckIn)).all() == []
        outcome = replies.sms_reply(db, sender=f" {budi} ", text="Ini nomor siapa ya?")
    assert isinstance(outcome, replies.UnreadText)
    assert outcome.text == "Ini nomor siapa ya?" and outcome.sender == budi and outcome.broadcast


def test_answers_do_not_echo_an_automatic_reply_for_ever(sent: Sent) -> None:
    budi = sent.phones[1]
    for _ in range(3):
        assert _reply(sent, budi, "Out of office until Monday") == "conversation"
        assert _reply(sent, budi, "AMAN") == "check_in"
    assert len(_answers_to(budi)) == 2  # one "how to reply", one confirmation
    with session_scope() as db:
        assert len(db.scalars(select(CheckIn)).all()) == 3, "every answer still counts"


def test_a_number_no_broadcast_reached_gets_no_answer(sent: Sent) -> None:
    with session_scope() as db:
        away = add_person(db, latitude=-6.2, longitude=106.8, country="ID", subdivision=None,
                          city="Jakarta", post=None, name="Rina Away")  # fmt: skip
    for sender in ("+15550000000", away.phone):
        for text in ("AMAN", "TOLONG", "hello"):
            assert _reply(sent, sender, text) == "conversation"
    with session_scope() as db:
        answers = db.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.like("crisis-reply:%"))
        ).all()
        assert answers == []
        outcome = replies.sms_reply(db, sender=away.phone, text="Tolong, paspor hilang")
    assert isinstance(outcome, replies.UnreadText) and not outcome.broadcast
    assert outcome.person_id == away.person_id and outcome.text == "Tolong, paspor hilang"
