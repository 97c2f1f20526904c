"""The Twilio-style voice webhook: signed form posts in, TwiML-like XML out.

The platform signs each webhook with its auth token: ``X-Twilio-Signature`` is the base64
HMAC-SHA1 of the full URL it posted to followed by every form parameter, sorted by name,
as name and value run together. Instructions become ``<Say language>``, ``<Gather>`` (with
``actionOnEmptyResult`` so silence comes back to us too), ``<Dial>`` and ``<Hangup>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from xml.etree.ElementTree import Element, SubElement, tostring

from peduli.voice.ports import Dial, Gather, Hangup, Instruction, Say

SIGNATURE_HEADER = "X-Twilio-Signature"
MEDIA_TYPE = "application/xml"
# The speech synthesis voice of each language the menu speaks.
VOICE_LANGUAGES = {"id": "id-ID", "en": "en-US", "zh": "cmn-CN", "fr": "fr-FR"}


def sign(token: str, url: str, params: Mapping[str, str]) -> str:
    """The signature the platform sends with a webhook to ``url`` carrying ``params``."""
    payload = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class TwimlPlatform:
    """The ``TelephonyPlatform`` of a Twilio-style webhook under ``base_url``."""

    def __init__(self, *, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token

    def is_authentic(self, *, url: str, params: Mapping[str, str], signature: str) -> bool:
        """Whether ``signature`` is the platform's for this URL and these parameters."""
        expected = sign(self._token, url, params)
        return bool(signature) and hmac.compare_digest(expected, signature)

    def render(self, instructions: Sequence[Instruction]) -> tuple[str, str]:
        """The XML answer carrying ``instructions``."""
        response = Element("Response")
        for instruction in instructions:
            self._add(response, instruction)
        body = tostring(response, encoding="unicode")
        return MEDIA_TYPE, f'<?xml version="1.0" encoding="UTF-8"?>{body}'

    def _add(self, parent: Element, instruction: Instruction) -> None:
        match instruction:
            case Say(text=text, language=language):
                say = SubElement(parent, "Say", language=VOICE_LANGUAGES.get(language, "en-US"))
                say.text = text
            case Gather(step=step, digits=digits, prompts=prompts, attempt=attempt,
                        timeout_seconds=timeout):  # fmt: skip
                action = f"{self.base_url}/gather?step={step}&attempt={attempt}"
                gather = SubElement(parent, "Gather", action=action,
                                    method="POST", numDigits=str(digits), timeout=str(timeout),
                                    actionOnEmptyResult="true")  # fmt: skip
                for prompt in prompts:
                    self._add(gather, prompt)
            case Dial(number=number, timeout_seconds=timeout):
                dial = SubElement(parent, "Dial", action=f"{self.base_url}/dial", method="POST",
                                  timeout=str(timeout))  # fmt: skip
                SubElement(dial, "Number").text = number
            case Hangup():
                SubElement(parent, "Hangup")
