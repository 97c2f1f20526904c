"""A sandbox telephony platform that really listens: it plays scripted calls against the
voice line's webhook, as the platform would.

``POST /calls`` (bearer token, like the other sandboxes) with a script — the caller's
number, the keys pressed at each menu, whether the duty officer picks up, and how the call
ends — plays one call: it posts the incoming call, reads the XML we answer, presses the
next key at each ``<Gather>``, follows ``<Dial>`` to the officer's phone, and ends with a
status callback. ``early`` hangs up at the first menu without a scripted key; ``drop``
stops posting there and never sends the hang-up (the silence job must close the call).
Every request is signed as the platform signs (``twiml.sign``). It answers the call's
transcript: what was said, the keys pressed, the numbers dialled.

Used by the tests, ``peduli sandbox`` and ``peduli demo`` (which plays a call in Mandarin).
"""

from __future__ import annotations

import json
import secrets
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import urlencode

from defusedxml import ElementTree
from sqlalchemy.orm import Session

from peduli.core.db import get_sessionmaker
from peduli.notify.sandbox.http_server import SandboxHandler, SandboxHttpServer
from peduli.voice.twiml import SIGNATURE_HEADER, sign

Ending = Literal["hangup", "early", "drop"]
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Script:
    """One scripted call."""

    caller: str
    keys: tuple[str, ...] = ()
    officer_answers: bool = True
    ending: Ending = "hangup"
    call_id: str = field(default_factory=lambda: "CA" + secrets.token_hex(16))


@dataclass
class Transcript:
    """What happened on a played call."""

    call_id: str
    said: list[tuple[str, str]] = field(default_factory=list)  # (language, text)
    pressed: list[str] = field(default_factory=list)
    dialled: list[str] = field(default_factory=list)
    ended: str = ""


class CallPlayer:
    """Plays scripts against the webhook at ``webhook_url``, signing with ``auth_token``."""

    def __init__(self, *, webhook_url: str, auth_token: str) -> None:
        self.webhook_url = webhook_url.rstrip("/")
        self._token = auth_token

    def play(self, script: Script) -> Transcript:
        """Play ``script`` to its end; returns its transcript."""
        transcript = Transcript(script.call_id)
        base = {"CallSid": script.call_id, "From": script.caller, "To": "+62215000000"}
        self._post(f"{self.webhook_url}/status", {**base, "CallStatus": "ringing"})
        answer = self._post(self.webhook_url, {**base, "CallStatus": "ringing"})
        keys = list(script.keys)
        while answer is not None:
            answer = self._follow(answer, script, keys, base, transcript)
        if transcript.ended != "drop":
            self._post(f"{self.webhook_url}/status", {**base, "CallStatus": "completed"})
        return transcript

    def _follow(
        self, xml: str, script: Script, keys: list[str], base: dict[str, str], seen: Transcript
    ) -> str | None:
        """Act on one answer; the next answer, or None when the call is over."""
        for verb in ElementTree.fromstring(xml):
            if verb.tag == "Say":
                seen.said.append((verb.get("language", ""), verb.text or ""))
            elif verb.tag == "Gather":
                seen.said += [(s.get("language", ""), s.text or "") for s in verb.iter("Say")]
                if not keys and script.ending != "hangup":
                    seen.ended = script.ending
                    return None
                pressed = keys.pop(0) if keys else ""
                seen.pressed.append(pressed)
                return self._post(verb.get("action", ""), {**base, "Digits": pressed})
            elif verb.tag == "Dial":
                number = verb.findtext("Number") or ""
                seen.dialled.append(number)
                outcome = {"DialCallStatus": "completed", "DialCallDuration": "42"}
                if not script.officer_answers:
                    outcome = {"DialCallStatus": "no-answer", "DialCallDuration": "0"}
                return self._post(verb.get("action", ""), {**base, **outcome})
            elif verb.tag == "Hangup":
                break
        seen.ended = seen.ended or "hangup"
        return None

    def _post(self, url: str, params: dict[str, str]) -> str | None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"the webhook must be an http(s) URL, not {url!r}")
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
            url,
            data=urlencode(params).encode(),
            headers={SIGNATURE_HEADER: sign(self._token, url, params),
                     "Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read().decode()
        return body or None


class TelephonySandbox(SandboxHttpServer):
    """The sandbox platform, serving ``POST /calls`` in a background thread until ``stop()``."""

    thread_name = "telephony-sandbox"

    def __init__(
        self,
        *,
        session_factory: Callable[[], Session],
        player: CallPlayer,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = "sandbox",  # noqa: S107 - the sandbox's well-known token, not a secret
    ) -> None:
        self.player = player
        super().__init__(session_factory, host=host, port=port, token=token)

    @property
    def url(self) -> str:
        """Where scripts are posted."""
        return f"{self.base_url}/calls"


def script_of(payload: Any) -> Script:
    """A script from its JSON form; ValueError naming what is wrong."""
    if not isinstance(payload, dict) or not isinstance(payload.get("caller"), str):
        raise ValueError('send {"caller": "+8613800138000", "keys": ["3", "2", "1"], …}')
    keys = payload.get("keys") or []
    ending = payload.get("ending", "hangup")
    if not all(isinstance(k, str) and len(k) <= 8 for k in keys) or ending not in (
        "hangup", "early", "drop",
    ):  # fmt: skip
        raise ValueError('keys are strings of digits; ending is "hangup", "early" or "drop"')
    return Script(caller=payload["caller"], keys=tuple(keys),
                  officer_answers=bool(payload.get("officer_answers", True)),
                  ending=ending)  # fmt: skip


class _Handler(SandboxHandler):
    gateway: TelephonySandbox

    def post(self, body: bytes) -> None:
        if self.path.split("?")[0] != "/calls":
            return self.answer(HTTPStatus.NOT_FOUND, {"error": "post a script to /calls"})
        if self.refused(unauthorized="send 'Authorization: Bearer <token>'"):
            return None
        try:
            script = script_of(json.loads(body or b"null"))
        except ValueError as problem:
            return self.answer(HTTPStatus.BAD_REQUEST, {"error": str(problem)})
        played = self.gateway.player.play(script)
        self.answer(HTTPStatus.OK, {
            "call_id": played.call_id, "said": played.said, "pressed": played.pressed,
            "dialled": played.dialled, "ended": played.ended,
        })  # fmt: skip


# Set here because the handler class is defined below the server it serves.
TelephonySandbox.handler = _Handler


# The demo's call: a citizen in Korea who speaks Mandarin, held by the police ("arrest or
# detention"), asks for the officer on duty, who picks up.
DEMO_CALL = Script(caller="+821055501234", keys=("3", "2", "1"))


def start_telephony_sandbox(
    *, webhook_url: str, auth_token: str, host: str = "127.0.0.1", port: int = 0
) -> TelephonySandbox:
    """Start the sandbox platform playing calls against ``webhook_url`` (port 0: a free one)."""
    sandbox = TelephonySandbox(
        session_factory=get_sessionmaker(),
        player=CallPlayer(webhook_url=webhook_url, auth_token=auth_token),
        host=host,
        port=port,
    )
    sandbox.start()
    return sandbox
