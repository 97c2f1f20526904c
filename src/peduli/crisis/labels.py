"""The names a reader sees for a crisis's kind, severity and status.

Pages never show the stored codes (``civil_unrest``, ``severe``): templates show
``t(labels.kind(crisis.kind))``, in the reader's language; the declare form's selects list
them in this order.
"""

from __future__ import annotations

from peduli.core.i18n import Message, _
from peduli.crisis.models import CrisisKind, CrisisStatus, Severity

KINDS: dict[str, Message] = {
    CrisisKind.EARTHQUAKE: _("Earthquake"),
    CrisisKind.TSUNAMI: _("Tsunami"),
    CrisisKind.FLOOD: _("Flood"),
    CrisisKind.STORM: _("Storm"),
    CrisisKind.VOLCANO: _("Volcanic eruption"),
    CrisisKind.CONFLICT: _("Armed conflict"),
    CrisisKind.CIVIL_UNREST: _("Civil unrest"),
    CrisisKind.SCAM_COMPOUND_RAID: _("Raid on scam compounds"),
    CrisisKind.EPIDEMIC: _("Epidemic"),
    CrisisKind.OTHER: _("Other emergency"),
}
SEVERITIES: dict[str, Message] = {
    Severity.MINOR: _("Minor"),
    Severity.MODERATE: _("Moderate"),
    Severity.SEVERE: _("Severe"),
    Severity.EXTREME: _("Extreme"),
}
STATUSES: dict[str, Message] = {
    CrisisStatus.DRAFT: _("Draft"),
    CrisisStatus.ACTIVE: _("Active"),
    CrisisStatus.CLOSED: _("Closed"),
}


def kind(code: str) -> Message:
    """The kind's name (an unknown stored code reads as "Other emergency")."""
    return KINDS.get(code, KINDS[CrisisKind.OTHER])


def severity(code: str) -> Message:
    """The severity's name."""
    return SEVERITIES.get(code, Message(code))


def status(code: str) -> Message:
    """The status's name."""
    return STATUSES.get(code, Message(code))
