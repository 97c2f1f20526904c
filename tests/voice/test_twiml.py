"""The Twilio-style adapter: the platform's signature, and instructions as XML."""

from __future__ import annotations

from defusedxml import ElementTree
from hypothesis import given
from hypothesis import strategies as st

from peduli.voice.ports import Dial, Gather, Hangup, Say
from peduli.voice.twiml import TwimlPlatform, sign

BASE = "https://peduli.example/api/v1/channels/voice/calls"


def test_the_signature_is_the_one_twilio_documents() -> None:
    # Twilio's published example of request validation (token, URL, form, signature).
    params = {
        "CallSid": "CA1234567890ABCDE", "Caller": "+14158675310", "Digits": "1234",
        "From": "+14158675310", "To": "+18005551212",
    }  # fmt: skip
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert sign("12345", url, params) == "GvWf1cFY/Q7PnoempGyD5oXAezc="
    platform = TwimlPlatform(base_url=BASE, token="12345")
    assert platform.is_authentic(url=url, params=params, signature="GvWf1cFY/Q7PnoempGyD5oXAezc=")
    assert not platform.is_authentic(url=url + "&x=1", params=params,
                                     signature="GvWf1cFY/Q7PnoempGyD5oXAezc=")  # fmt: skip
    assert not platform.is_authentic(url=url, params=params, signature="")


# Prompts are sentences of the catalogues: any letters, marks, punctuation (XML has no
# control characters).
SENTENCES = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=200)


@given(text=SENTENCES)
def test_any_text_is_spoken_as_written(text: str) -> None:
    _, body = TwimlPlatform(base_url=BASE, token="t").render([Say(text, "zh")])
    say = ElementTree.fromstring(body).find("Say")
    assert say is not None and say.text == text and say.get("language") == "cmn-CN"


def test_a_menu_a_transfer_and_a_hang_up() -> None:
    media_type, body = TwimlPlatform(base_url=BASE, token="t").render([
        Gather(step="kind", digits=1, prompts=(Say("Apa yang terjadi?", "id"),), attempt=2),
        Dial("+821099998888"), Hangup(),
    ])  # fmt: skip
    assert media_type == "application/xml"
    gather, dial, hangup = ElementTree.fromstring(body)
    assert gather.get("action") == f"{BASE}/gather?step=kind&attempt=2"
    assert (gather.get("numDigits"), gather.get("actionOnEmptyResult")) == ("1", "true")
    assert dial.get("action") == f"{BASE}/dial" and dial.findtext("Number") == "+821099998888"
    assert hangup.tag == "Hangup"
