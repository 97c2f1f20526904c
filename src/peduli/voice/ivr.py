"""The voice line's menu: language first, then what happened, then the duty officer.

Every prompt is a message of the voice catalogue, spoken by the platform's speech synthesis
in the caller's language (``Say`` with a language); nothing is recorded, so a new language
is a new catalogue. The language menu speaks each choice in its own language.
"""

from __future__ import annotations

from enum import StrEnum

from peduli.core.i18n import LANGUAGES, Message, _, in_language
from peduli.emergency.models import EmergencyKind
from peduli.emergency.texts import kind_name
from peduli.voice.ports import Dial, Gather, Hangup, Instruction, Say


class Step(StrEnum):
    LANGUAGE = "language"
    KIND = "kind"
    CONNECT = "connect"


# Keys 1-4, each language in the order of the language menu.
LANGUAGE_KEYS = {str(n): code for n, code in enumerate(LANGUAGES, start=1)}
KIND_KEYS = {str(n): kind for n, kind in enumerate(EmergencyKind, start=1)}
CONNECT_KEY = "1"
# A menu not answered (or answered with a key it does not offer) is asked once more; then
# the call goes on with Indonesian and "other danger to life", never stopping at the menu.
TRIES = 2

GREETING = _("This is the emergency line of the Ministry of Foreign Affairs.")
# Translators: each language names itself ("Untuk Bahasa Indonesia, tekan {digit}.").
LANGUAGE_CHOICE = _("For English, press {digit}.")
WHAT_HAPPENED = _("What happened?")
KIND_CHOICE = _("For {kind}, press {digit}.")
ALERTED = _("The officer on duty has been alerted and will call you back.")
CONNECT_OFFER = _("To speak to the officer on duty now, press 1.")
CONNECTING = _("Connecting you to the officer on duty. Please stay on the line.")
NOBODY_FREE = _(
    "Nobody can take your call right now. The officer on duty will call you back as soon as "
    "possible."
)
GOODBYE = _("Thank you. Goodbye.")


def _say(message: Message, language: str) -> Say:
    return Say(in_language(message, language), language)


def language_menu(attempt: int = 1) -> list[Instruction]:
    """The first question, each language's choice spoken in that language."""
    greeting = [_say(GREETING, code) for code in ("id", "en")] if attempt == 1 else []
    choices = tuple(
        _say(LANGUAGE_CHOICE.format(digit=key), code) for key, code in LANGUAGE_KEYS.items()
    )
    return [*greeting, Gather(step=f"{Step.LANGUAGE}", digits=1, prompts=choices, attempt=attempt)]


def kind_menu(language: str, attempt: int = 1) -> list[Instruction]:
    """What happened: the emergency kinds by name, in the caller's language."""
    choices = tuple(
        Say(in_language(KIND_CHOICE.format(kind=kind_name(kind, language), digit=key), language),
            language)
        for key, kind in KIND_KEYS.items()
    )  # fmt: skip
    prompts = (_say(WHAT_HAPPENED, language), *choices)
    return [Gather(step=f"{Step.KIND}", digits=1, prompts=prompts, attempt=attempt)]


def connect_offer(language: str) -> list[Instruction]:
    """The emergency is recorded: say so, and offer the duty officer now."""
    prompts = (_say(ALERTED, language), _say(CONNECT_OFFER, language))
    return [Gather(step=f"{Step.CONNECT}", digits=1, prompts=prompts)]


def connect(language: str, duty_phone: str | None) -> list[Instruction]:
    """Dial the officer on duty, or say they will call back when no duty phone is known."""
    if duty_phone is None:
        return [_say(NOBODY_FREE, language), Hangup()]
    return [_say(CONNECTING, language), Dial(duty_phone)]


def call_back_later(language: str) -> list[Instruction]:
    """The caller did not ask for the officer now, or the transfer failed: they call back."""
    return [_say(ALERTED, language), _say(GOODBYE, language), Hangup()]


def goodbye(language: str) -> list[Instruction]:
    """After the talk with the officer."""
    return [_say(GOODBYE, language), Hangup()]
