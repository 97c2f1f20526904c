"""The telephony platform as the voice line sees it: what the caller did, and what to do next.

A platform reports a call's events (a webhook, or ARI events over a WebSocket) and takes
instructions in answer. The instructions here are the few an IVR needs, so the same menu
runs on any platform: the Twilio-style adapter (``twiml``) renders them as XML in the
webhook's answer; an Asterisk ARI adapter would turn each into REST calls on the channel
(``play`` with a synthesised sound, ``dtmf`` collection, ``bridge``/``dial``, ``hangup``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Say:
    """Speak ``text`` with the platform's speech synthesis, in ``language`` (id, en, zh, fr)."""

    text: str
    language: str


@dataclass(frozen=True)
class Gather:
    """Play ``prompts`` while waiting for up to ``digits`` keys; they go to ``step`` (the
    ``attempt``-th time this menu is asked)."""

    step: str
    digits: int
    prompts: tuple[Say, ...]
    attempt: int = 1
    timeout_seconds: int = 8


@dataclass(frozen=True)
class Dial:
    """Connect the caller to ``number``; the outcome comes back as a dial result."""

    number: str
    timeout_seconds: int = 30


@dataclass(frozen=True)
class Hangup:
    """End the call."""


Instruction = Say | Gather | Dial | Hangup


class TelephonyPlatform(Protocol):
    """One telephony platform: checks that an event is its own, and answers it."""

    def is_authentic(self, *, url: str, params: Mapping[str, str], signature: str) -> bool:
        """Whether the event at ``url`` with ``params`` was signed by the platform."""
        ...

    def render(self, instructions: Sequence[Instruction]) -> tuple[str, str]:
        """The answer to an event carrying ``instructions``: (media type, body)."""
        ...
