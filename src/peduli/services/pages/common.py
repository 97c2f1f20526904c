"""What the services' pages share: money in the reader's locale, and the state names."""

from __future__ import annotations

from decimal import Decimal
from typing import TypeGuard

from babel import numbers
from fastapi.responses import Response

from peduli.auth.actor import Actor, Role
from peduli.core.config import get_settings
from peduli.core.downloads import download_headers
from peduli.core.errors import NotFound
from peduli.core.i18n import Message, _, in_language
from peduli.documents import VERIFY_PAGE, printing
from peduli.documents import service as documents
from peduli.services.application_file import ApplicationView
from peduli.web.i18n import babel_locale, format_date

STATE_NAMES: dict[str, Message] = {
    "submitted": _("Submitted, waiting for an officer"),
    "documents_requested": _("Waiting for your documents"),
    "approved": _("Approved"),
    "refused": _("Refused"),
    "issued": _("Ready to collect"),
    "handed_over": _("Handed over"),
}
PAYMENT_NAMES: dict[str, Message] = {
    "not_due": _("No fee"),
    "awaiting": _("Waiting for your transfer"),
    "at_counter": _("Pay at the counter"),
    "paid": _("Paid"),
}
ACTION_NAMES: dict[str, Message] = {
    "request_documents": _("Ask for more documents"),
    "approve": _("Approve"),
    "refuse": _("Refuse"),
    "issue": _("Issue the document"),
    "hand_over": _("Hand over"),
}
CHANNEL_NAMES: dict[str, Message] = {
    "online": _("Online"),
    "in_person": _("At the representation"),
    "both": _("Online or at the representation"),
}
APPOINTMENT_STATES: dict[str, Message] = {
    "booked": _("Booked"),
    "checked_in": _("Arrived, waiting to be called"),
    "called": _("Called"),
    "no_show": _("Missed"),
    "cancelled": _("Cancelled"),
}
FOR_NAMES: dict[str, Message] = {
    "self": _("Myself"),
    "child": _("My child"),
    "relative": _("A relative who died abroad"),
}


def is_citizen(actor: Actor | None) -> TypeGuard[Actor]:
    """A signed-in citizen (not staff, not a visitor): the only reader of their own files."""
    return actor is not None and actor.role == Role.CITIZEN


def money(amount: Decimal | None, currency: str | None, language: str) -> str:
    """An amount with its currency, as the reader writes it."""
    if amount is None or currency is None:
        return ""
    return numbers.format_currency(amount, currency, locale=babel_locale(language))


def helpers(language: str) -> dict[str, object]:
    """The names and formatters the services' templates use."""

    def name_of(table: dict[str, Message]) -> object:
        return lambda key: in_language(table[key], language) if key in table else key

    return {
        "money": lambda amount, currency: money(amount, currency, language),
        "state_name": name_of(STATE_NAMES),
        "payment_name": name_of(PAYMENT_NAMES),
        "action_name": name_of(ACTION_NAMES),
        "channel_name": name_of(CHANNEL_NAMES),
        "for_name": name_of(FOR_NAMES),
        "appointment_state": name_of(APPOINTMENT_STATES),
        "lang_of": language,
    }


def issued_document(view: ApplicationView, language: str) -> Response:
    """The application's signed document as a one-page PDF with its QR code (404 if none)."""
    payload = view.application.document_payload
    if payload is None:
        raise NotFound(_("This application has no issued document."))
    fields = documents.read(payload).fields
    lines = [
        fields.name,
        in_language(_("Date of birth: {date}"), language).format(
            date=format_date(fields.birth_date, language)
        ),
        in_language(_("Document number: {number}"), language).format(number=fields.number),
        in_language(_("Valid until: {date}"), language).format(
            date=format_date(fields.expires_on, language)
        ),
    ]
    pdf = printing.document_pdf(
        title=view.definition.name.get(language),
        lines=lines,
        payload=payload,
        verify_url=f"{get_settings().public_url.rstrip('/')}{VERIFY_PAGE}",
        language=language,
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers=download_headers(f"{view.application.reference}.pdf", inline=True),
    )
