"""The first words of a broadcast: a template per crisis kind, in every language, and what
each language's SMS will cost.

The templates are short on purpose: the SMS also carries the answer line and the personal
link (``delivery.with_answer_line``), and the whole fits one segment: GSM-7, 160
characters, in Indonesian, English and French; UCS-2, 70 characters, in Chinese, where a
production link (``https://peduli.kemlu.go.id/c/`` and a 16-character token) leaves 25, so
the Chinese templates and answer line are terse on purpose (``tests/crisis/
test_message_templates.py`` fails if one grows). The French texts avoid letters outside
GSM-7 (ê, â, ç…), which would make the whole SMS UCS-2.
"""

from __future__ import annotations

from peduli.core.i18n import LANGUAGES, Message, _, in_language
from peduli.crisis import delivery, links
from peduli.crisis.models import CrisisKind
from peduli.notify.segments import SmsLength, measure

# The largest recipient id whose token is 16 characters (916 million recipients): what the
# counts assume; ids beyond it add one character to the link.
SAMPLE_RECIPIENT = 62**5 - 1

TEMPLATES: dict[CrisisKind, Message] = {
    CrisisKind.EARTHQUAKE: _("Strong earthquake. Stay outside, away from buildings."),
    CrisisKind.TSUNAMI: _("Tsunami warning. Move to high ground now."),
    CrisisKind.FLOOD: _("Flooding. Move to higher ground; keep out of flood water."),
    CrisisKind.STORM: _("Severe storm. Stay indoors, away from windows."),
    CrisisKind.VOLCANO: _("Volcanic eruption. Leave the danger zone now."),
    CrisisKind.CONFLICT: _("Armed conflict. Stay indoors, away from windows."),
    CrisisKind.CIVIL_UNREST: _("Unrest nearby. Avoid crowds and stay indoors."),
    CrisisKind.SCAM_COMPOUND_RAID: _("Police raids on scam sites. Tell us if you need help."),
    CrisisKind.EPIDEMIC: _("Disease outbreak. Follow health rules; tell us if you are ill."),
    CrisisKind.OTHER: _("Emergency in your area. Follow the local authorities' advice."),
}


def default_messages(kind: str) -> dict[str, str]:
    """The template of ``kind`` (any other kind: the general one) in every language."""
    by_value = {str(k): text for k, text in TEMPLATES.items()}
    template = by_value.get(kind, TEMPLATES[CrisisKind.OTHER])
    return {lang: in_language(template, lang) for lang in LANGUAGES}


def sample_sms(text: str, lang: str) -> str:
    """The SMS a person reading ``lang`` would get for ``text``, with a link of full length."""
    link = links.link_base() + links.token_for(SAMPLE_RECIPIENT)
    return delivery.with_answer_line(text, lang) + link


def sms_lengths(messages: dict[str, str]) -> dict[str, SmsLength]:
    """Per language, the length of the SMS as sent (an empty text: the Indonesian one is sent)."""
    fallback = messages.get("id", "")
    return {lang: measure(sample_sms(messages.get(lang) or fallback, lang)) for lang in LANGUAGES}


def overhead(lang: str) -> SmsLength:
    """What the answer line and the link take of an SMS in ``lang`` (the counter adds it)."""
    return measure(sample_sms("", lang))
