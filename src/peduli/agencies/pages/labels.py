"""The words the agencies' pages show for sources, states, fields and purposes."""

from __future__ import annotations

from peduli.core.i18n import Message, _

SOURCES: dict[str, Message] = {
    "civil_registry": _("Civil registry (Dukcapil)"),
    "immigration": _("Immigration"),
    "placements": _("Placements (BP2MI)"),
}
AGENCIES: dict[str, Message] = {
    "civil_registry": _("Civil registry (Dukcapil)"),
    "immigration": _("Immigration"),
    "bp2mi": _("BP2MI"),
    "partner_state": _("Partner state"),
    "webhook_receiver": _("Partner system"),
}
STATES: dict[str, Message] = {
    "queued": _("queued"),
    "verified": _("verified"),
    "mismatch": _("mismatch"),
    "not_found": _("not found"),
    "unavailable": _("agency unavailable"),
    "not_checkable": _("not checkable"),
}
FIELDS: dict[str, Message] = {
    "full_name": _("name"),
    "date_of_birth": _("date of birth"),
    "place_of_birth": _("place of birth"),
    "sex": _("sex"),
    "mother_name": _("mother's name"),
    "active": _("NIK not active (holder deceased)"),
    "passport_status": _("passport not valid (expired, reported lost, revoked or replaced)"),
    "country": _("placed in another country than the stay"),
}
PURPOSES: dict[str, Message] = {
    "identity_verification": _("identity verification"),
    "protection_case": _("protection case"),
    "consular_service": _("consular service"),
    "crisis_response": _("crisis response"),
    "data_import": _("data import"),
    "bilateral_exchange": _("bilateral exchange"),
    "elections": _("overseas voter list"),
}
