"""Reading the platforms' webhooks: any JSON is either read or refused as a problem, never a
crash; the signatures are the platforms' own."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peduli.conversations import platforms
from peduli.conversations.models import MessageKind
from peduli.core.errors import NotAuthenticated, ValidationFailed
from tests.conversations.conftest import telegram_update, whatsapp_message, whatsapp_payload

KEYS = st.sampled_from(
    [
        "entry",
        "changes",
        "value",
        "messages",
        "from",
        "id",
        "type",
        "text",
        "body",
        "message",
        "chat",
        "message_id",
        "location",
        "latitude",
        "contact",
        "photo",
    ]
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=20,
)


@given(JSON)
def test_any_json_is_read_or_refused_as_a_problem(payload: Any) -> None:
    for read in (platforms.whatsapp_messages, platforms.telegram_message):
        with contextlib.suppress(ValidationFailed):
            read(payload)


def test_the_whatsapp_signature_is_meta_s_hmac_of_the_raw_body() -> None:
    body = b'{"entry": []}'
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert platforms.whatsapp_signature(body, "s3cret") == expected
    platforms.check_whatsapp_signature(body, expected, "s3cret")
    for wrong in (None, "", expected.upper(), expected[:-1] + "0", "sha1=" + expected[7:]):
        with pytest.raises(NotAuthenticated):
            platforms.check_whatsapp_signature(body, wrong, "s3cret")
    with pytest.raises(NotAuthenticated):
        platforms.check_whatsapp_signature(body + b" ", expected, "s3cret")


def test_whatsapp_message_types() -> None:
    place = {"latitude": -6.2, "longitude": 106.8, "name": "Rumah"}
    image = {"id": "MEDIA1", "mime_type": "image/jpeg", "caption": "Paspor"}
    location = whatsapp_message("+6281234567890", type="location", location=place)
    photo = whatsapp_message("+6281234567890", type="image", image=image)
    read = platforms.whatsapp_messages(whatsapp_payload(location, photo))
    assert [(m.kind, m.address) for m in read] == [
        (MessageKind.LOCATION, "+6281234567890"), (MessageKind.IMAGE, "+6281234567890"),
    ]  # fmt: skip
    assert (read[0].latitude, read[0].longitude) == (-6.2, 106.8)
    assert (read[1].media_id, read[1].text) == ("MEDIA1", "Paspor")


def test_a_telegram_contact_proves_a_phone_only_when_it_is_the_sender_s_own() -> None:
    own = telegram_update(42, contact={"phone_number": "6281234567890", "user_id": 42})
    other = telegram_update(42, contact={"phone_number": "6281299999999", "user_id": 7})
    unknown = telegram_update(42, contact={"phone_number": "6281299999999"})
    assert platforms.telegram_message(own).shared_phone == "+6281234567890"  # type: ignore[union-attr]
    assert platforms.telegram_message(other).shared_phone is None  # type: ignore[union-attr]
    assert platforms.telegram_message(unknown).shared_phone is None  # type: ignore[union-attr]
    assert platforms.telegram_message({"update_id": 1, "edited_message": {}}) is None
