"""What the alerts say: whole sentences in the reader's language, with translated names.

An alert names the kind of emergency (``KIND_NAMES``, never the raw code), the post by its
name, and the person to call back: name, phone, place (city and country by name) and the
language they asked for help in. It carries no NIK or passport number: the duty officer
needs to reach the person, nothing more; the rest is on the case screen behind sign-in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from peduli.core.i18n import Message, _, in_language, language_name
from peduli.emergency.models import CRISIS_HELP_KIND, EmergencyKind
from peduli.reference.places import country_name, representation_by_code

# How staff read each kind (the SOS form's first-person labels are the citizen's).
KIND_NAMES: dict[str, Message] = {
    EmergencyKind.VIOLENCE: _("violence or threats"),
    EmergencyKind.DETAINED: _("arrest or detention"),
    EmergencyKind.TRAFFICKING: _("trafficking or forced labour"),
    EmergencyKind.HOSTAGE: _("hostage-taking"),
    EmergencyKind.SCAM_COMPOUND: _("held in a scam compound"),
    EmergencyKind.ACCIDENT: _("accident or serious illness"),
    EmergencyKind.DISASTER: _("disaster or war"),
    EmergencyKind.OTHER: _("other danger to life"),
    CRISIS_HELP_KIND: _("a call for help in a crisis"),
}
OTHER_KIND = _("an emergency")

SUBJECT = _("EMERGENCY {reference}: a citizen in danger, acknowledge now")
HEAD_FIRST = _("Emergency {reference} ({kind}) has just been reported to {post}.")
HEAD_LATER = _(
    "Emergency {reference} ({kind}) at {post} was not acknowledged in time and is escalated "
    "to you (step {step})."
)
HEAD_HQ = _(
    "Emergency {reference} ({kind}) at {post} has not been acknowledged by anyone at the "
    "post, so it comes to the HQ duty desk (step {step})."
)
CALLER = _("Call back {name} on {phone}, in {place}; they asked for help in {language}.")
ACT = _("Acknowledge it in Peduli, then call: {link}")
SMS = _(
    "EMERGENCY {reference} at {post}, {kind}: call {name} {phone} ({place}). Acknowledge: {link}"
)
UNKNOWN_NAME = _("the person (name not given)")
UNKNOWN_PHONE = _("no phone given")
UNKNOWN_PLACE = _("an unknown place")
UNKNOWN_LANGUAGE = _("an unknown language")


@dataclass(frozen=True)
class Caller:
    """The person behind an emergency, as the duty officer needs them (opened from the case)."""

    name: str | None
    phone: str | None
    city: str | None
    country: str | None
    language: str | None
    person_id: uuid.UUID | None = None


def kind_name(kind: str, language: str) -> str:
    """The kind of emergency as staff reading ``language`` name it."""
    return in_language(KIND_NAMES.get(kind, OTHER_KIND), language)


def post_name(code: str) -> str:
    """The post's name ("KBRI Seoul"), never its code."""
    found = representation_by_code(code)
    return found.name if found else code


def place(caller: Caller, language: str) -> str | None:
    """The city and the country by name, as far as they are known."""
    parts = [caller.city, country_name(caller.country, language) if caller.country else None]
    return ", ".join(p for p in parts if p) or None


@dataclass(frozen=True)
class Alert:
    subject: str
    body: str
    sms: str


def alert(
    *,
    reference: str,
    kind: str,
    post: str,
    step: int,
    hq: bool,
    caller: Caller,
    link: str,
    language: str,
) -> Alert:
    """The email (subject, body) and SMS of one step of one emergency, in ``language``."""

    def say(message: Message) -> str:
        return in_language(message, language)

    names = {
        "reference": reference,
        "kind": kind_name(kind, language),
        "post": post_name(post),
        "step": step,
        "name": caller.name or say(UNKNOWN_NAME),
        "phone": caller.phone or say(UNKNOWN_PHONE),
        "place": place(caller, language) or say(UNKNOWN_PLACE),
        "language": language_name(caller.language, language) or say(UNKNOWN_LANGUAGE),
        "link": link,
    }
    head = HEAD_HQ if hq else HEAD_FIRST if step == 0 else HEAD_LATER
    body = "\n\n".join(in_language(m.format(**names), language) for m in (head, CALLER, ACT))
    return Alert(
        subject=in_language(SUBJECT.format(reference=reference), language),
        body=body,
        sms=in_language(SMS.format(**names), language),
    )
